"""One query grammar for search (CLI, page, search feeds) and alert rules: words side by side
must all be there, OR separates alternatives made of the words around it, each term folded or
exact by itself, and ``A OR B`` finds exactly what A finds and what B finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.alerts.matching import Matcher, StoryFacts
from aggregator.alerts.rules import parse_rules
from aggregator.models import Article
from aggregator.search import refresh_index, search
from aggregator.search.query import parse
from aggregator.store import StoryStore, open_store
from tests.backends import backend, sqlite_only
from tests.helpers import tinlaodong

__all__ = ["backend"]  # the fixture: every store here is on SQLite, then on PostgreSQL

STORIES = {
    "han": (
        "Lao động làm việc tại Hàn Quốc",
        "Người lao động sang Hàn Quốc theo chương trình EPS.",
    ),
    "nhat": ("Thực tập sinh sang Nhật Bản", "Thị trường Nhật Bản cần thêm điều dưỡng."),
    "viec": ("Phiên giao dịch việc làm tháng 3", "Hàng nghìn việc làm cho thanh niên."),
    "quoc": ("Quốc tế hợp tác", "Bản tin hợp tác quốc tế về đào tạo nghề; Hàn và Nhật."),
    "tre": ("Chăm lo cho trẻ em", "Quà cho trẻ em có hoàn cảnh khó khăn."),
    "tre-em-folded": ("Tre em quê", "Bài viết không dấu: tre em o vung que."),
    "lao-dong-chi": ("Lão đồng chí kể chuyện", "Câu chuyện của một lão đồng chí."),
    "thi-dua": ("Phát động thi đua", "Phong trào thi đua khen thưởng năm 2025."),
    "giao-uoc": ("Ký giao ước thi đua", "Các cụm ký kết giao ước."),
    "giao-uoc-folded": ("Giao uoc", "Van ban giao uoc khong dau."),
}


@pytest.fixture
def store(tmp_path: Path, backend: str) -> StoryStore:
    store = open_store(tmp_path)
    for key, (title, body) in STORIES.items():
        article = Article(url=None, title=title, text=body)
        store.add_article("press", f"https://example.vn/{key}", article)
    refresh_index(store.engine)
    return store


def found(store: StoryStore, query: str) -> set[str]:
    return {hit.url.rsplit("/", 1)[1] for hit in search(store.engine, query, limit=1000)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Words side by side need not be adjacent: "quoc" has Hàn, Quốc, Nhật and Bản apart.
        ("Hàn Quốc OR Nhật Bản", {"han", "nhat", "quoc"}),
        ('lao dong OR "việc làm"', {"han", "lao-dong-chi", "viec"}),
        ('thi dua OR "giao ước"', {"thi-dua", "giao-uoc"}),
        # "lao động" has diacritics, "tre em" none: each term decides for itself.
        ("lao động OR tre em", {"han", "tre", "tre-em-folded"}),
        ("han quoc -nhat OR thi dua", {"han", "thi-dua", "giao-uoc"}),
    ],
)
def test_or_separates_alternatives_each_term_folded_or_exact(
    store: StoryStore, query: str, expected: set[str]
) -> None:
    assert found(store, query) == expected
    rule = parse_rules(f"rules:\n  - id: r\n    query: '{query}'\n    notify: [json://h/]\n")
    matcher = Matcher(rule)
    matched = {
        key
        for key, (title, body) in STORIES.items()
        if matcher.matching(StoryFacts(title, body, ("press",)))
    }
    assert matched == expected  # a rule reads a query as a search does


def test_a_or_b_is_the_union(store: StoryStore) -> None:
    for a, b in [("lao dong", '"việc làm"'), ("Hàn Quốc", "Nhật Bản"), ("lao động", "tre em")]:
        assert found(store, f"{a} OR {b}") == found(store, a) | found(store, b)


# Syllables of the stories, with and without their diacritics, and a few they lack.
_WORDS = [
    "lao",
    "động",
    "dong",
    "việc",
    "viec",
    "làm",
    "lam",
    "hàn",
    "han",
    "quốc",
    "quoc",
    "nhật",
    "nhat",
    "bản",
    "ban",
    "trẻ",
    "tre",
    "em",
    "thi",
    "đua",
    "dua",
    "giao",
    "ước",
    "uoc",
    "lão",
    "đồng",
    "tế",
    "te",
    "nghề",
    "nghe",
    "không",
    "khong",
    "mưa",
]
_TERM = st.one_of(
    st.sampled_from(_WORDS),
    st.lists(st.sampled_from(_WORDS), min_size=2, max_size=3).map(lambda w: f'"{" ".join(w)}"'),
)
_ALTERNATIVE = st.builds(
    lambda wanted, unwanted: " ".join(wanted + [f"-{t}" for t in unwanted]),
    st.lists(_TERM, min_size=1, max_size=3),
    st.lists(_TERM, max_size=1),
)
_QUERY = st.lists(_ALTERNATIVE, min_size=1, max_size=2).map(" OR ".join)


def test_or_is_the_union_and_search_agrees_with_rules(store: StoryStore) -> None:
    @settings(max_examples=80, deadline=None)
    @given(_QUERY, _QUERY)
    def check(a: str, b: str) -> None:
        either = found(store, f"{a} OR {b}")
        assert either == found(store, a) | found(store, b)
        # A rule's query finds in a story what a search finds.
        assert either == {k for k, texts in STORIES.items() if parse(f"{a} OR {b}").matches(*texts)}

    check()


@sqlite_only
def test_cli_reads_a_leading_dash_as_a_word_to_leave_out(store: StoryStore, tmp_path: Path) -> None:
    result = tinlaodong("search", "--data-dir", str(tmp_path), "-lao", "dong", "--json")
    assert result.returncode == 0, result.stderr
    assert {json.loads(line)["url"].rsplit("/", 1)[1] for line in result.stdout.splitlines()} == {
        "thi-dua"  # "Phát động": dong without lao
    }
    result = tinlaodong("search", "--data-dir", str(tmp_path), "han", "-lao", "OR", "tre", "em")
    assert result.returncode == 0, result.stderr
    assert "Quốc tế hợp tác" in result.stdout and "trẻ em" in result.stdout
    assert "Lao động" not in result.stdout
