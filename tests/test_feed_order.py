"""The feeds' "newest first", read off indexes (migration 0004), is still the order a reader
expects: by the article's date, an undated story by when it was first seen, among the dated
ones; a tag's newest stories the last stored first. On SQLite, then on PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.models import Article
from aggregator.search import refresh_index
from aggregator.store import StoryStore, open_store
from aggregator.tags import story_ids_tagged
from tests.backends import backend

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")

START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
WORDS = [
    "lao",
    "động",
    "việc",
    "làm",
    "bảo",
    "hiểm",
    "trợ",
    "cấp",
    "hội",
    "nghị",
    "chính",
    "sách",
    "đào",
    "tạo",
    "nghề",
    "an",
    "sinh",
]


def body(n: int, about: str) -> str:
    """A text of its own (no two are near-duplicates, which would be one story)."""
    chance = random.Random(n)
    return f"{about}. " + " ".join(
        chance.choice(WORDS) + str(chance.randrange(99)) for _ in range(40)
    )


@pytest.fixture
def store(tmp_path: Path) -> StoryStore:
    return open_store(tmp_path)


def fill(store: StoryStore, count: int) -> dict[int, tuple[datetime, datetime]]:
    """``count`` stories, a third undated, some sharing a date or a first sighting, dated and
    first seen in no particular order; each story's id -> (sort date, first seen)."""
    chance = random.Random(8)
    for n in range(count):
        published = START + timedelta(hours=chance.randrange(40)) if n % 3 else None
        seen = START + timedelta(hours=chance.randrange(50))
        store.add_article(
            "site",
            f"https://a.vn/{n}",
            Article(None, f"Tin {n}", body(n, "Tin"), published),
            now=seen,
        )
    return {s.id: (s.published or s.first_seen, s.first_seen) for s in store.stories(limit=count)}


def test_the_newest_stories_are_the_whole_store_sorted(store: StoryStore) -> None:
    keys = fill(store, 90)
    assert len(keys) == 90
    expected = sorted(keys, key=lambda i: (keys[i][0], keys[i][1], i), reverse=True)
    for limit in (1, 7, 30, 60, 200):
        shown = [s.id for s in store.stories(limit=limit)]
        assert shown == expected[:limit], limit
        assert store.story_ids(limit=limit) == shown
    # An undated story first seen last is at the top, among the dated ones.
    undated = [i for i in expected if keys[i][0] == keys[i][1]]
    assert expected.index(undated[0]) < 30


def test_a_tags_newest_stories_are_its_last_stored(store: StoryStore) -> None:
    for n in range(40):
        place = "Nam Định" if n % 2 else "Hà Nội"
        text = body(n, f"Chi trả trợ cấp người có công tại {place}")
        # The topic in the headline: named once in a text, it would be a field in passing.
        title = f"Tin {n}: người có công"
        store.add_article("site", f"https://a.vn/{n}", Article(None, title, text))
    refresh_index(store.engine)
    everyone = story_ids_tagged(store.engine, province="ninh-binh")
    assert len(everyone) == 20 and everyone == sorted(everyone, reverse=True)
    assert story_ids_tagged(store.engine, province="ninh-binh", limit=6) == everyone[:6]
    others = set(store.story_ids(limit=100)) - set(everyone)
    among = [everyone[-1], min(others), everyone[0]]  # a page of search hits, in any order
    assert story_ids_tagged(store.engine, province="ninh-binh", among=among) == [
        everyone[0],
        everyone[-1],
    ]
    both = story_ids_tagged(store.engine, topic="nguoi-co-cong", province="Nam Định", limit=5)
    assert both == everyone[:5]
