"""Property tests of the query grammar (search, search feeds and alert rules read it alike).

Any text either parses or is refused with a :class:`QueryError` (one line for the user, never
a traceback); what the search index finds for a parsed query is what the rule matcher says
matches; ``A OR B`` finds the union of what A and B find. A few dozen examples each in the
ordinary run; ``make fuzz`` runs thousands (``HYPOTHESIS_PROFILE=fuzz``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.exceptions import QueryError
from aggregator.models import Article
from aggregator.search import refresh_index, search
from aggregator.search.query import parse
from aggregator.store import StoryStore, open_store

# Words with and without diacritics, decomposed forms, and words that are operators or
# punctuation elsewhere: the parser and both matchers must agree on every one of them.
VOCABULARY = [
    "lao",
    "động",
    "dong",
    "việc",
    "viec",
    "làm",
    "Hàn",
    "Quốc",
    "quoc",
    "nhật",
    "trẻ",
    "em",
    "thi",
    "đua",
    "dua",
    "giao",
    "ước",
    "or",
    "and",
    "không",
    "khong",
    "BHXH",
    "2025",
    "Đà",
    "Nẵng",
    "Da\u0300",  # "Dà" decomposed
]
TEXTS = [
    ("Lao động làm việc tại Hàn Quốc", "Người lao động sang Hàn Quốc theo chương trình EPS."),
    ("Thực tập sinh sang Nhật Bản", "Thị trường Nhật Bản cần thêm điều dưỡng."),
    ("Phiên giao dịch việc làm tháng 3", "Hàng nghìn việc làm cho thanh niên năm 2025."),
    ("Chăm lo cho trẻ em", "Quà cho trẻ em có hoàn cảnh khó khăn ở Đà Nẵng."),
    ("Tre em que", "Bai viet khong dau: tre em o vung que, lao dong."),
    ("Phát động thi đua", "Phong trào thi đua khen thưởng; BHXH tự nguyện."),
    ("Ký giao ước thi đua", "Các cụm ký kết giao ước or and không."),
    ("Giao uoc", "Van ban giao uoc khong dau, Da Nang, viec lam."),
]


@pytest.fixture(scope="module")
def store() -> Iterator[StoryStore]:
    with tempfile.TemporaryDirectory() as directory:
        opened = open_store(Path(directory))
        for number, (title, body) in enumerate(TEXTS):
            opened.add_article(
                "press", f"https://example.vn/{number}", Article(url=None, title=title, text=body)
            )
        refresh_index(opened.engine)
        yield opened
        opened.engine.dispose()


def found(store: StoryStore, query: str) -> set[int]:
    return {int(hit.url.rsplit("/", 1)[1]) for hit in search(store.engine, query, limit=1000)}


def matched(query: str) -> set[int]:
    parsed = parse(query)
    return {n for n, (title, body) in enumerate(TEXTS) if parsed.matches(title, body)}


words = st.sampled_from(VOCABULARY)
term = st.one_of(
    words,
    st.builds(lambda w: "-" + w, words),
    st.builds(lambda ws: '"' + " ".join(ws) + '"', st.lists(words, min_size=1, max_size=3)),
)
alternative = st.builds(" ".join, st.lists(term, min_size=1, max_size=4))
query_text = st.builds(" OR ".join, st.lists(alternative, min_size=1, max_size=3))


@given(
    st.text(max_size=80)
    | st.builds(
        " ".join,
        st.lists(
            st.sampled_from(VOCABULARY + ['"', "-", "OR", "NOT", "AND", "(", ")", "*", ":", "^"]),
            max_size=10,
        ),
    )
)
def test_any_text_parses_or_is_refused_with_a_query_error(text: str) -> None:
    try:
        query = parse(text)
    except QueryError as error:
        assert str(error).strip() and "\n" not in str(error).strip()
        return
    assert query.any_of and all(a.all_of for a in query.any_of)


@given(query_text)
def test_the_index_finds_what_the_rule_matcher_matches(store: StoryStore, query: str) -> None:
    try:
        expected = matched(query)
    except QueryError:
        return  # e.g. an alternative made of -words alone: refused by both, tested above
    assert found(store, query) == expected


@given(alternative, alternative)
def test_a_or_b_finds_what_a_finds_and_what_b_finds(store: StoryStore, a: str, b: str) -> None:
    try:
        parse(a), parse(b)
    except QueryError:
        return
    assert found(store, f"{a} OR {b}") == found(store, a) | found(store, b)
