"""Small things a user of the command notices (issue 20, item 7): ``stories`` says when it shows
fewer than there are, a mistyped site id gets the nearest ones, ``--help`` is plain sentences.
The real ``tinlaodong`` in a subprocess each time."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.models import Article
from aggregator.store import open_store
from tests.backends import backend
from tests.helpers import closed_port, tinlaodong, write_registry

__all__ = ["backend"]  # the stories cases run on SQLite, then on PostgreSQL


@pytest.fixture
def five_stories(tmp_path: Path, backend: str) -> Path:
    """A data directory with 5 stories: 3 from site "a", 2 from site "b"."""
    store = open_store(tmp_path)
    try:
        topics = ["tuyển dụng", "bảo hiểm xã hội", "giảm nghèo", "trẻ em", "người có công"]
        for i, (site, topic) in enumerate(zip(["a", "a", "a", "b", "b"], topics, strict=True)):
            article = Article(
                url=None,
                title=f"Tin thứ {i}",
                text=f"Tin về {topic} ngày {i + 1} tháng 1.",
                published=datetime(2025, 1, i + 1, tzinfo=UTC),
            )
            store.add_article(site, f"https://example.vn/{i}", article)
    finally:
        store.close()
    return tmp_path


def stories(data_dir: Path, *args: str) -> tuple[list[str], str]:
    result = tinlaodong("stories", "--data-dir", str(data_dir), *args, timeout=60)
    assert result.returncode == 0, result.stderr
    titles = re.findall(r"Tin thứ \d", result.stdout)
    return titles, result.stderr


def test_stories_says_when_it_shows_fewer_than_there_are(five_stories: Path) -> None:
    titles, said = stories(five_stories, "--limit", "3")
    assert titles == ["Tin thứ 4", "Tin thứ 3", "Tin thứ 2"]
    assert said.strip() == "3 of 5 stories; --limit N for more"


def test_stories_counts_those_of_the_sites_asked_for(five_stories: Path) -> None:
    _, said = stories(five_stories, "--limit", "2", "--site", "a")
    assert said.strip() == "2 of 3 stories; --limit N for more"


def test_stories_says_nothing_when_it_shows_them_all(five_stories: Path) -> None:
    for limit in ("5", "20"):
        titles, said = stories(five_stories, "--limit", limit)
        assert len(titles) == 5
        assert said == ""


def test_stories_json_stays_one_story_a_line(five_stories: Path) -> None:
    result = tinlaodong(
        "stories", "--data-dir", str(five_stories), "--json", "--limit", "2", timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()] == [
        "Tin thứ 4",
        "Tin thứ 3",
    ]
    assert result.stderr.strip() == "2 of 5 stories; --limit N for more"


# -- a mistyped site id


def crawl_error(*args: str) -> str:
    result = tinlaodong("crawl", *args, timeout=60)
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_mistyped_site_id_gets_the_nearest_ones(tmp_path: Path) -> None:
    line = crawl_error("--data-dir", str(tmp_path), "--site", "molisa-gv")
    assert line.endswith("no site with id 'molisa-gv'; did you mean molisa?"), line
    line = crawl_error("--data-dir", str(tmp_path), "--site", "hanoi-sldtxh")
    assert "did you mean hanoi-sldtbxh" in line, line
    # Nothing near in a hundred ids: where to find them, not the hundred.
    line = crawl_error("--data-dir", str(tmp_path), "--site", "xyz")
    assert line.endswith("no site with id 'xyz' (`tinlaodong sites` lists them)"), line


def test_a_short_registry_lists_its_ids_when_none_is_near(tmp_path: Path) -> None:
    sites = [
        {"id": site_id, "name": site_id, "province": "Hà Nội", "start_urls": ["https://x.vn/"]}
        for site_id in ("alpha", "beta")
    ]
    registry = write_registry(tmp_path / "sites.yaml", sites)
    line = crawl_error("--data-dir", str(tmp_path), "--sites", str(registry), "--site", "zzz")
    assert line.endswith("no site with id 'zzz' (known: alpha, beta)"), line


# -- --help


COMMANDS = [
    [], ["alerts"], ["alerts", "send"], ["alerts", "test"], ["alerts", "status"],
    ["alerts", "retry"], ["crawl"], ["demo"], ["extract"], ["feeds"], ["feeds", "build"],
    ["feeds", "serve"], ["search"], ["schedule"], ["serve"], ["sites"], ["sites", "show"],
    ["sites", "check"], ["sites", "apply"], ["stories"], ["try"],
    ["worker"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "tinlaodong")
def test_help_is_plain_sentences(command: list[str]) -> None:
    result = tinlaodong(*command, "--help", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "`" not in result.stdout, "reST or Markdown quoting"
    internal = re.findall(r"\b(?:aggregator|feeds|spiders|mirror)\.(?!opml)[a-z_]+", result.stdout)
    assert not internal, f"internal module names: {internal}"


# -- values out of range: one line, exit 2, no traceback


def one_line_error(*args: str) -> str:
    """The error's line (argparse's usage lines may come before it)."""
    result = tinlaodong(*args, timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr.strip().splitlines()[-1]


HUGE = "99999999999999999999999"
OUT_OF_RANGE = [
    (["search", "viec", "--since", "99999999999d"], "longer than 100 years"),
    (["stories", "--since", "99999999999d"], "longer than 100 years"),
    (["search", "viec", "--since", "3000000d"], "longer than 100 years"),
    (["search", "viec", "--since", "0001-01-01"], "a date from 1900 to 2100"),
    (["stories", "--since", "9999-12-31"], "a date from 1900 to 2100"),
    (["search", "lao", "--limit", HUGE], "from 1 to 100000"),
    (["stories", "--limit", HUGE], "from 1 to 100000"),
    (["sites", "check", "--concurrency", HUGE], "from 1 to 100000"),
    (["feeds", "serve", "--port", HUGE], "a port from 0 to 65535"),
    (["serve", "--parallel", HUGE], "from 1 to 100000"),
    (["alerts", "retry", HUGE], "from 1 to"),
    (["try", "--timeout", "1e400", "http://127.0.0.1:1/"], "seconds"),
    (["alerts", "send", "--wait", "1e400"], "seconds"),
    (["sites", "check", "--timeout", "1e400"], "seconds"),
    (["serve", "--crawl-timeout", "1e400"], "at most 1440"),
    (["feeds", "build", "--out", "/proc/x", "--page-size", HUGE], "from 1 to 100000"),
    (["feeds", "build", "--out", "/proc/x", "--pages", HUGE], "from 1 to 100000"),
]


@pytest.mark.parametrize("command, said", OUT_OF_RANGE, ids=[" ".join(c) for c, _ in OUT_OF_RANGE])
def test_an_out_of_range_value_is_one_line(
    five_stories: Path, command: list[str], said: str
) -> None:
    line = one_line_error(*command, "--data-dir", str(five_stories))
    assert line.startswith(f"tinlaodong {command[0]}"), line
    assert said in line, line


def test_alerts_test_seen_within_out_of_range(five_stories: Path, tmp_path: Path) -> None:
    rules = tmp_path / "r1.yaml"
    rules.write_text("rules:\n  - id: r1\n    query: lao\n    notify: [json://h/]\n")
    line = one_line_error(
        "alerts", "test", str(rules), "--seen-within", "99999999999d",
        "--data-dir", str(five_stories),
    )
    assert "longer than 100 years" in line, line


# -- feeds build: where it cannot write, addresses that are not addresses


def test_feeds_build_names_an_out_it_cannot_use(five_stories: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("mine\n")
    cases = {
        "/proc/x": "/proc/x: cannot write in /proc",
        str(a_file): f"{a_file}: not a folder",
        str(a_file / "sub"): f"{a_file} is not a folder",
    }
    for out, said in cases.items():
        line = one_line_error("feeds", "build", "--data-dir", str(five_stories), "--out", out)
        assert line.startswith("tinlaodong feeds: error: --out "), line
        assert said in line, line
    assert a_file.read_text() == "mine\n"  # nothing written


@pytest.mark.parametrize("option", ["--base-url", "--home-url"])
def test_feeds_build_wants_absolute_web_addresses(five_stories: Path, option: str) -> None:
    out = five_stories / "site"
    for url in ("notaurl", "/feeds/", "ftp://x.example/"):
        line = one_line_error(
            "feeds", "build", "--data-dir", str(five_stories), "--out", str(out), option, url
        )
        assert f"not an absolute http(s) URL: {url!r}" in line, line
    assert not out.exists()


# -- search says when it shows fewer than there are


def search_said(data_dir: Path, *args: str) -> tuple[int, str]:
    result = tinlaodong("search", "tin", "--data-dir", str(data_dir), *args, timeout=120)
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if " INFO " not in line]  # indexing
    return len(result.stdout.splitlines()), "\n".join(said)


def test_search_says_when_it_shows_fewer_than_there_are(five_stories: Path) -> None:
    assert search_said(five_stories, "--limit", "3") == (3, "3 of 5 stories; --limit N for more")
    assert search_said(five_stories, "--limit", "2", "--site", "b") == (2, "")
    assert search_said(five_stories, "--limit", "5") == (5, "")
    assert search_said(five_stories, "--limit", "1", "--json")[1] == (
        "1 of 5 stories; --limit N for more"
    )


def test_search_counts_up_to_a_bound(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    try:
        for i in range(502):
            article = Article(
                url=None, title=f"Tin số {i}", text=f"Tin lao động thứ {i} trong năm.",
                published=datetime(2025, 1, 1, tzinfo=UTC),
            )
            store.add_article("a", f"https://example.vn/{i}", article)
    finally:
        store.close()
    assert search_said(tmp_path) == (20, "20 of more than 500 stories; --limit N for more")


# -- one story, one site: no "1 stories", no "1 sites"


def test_one_is_singular(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    try:
        article = Article(url=None, title="Tin một", text="Tin lao động.", published=None)
        store.add_article("a", "https://example.vn/1", article)
    finally:
        store.close()
    result = tinlaodong("search", "lao", "--data-dir", str(tmp_path), timeout=60)
    assert "indexed 1 story for search" in result.stderr, result.stderr
    site = {"id": "one", "name": "one", "province": "Hà Nội", "allow_private_network": True,
            "start_urls": [f"http://127.0.0.1:{closed_port()}/"]}
    registry = write_registry(tmp_path / "sites.yaml", [site])
    result = tinlaodong(
        "sites", "check", "--sites", str(registry), "--data-dir", str(tmp_path), timeout=60
    )
    assert result.stdout.splitlines()[-1].startswith("1 site: 0 reachable"), result.stdout


def test_search_json_names_the_story_id_as_stories_json_does(five_stories: Path) -> None:
    def objects(*args: str) -> list[dict[str, object]]:
        result = tinlaodong(*args, "--json", "--data-dir", str(five_stories), timeout=60)
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    found = objects("search", "tin", "--limit", "5")
    listed = objects("stories", "--limit", "5")
    assert {o["id"] for o in found} == {o["id"] for o in listed}
    assert all(o["story_id"] == o["id"] for o in found), "the old name stays"
