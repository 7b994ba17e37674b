"""What ``refresh_index`` has to do comes from a queue the database keeps (``search_pending``,
triggers on ``stories``, migration 0005), whoever writes the stories: a new story, a story
whose ``updated`` another writer moved, a story updated while it was being indexed, stories
stored before the queue existed. On SQLite, then on PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text, update

from aggregator.models import Article
from aggregator.search import refresh_index, search
from aggregator.store import StoryStore, open_store
from aggregator.store.database import database_url
from aggregator.store.migrations import TARGET
from aggregator.store.schema import Story
from aggregator.store.search_schema import SearchPending
from aggregator.tags import Tagger, default_tagger
from tests.backends import backend

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")

WORDS = ["lao", "động", "bảo", "hiểm", "trợ", "cấp", "đào", "tạo", "nghề", "an", "sinh"]


def queued(store: StoryStore) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(SearchPending)).scalar_one()


def add(store: StoryStore, n: int, title: str) -> int:
    chance = random.Random(n)  # a body of its own: near-duplicates would be one story
    body = " ".join(chance.choice(WORDS) + str(chance.randrange(99)) for _ in range(40))
    store.add_article("site", f"https://a.vn/{n}", Article(None, title, body))
    return store.story_ids(limit=1)[0]


def retitle(store: StoryStore, story_id: int, title: str) -> None:
    """Another writer's edit, outside the store: a new title and a new ``updated``."""
    edit = update(Story).where(Story.id == story_id)
    with store.engine.begin() as conn:
        conn.execute(edit.values(title=title, updated=datetime(2030, 1, 1, 8, 0)))


def titles_found(store: StoryStore, query: str) -> list[str]:
    return [hit.title for hit in search(store.engine, query)]


def test_new_and_edited_stories_are_indexed_once(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    first = add(store, 1, "Hội chợ việc làm")
    add(store, 2, "Chi trả trợ cấp")
    assert queued(store) == 2
    assert refresh_index(store.engine) == 2
    assert queued(store) == 0 and refresh_index(store.engine) == 0
    retitle(store, first, "Tuyển sinh học nghề")
    assert queued(store) == 1
    assert refresh_index(store.engine) == 1
    assert titles_found(store, "tuyển sinh") == ["Tuyển sinh học nghề"]
    assert titles_found(store, "hội chợ") == []
    assert refresh_index(store.engine) == 0


class EditingTagger(Tagger):
    """Tags like the default one, and meanwhile another writer edits the story being indexed."""

    def __init__(self, store: StoryStore, story_id: int) -> None:
        default = default_tagger()
        self.__dict__.update(default.__dict__)
        self.store, self.story_id, self.done = store, story_id, False

    def tags(self, title: str, text: str) -> set[tuple[str, str]]:
        if not self.done:
            self.done = True
            retitle(self.store, self.story_id, "Tuyển sinh học nghề")
        return super().tags(title, text)


def test_a_story_edited_while_it_is_indexed_stays_queued(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    story = add(store, 1, "Hội chợ việc làm")
    assert refresh_index(store.engine, tagger=EditingTagger(store, story)) == 1
    assert queued(store) == 1  # indexed as it was read: the edit is still to do
    assert refresh_index(store.engine) == 1
    assert titles_found(store, "tuyển sinh") == ["Tuyển sinh học nghề"]
    assert queued(store) == 0


def test_stories_stored_before_the_queue_existed_are_indexed(tmp_path: Path) -> None:
    engine = create_engine(database_url(tmp_path))
    old = [table for name, table in TARGET.tables.items() if name != "search_pending"]
    TARGET.create_all(engine, tables=old)  # the release before: no queue, no triggers
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stories (id, content_hash, title, text, first_seen, updated) "
                "VALUES (7, 'h', 'Hội chợ việc làm', 'Hội chợ việc làm tại Hà Nội.', :t, :t)"
            ),
            {"t": datetime(2025, 1, 1)},
        )
    engine.dispose()
    store = open_store(tmp_path)
    assert queued(store) == 1
    assert refresh_index(store.engine) == 1
    assert titles_found(store, "hội chợ") == ["Hội chợ việc làm"]


def test_a_rebuild_indexes_every_story_again(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for n in range(3):
        add(store, n, f"Tin thứ {n}")
    assert refresh_index(store.engine) == 3
    assert refresh_index(store.engine, rebuild=True) == 3
    assert queued(store) == 0
