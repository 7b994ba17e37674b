"""Full-text search over a real SQLite store: folding, phrases, OR, NOT, provinces, dates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from aggregator.dates import local_midnight
from aggregator.exceptions import ConfigError
from aggregator.models import Article
from aggregator.registry import Site
from aggregator.search import refresh_index, search
from aggregator.store import StoryStore, open_store
from aggregator.story_provinces import ProvinceRule
from aggregator.tags import story_ids_tagged, tags_of
from tests.backends import backend, sqlite_only
from tests.helpers import tinlaodong

__all__ = ["backend"]  # the fixture: every store here is on SQLite, then on PostgreSQL

# The sites with their provinces, as the registry gives them (Nam Định: Ninh Bình's now).
RULE = ProvinceRule(
    Site(sid, sid, name, ("https://x.vn/",), province_id=then, current_province_id=now)
    for sid, name, then, now in (
        ("namdinh-sldtbxh", "Nam Định", "nam-dinh", "ninh-binh"),
        ("hanoi-sldtbxh", "Hà Nội", "ha-noi", "ha-noi"),
        ("press", "Toàn quốc", "toan-quoc", "toan-quoc"),
    )
)

STORIES = [
    (
        "namdinh-sldtbxh",
        "Nam Định chi trả trợ cấp cho người có công",
        "Sở Lao động - Thương binh và Xã hội chi trả trợ cấp ưu đãi cho thương binh.",
        datetime(2024, 7, 20, tzinfo=UTC),
    ),
    (
        "hanoi-sldtbxh",
        "Phiên giao dịch việc làm tháng 3",
        "Hàng nghìn người lao động tìm được việc làm tại phiên giao dịch.",
        datetime(2025, 3, 10, tzinfo=UTC),
    ),
    (
        "press",
        "Lão đồng chí kể chuyện",
        "Câu chuyện của một lão đồng chí ở Nam Định, nay thuộc tỉnh Ninh Bình.",
        datetime(2025, 8, 1, tzinfo=UTC),
    ),
    (
        "press",
        "Bảo hiểm xã hội tự nguyện",
        "Người lao động tham gia bảo hiểm xã hội tự nguyện được hỗ trợ.",
        None,
    ),
]


@pytest.fixture
def store(tmp_path: Path, backend: str) -> StoryStore:
    store = open_store(tmp_path)
    for i, (site, title, body, published) in enumerate(STORIES):
        article = Article(url=None, title=title, text=body, published=published)
        store.add_article(site, f"https://example.vn/{i}", article)
    assert refresh_index(store.engine) == len(STORIES)
    return store


def titles(store: StoryStore, query: str, **kwargs: object) -> set[str]:
    hits = search(store.engine, query, rule=RULE, **kwargs)  # type: ignore[arg-type]
    return {hit.title for hit in hits}


def test_without_diacritics_finds_them(store: StoryStore) -> None:
    assert titles(store, "lao dong") == {
        "Nam Định chi trả trợ cấp cho người có công",
        "Phiên giao dịch việc làm tháng 3",
        "Lão đồng chí kể chuyện",
        "Bảo hiểm xã hội tự nguyện",
    }
    assert titles(store, '"LAO DONG CHI"') == {"Lão đồng chí kể chuyện"}


def test_with_diacritics_respects_them(store: StoryStore) -> None:
    assert "Lão đồng chí kể chuyện" not in titles(store, "lao động")
    assert titles(store, "lão đồng") == {"Lão đồng chí kể chuyện"}


def test_phrase_or_and_not(store: StoryStore) -> None:
    assert titles(store, '"bảo hiểm xã hội"') == {"Bảo hiểm xã hội tự nguyện"}
    assert titles(store, '"xã hội bảo hiểm"') == set()
    assert titles(store, '"thuong binh" OR "viec lam"') == {
        "Nam Định chi trả trợ cấp cho người có công",
        "Phiên giao dịch việc làm tháng 3",
    }
    # OR binds loosest: (thuong AND binh) OR viec.
    assert titles(store, "thuong binh OR viec") == {
        "Nam Định chi trả trợ cấp cho người có công",
        "Phiên giao dịch việc làm tháng 3",
    }
    assert titles(store, '"nguoi lao dong" -bao') == {"Phiên giao dịch việc làm tháng 3"}
    assert titles(store, '"nguoi lao dong" NOT bao NOT viec') == set()


def test_title_ranks_above_body_and_hit_fields(store: StoryStore) -> None:
    hits = search(store.engine, '"viec lam" OR "bao hiem"')
    assert hits[0].score >= hits[-1].score
    hit = next(h for h in search(store.engine, "giao dich") if "Phiên" in h.title)
    assert "phiên «giao» «dịch»." in hit.snippet
    assert hit.url == "https://example.vn/1"
    assert hit.site_ids == ("hanoi-sldtbxh",)
    assert hit.published == datetime(2025, 3, 10, 7, tzinfo=hit.published.tzinfo)


def test_province_filter_includes_former_provinces_and_tags(store: StoryStore) -> None:
    # Nam Định's department is part of Ninh Bình now; the press story names Nam Định.
    expected = {"Nam Định chi trả trợ cấp cho người có công", "Lão đồng chí kể chuyện"}
    assert titles(store, "chi", provinces=["ninh-binh"]) == expected
    # A former province: the stories naming it and its sites' (here the same two).
    assert titles(store, "chi", provinces=["Nam Định"]) == expected
    assert titles(store, "viec lam", provinces=["Hà Nội"]) == {"Phiên giao dịch việc làm tháng 3"}
    assert titles(store, "viec lam", provinces=["Huế"]) == set()
    with pytest.raises(ConfigError, match="did you mean"):
        search(store.engine, "chi", provinces=["Nam Dinhh"])


def test_since(store: StoryStore) -> None:
    since = datetime(2025, 1, 1, tzinfo=UTC)
    # The undated story counts from when it was stored (now).
    assert titles(store, "lao dong", since=since) == {
        "Phiên giao dịch việc làm tháng 3",
        "Lão đồng chí kể chuyện",
        "Bảo hiểm xã hội tự nguyện",
    }


@pytest.mark.parametrize("query", ['"unclosed', "-only", "OR lao", "lao OR", "***", ""])
def test_malformed_query_is_one_line_error(store: StoryStore, query: str) -> None:
    with pytest.raises(ConfigError, match="bad query") as error:
        search(store.engine, query)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("query", ['a:b "c*" NEAR(x y)', "lao) AND (dong", "{title}: lao ^x"])
def test_fts_syntax_in_input_is_only_words(store: StoryStore, query: str) -> None:
    search(store.engine, query)  # no error: punctuation is not syntax


@sqlite_only  # counts the rows of the FTS5 table
def test_index_is_incremental_and_follows_updates(store: StoryStore, tmp_path: Path) -> None:
    assert refresh_index(store.engine) == 0
    body = STORIES[1][2]
    store.add_article("press", "https://other.vn/copy", Article(None, "Bản sao", body))
    assert refresh_index(store.engine) == 1  # a new source: the story's `updated` moved
    store.add_article("press", "https://other.vn/new", Article(None, "Tin mới", "Giảm nghèo"))
    assert refresh_index(store.engine) == 1
    assert titles(store, "giam ngheo") == {"Tin mới"}
    assert len(search(store.engine, "giao dich")) == 1
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM story_fts")).scalar()
    assert rows == len(STORIES) + 1
    assert refresh_index(store.engine, rebuild=True) == len(STORIES) + 1


def test_tags_are_stored(store: StoryStore) -> None:
    first = search(store.engine, "thuong binh")[0].story_id
    assert tags_of(store.engine, first) == {
        "topic": ["nguoi-co-cong"],
        "province": ["ninh-binh"],
        "former_province": ["nam-dinh"],
    }
    tagged = story_ids_tagged(store.engine, province="ninh-binh")
    assert len(tagged) == 2
    assert story_ids_tagged(store.engine, topic="nguoi-co-cong", province="Nam Định") == [first]
    assert story_ids_tagged(store.engine, topic="bao-hiem-xa-hoi") != []


def test_cli_search(store: StoryStore, tmp_path: Path) -> None:
    store.add_article(
        "hanoi-sldtbxh",
        "https://example.vn/new",
        Article(
            None,
            "Tuyển dụng",
            "Sapo về việc làm.\n\nTuyển dụng lao động",
            local_midnight(date(2025, 9, 2)),
            date_only=True,
            lead="Sapo về việc làm.",
        ),
    )
    result = tinlaodong("search", "--data-dir", str(tmp_path), "tuyen", "dung", "--json")
    assert result.returncode == 0, result.stderr
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert [h["title"] for h in hits] == ["Tuyển dụng"]  # indexed by the command itself
    assert hits[0]["provinces"] == ["Hà Nội"]
    assert (hits[0]["lead"], hits[0]["published"]) == ("Sapo về việc làm.", "2025-09-02")
    plain = tinlaodong(
        "search",
        "--data-dir",
        str(tmp_path),
        "chi",
        "--province",
        "Ninh Binh",
        "--since",
        "2024-01-01",
    )
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("01/08/2025 07:00 +07:00  Lão đồng chí kể chuyện  [")
    assert "https://example.vn/0" in lines[1] and "«chi»" in lines[1]
    unknown = tinlaodong("search", "--data-dir", str(tmp_path), "chi", "--province", "Ninh Bin")
    assert unknown.returncode == 2
    assert len(unknown.stderr.strip().splitlines()) == 1
    assert "unknown province 'Ninh Bin'; did you mean Ninh Bình" in unknown.stderr
