"""Watch rules: reading and validating the file, and which stories a rule matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.alerts import Matcher, RulesError, StoryFacts, load_rules, parse_rules
from aggregator.exceptions import QueryError
from aggregator.registry import Site
from aggregator.search.query import Alternative, Term, parse

ISSUE_EXAMPLE = """\
rules:
  - id: quang-ngai-thi-dua
    query: 'thi dua OR "giao ước"'
    provinces: ["Quảng Ngãi"]
    notify: ["json://127.0.0.1:8765/hook", "mailto://user:secret@example.com"]
"""

SITES = {
    "quangngai": Site(
        "quangngai",
        "Sở Nội vụ Quảng Ngãi",
        "Quảng Ngãi",
        ("https://qn.example/",),
        province_id="quang-ngai",
        current_province_id="quang-ngai",
    ),
    "kontum": Site(
        "kontum",
        "Sở LĐ-TB&XH Kon Tum",
        "Kon Tum",
        ("https://kt.example/",),
        province_id="kon-tum",
        current_province_id="quang-ngai",
    ),
    "hanoi": Site(
        "hanoi",
        "Sở Nội vụ Hà Nội",
        "Hà Nội",
        ("https://hn.example/",),
        province_id="ha-noi",
        current_province_id="ha-noi",
    ),
}


def rules_of(body: str) -> Matcher:
    return Matcher(parse_rules("rules:\n" + body), SITES)


def matched(
    matcher: Matcher, title: str, text: str = "", sites: tuple[str, ...] = ("hanoi",)
) -> list[str]:
    return [r.id for r in matcher.matching(StoryFacts(title, text, sites))]


def test_the_issue_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    rules = load_rules(path)
    (rule,) = rules.rules
    assert rule.id == "quang-ngai-thi-dua"
    assert [p.id for p in rule.provinces] == ["quang-ngai"]
    assert rule.notify[0] == "json://127.0.0.1:8765/hook"
    assert rule.query is not None
    assert [t.text for t in rule.query.terms] == ["thi", "dua", "giao ước"]
    assert rule.line == 2


@pytest.mark.parametrize(
    ("body", "line", "expected"),
    [
        ("  - id: Bad_Id\n    query: x\n    notify: [json://h/]\n", 2, "id: 'Bad_Id'"),
        ("  - id: a\n    query: 'x OR'\n    notify: [json://h/]\n", 3, "rule a: query:"),
        ("  - id: a\n    query: '\"unclosed'\n    notify: [json://h/]\n", 3, "quote is not closed"),
        ("  - id: a\n    provinces: [Quang Ngay]\n    notify: [json://h/]\n", 3, "did you mean"),
        ("  - id: a\n    topics: [nope]\n    notify: [json://h/]\n", 3, "unknown topic 'nope'"),
        ("  - id: a\n    query: x\n    notify: ['nosuch://x']\n", 4, "notify:"),
        ("  - id: a\n    query: x\n", 2, "notify: where to notify"),
        ("  - id: a\n    query: x\n    notify: [json://h/]\n    digest: weekly\n", 5, "digest:"),
        (
            "  - id: a\n    query: x\n    colour: red\n    notify: [json://h/]\n",
            4,
            "colour: unknown",
        ),
        ("  - id: a\n    notify: [json://h/]\n", 2, "nothing to watch"),
        (
            "  - id: a\n    health: {silent_days: 0}\n    notify: [json://h/]\n",
            3,
            "health.silent_days",
        ),
        (
            "  - id: a\n    health: unhealthy\n    query: x\n    notify: [json://h/]\n",
            4,
            "only sites",
        ),
        (
            "  - id: a\n    query: x\n    notify: [json://h/]\n"
            "  - id: a\n    query: y\n    notify: [json://h/]\n",
            5,
            "duplicate (also line 2)",
        ),
        ("  - id: a\n    query: x: y\n", 3, "not valid YAML"),
    ],
)
def test_errors_name_file_line_and_field(body: str, line: int, expected: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules("rules:\n" + body, Path("watch.yaml"))
    message = str(caught.value)
    assert message.startswith(f"watch.yaml:{line}:"), message
    assert expected in message
    assert "\n" not in message


def test_unknown_site_is_refused_against_the_registry() -> None:
    body = "rules:\n  - id: a\n    sites: [hanoi, hue]\n    notify: [json://h/]\n"
    with pytest.raises(RulesError, match=r"rules:3: rule a: sites: no site 'hue'"):
        parse_rules(body, known_sites=["hanoi"])


def test_secrets_are_not_echoed_in_errors() -> None:
    body = "rules:\n  - id: a\n    query: x\n    notify: ['nosuch://user:hunter2@x']\n"
    with pytest.raises(RulesError) as caught:
        parse_rules(body)
    assert "hunter2" not in str(caught.value)


def test_query_grammar() -> None:
    query = parse('thi dua "giao ước" OR khen -"hội nghị" NOT tong AND ket')
    thi, dua, giao_uoc = Term(("thi",), False), Term(("dua",), False), Term(("giao", "ước"), True)
    khen, hoi_nghi = Term(("khen",), False), Term(("hội", "nghị"), True)
    tong, ket = Term(("tong",), False), Term(("ket",), False)
    assert query.terms == (thi, dua, giao_uoc, khen, ket, hoi_nghi, tong)
    assert query.any_of == (
        Alternative((thi, dua, giao_uoc)),
        Alternative((khen, ket), (hoi_nghi, tong)),
    )
    for bad in ("OR x", "x OR", "x OR OR y", "x NOT", "x NOT OR y", "-x", "x OR -y", 'x "y'):
        with pytest.raises(QueryError):
            parse(bad)


def test_terms_without_diacritics_fold_with_them_exact() -> None:
    matcher = rules_of(
        "  - id: folded\n    query: 'thi dua'\n    notify: [json://h/]\n"
        "  - id: exact\n    query: '\"thi đua\"'\n    notify: [json://h/]\n"
        "  - id: mixed\n    query: 'thi dua OR \"giao ước\"'\n    notify: [json://h/]\n"
    )
    assert matched(matcher, "Phát động THI ĐUA yêu nước") == ["folded", "exact", "mixed"]
    assert matched(matcher, "Ký kết giao ước năm 2025") == ["mixed"]
    # "giao ước" is written with diacritics: "giao uoc" and "giáo ước" are other words.
    assert matched(matcher, "giao uoc") == []
    assert matched(matcher, "Thi đua") == ["folded", "exact", "mixed"]
    assert matched(matcher, "thì đưa") == ["folded", "mixed"]  # folded: any diacritics
    assert matched(matcher, "thidua") == []  # whole words only


def test_and_or_not() -> None:
    matcher = rules_of(
        "  - id: r\n    query: 'viec lam OR tuyen dung -\"hội nghị\"'\n    notify: [json://h/]\n"
    )
    assert matched(matcher, "Việc làm cho thanh niên") == ["r"]
    assert matched(matcher, "Việc cần làm") == ["r"]  # words, not a phrase
    assert matched(matcher, "Tin", "Sàn tuyển dụng") == ["r"]
    assert matched(matcher, "Tin", "Hội nghị tuyển dụng lao động") == []
    assert matched(matcher, "Việc làm", "Hội nghị tuyển dụng") == ["r"]  # NOT is per side
    assert matched(matcher, "Tin", "hoi nghi tuyển dụng") == ["r"]  # "hội nghị" is exact
    assert matched(matcher, "Tuyển sinh") == []


def test_current_province_takes_in_the_former_ones() -> None:
    matcher = rules_of(
        "  - id: qn\n    provinces: ['Quảng Ngãi']\n    notify: [json://h/]\n"
        "  - id: kt\n    provinces: ['kon tum']\n    notify: [json://h/]\n"
    )
    assert matched(matcher, "Tin", "Tỉnh Kon Tum hỗ trợ người lao động") == ["qn", "kt"]
    assert matched(matcher, "Tin", "Tỉnh Quảng Ngãi hỗ trợ") == ["qn"]
    assert matched(matcher, "Tin", "Hà Nội hỗ trợ") == []
    # The publisher's province counts: Kon Tum's former department is in Quảng Ngãi now.
    assert matched(matcher, "Tin", "Hỗ trợ người lao động", ("kontum",)) == ["qn", "kt"]
    assert matched(matcher, "Tin", "Hỗ trợ người lao động", ("quangngai",)) == ["qn"]


def test_topics_sites_and_all_criteria_together() -> None:
    matcher = rules_of(
        "  - id: jobs\n    topics: [viec-lam]\n    notify: [json://h/]\n"
        "  - id: hn\n    sites: [hanoi]\n    notify: [json://h/]\n"
        "  - id: hn-jobs\n    sites: hanoi\n    topics: [viec-lam]\n    query: phien\n"
        "    notify: [json://h/]\n"
    )
    assert matched(matcher, "Phiên giao dịch việc làm", "", ("hanoi",)) == ["jobs", "hn", "hn-jobs"]
    assert matched(matcher, "Phiên giao dịch việc làm", "", ("kontum",)) == ["jobs"]
    assert matched(matcher, "Tập huấn", "", ("hanoi",)) == ["hn"]


def test_health_rules_are_not_story_rules() -> None:
    rules = parse_rules(
        "rules:\n  - id: down\n    health: {unhealthy: true, silent_days: 7}\n"
        "    sites: [hanoi]\n    notify: [json://h/]\n    digest: daily\n"
    )
    (rule,) = rules.health_rules
    assert rule.health is not None and rule.health.silent_days == 7 and rule.health.unhealthy
    assert rules.story_rules == ()
    assert Matcher(rules, SITES).matching(StoryFacts("x", "y", ("hanoi",))) == []
