"""Publishing skips the feeds when nothing they show has changed, and misses no change: a new
story, an edit by any writer, a tag, a renamed site, a deleted file, a site's health. On each
backend (the content generation's triggers differ)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sqlalchemy import event, text

from aggregator.health import HEALTHY, Health
from aggregator.models import Article
from aggregator.registry import Site
from aggregator.store import CrawlRecord, StoryStore, open_store
from feeds.publish import update_feeds
from feeds.publish_state import STATE_NAME
from tests.backends import backend

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")

SITES = (
    Site(id="qn", name="Sở Quảng Ninh", province="Quảng Ninh", start_urls=("https://qn.vn/",)),
)
BODY = "Nội dung của tin số {n}: lao động, việc làm và an sinh xã hội ở tỉnh. " * 8


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StoryStore]:
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def add(store: StoryStore, n: int, title: str | None = None) -> None:
    article = Article(None, title or f"Tin số {n}", BODY.format(n=n) + f" Mã {n}.")
    store.add_article("qn", f"https://qn.vn/tin/{n}", article)


def titles(out: Path, slug: str = "all") -> list[str]:
    parsed: Any = feedparser.parse((out / f"{slug}.rss.xml").read_bytes())
    return [entry.title for entry in parsed.entries]


@contextmanager
def story_reads(store: StoryStore) -> Iterator[list[str]]:
    """The statements reading the stories table while the block runs."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM stories" in statement:
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", listen)


def test_a_publish_with_nothing_new_reads_no_story(store: StoryStore, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    add(store, 1)
    first = update_feeds(store, SITES, out)
    assert (out / STATE_NAME).is_file()
    with story_reads(store) as seen:
        again = update_feeds(store, SITES, out)
    assert again == first
    assert seen == []  # the feeds were not rebuilt from the store
    assert titles(out) == ["Tin số 1"]


def test_a_new_story_is_published(store: StoryStore, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    add(store, 1)
    update_feeds(store, SITES, out)
    add(store, 2)
    update_feeds(store, SITES, out)
    assert sorted(titles(out)) == ["Tin số 1", "Tin số 2"]
    assert sorted(titles(out, "site-qn")) == ["Tin số 1", "Tin số 2"]


def test_an_edit_by_another_writer_is_published(store: StoryStore, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    add(store, 1)
    update_feeds(store, SITES, out)
    # Not through the store's methods: a command, a script, a future code path.
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE stories SET title = 'Tin đã sửa'"))
    update_feeds(store, SITES, out)
    assert titles(out) == ["Tin đã sửa"]


def test_a_new_tag_is_published(store: StoryStore, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    add(store, 1)
    update_feeds(store, SITES, out)
    assert titles(out, "topic-viec-lam") == []
    with store.engine.begin() as conn:
        story_id = conn.execute(text("SELECT id FROM stories")).scalar_one()
        conn.execute(
            text("INSERT INTO story_tags (story_id, kind, value) VALUES (:s, 'topic', :t)"),
            {"s": story_id, "t": "viec-lam"},
        )
    update_feeds(store, SITES, out)
    assert titles(out, "topic-viec-lam") == ["Tin số 1"]


def test_a_renamed_site_or_a_deleted_file_is_rebuilt(store: StoryStore, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    add(store, 1)
    update_feeds(store, SITES, out)
    renamed = (
        Site(
            id="qn",
            name="Sở Nội vụ Quảng Ninh",
            province="Quảng Ninh",
            start_urls=("https://qn.vn/",),
        ),
    )
    update_feeds(store, renamed, out)
    parsed: Any = feedparser.parse((out / "site-qn.rss.xml").read_bytes())
    assert parsed.feed.title == "Sở Nội vụ Quảng Ninh"
    (out / "all.json").unlink()
    update_feeds(store, renamed, out)
    assert (out / "all.json").is_file()


def test_a_site_turning_unhealthy_is_published(store: StoryStore, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    add(store, 1)
    files = update_feeds(store, SITES, out)
    assert titles(out, "health") == []
    at = datetime.now(UTC) - timedelta(hours=1)
    bad = Health(False, "the listing yields no links")
    store.record_crawl([CrawlRecord("qn", at, at, 1, 0, 0, 0, False, health=bad)])
    again = update_feeds(store, SITES, out)
    assert titles(out, "health") == ["Sở Quảng Ninh: the listing yields no links"]
    assert again == files  # the same files, in the same order
    assert titles(out) == ["Tin số 1"]


def test_a_pool_shut_down_before_the_publish_is_no_error(store: StoryStore, tmp_path: Path) -> None:
    # update_feeds starts the pool's process early; a pool that cannot start one is left to
    # write_feeds, which renders everything itself.
    add(store, 1)
    add(store, 2)
    closed = ProcessPoolExecutor(1)
    closed.shutdown()
    update_feeds(store, SITES, tmp_path / "feeds", pool=closed)
    assert titles(tmp_path / "feeds") == ["Tin số 2", "Tin số 1"]


def test_an_empty_feed_is_dated_since_it_has_been_quiet(store: StoryStore, tmp_path: Path) -> None:
    # Not 1970, and not the last crawl (a crawl that finds nothing must leave the feeds as
    # they are): the health feed is dated by the first crawl after a site was last unhealthy.
    out = tmp_path / "feeds"
    add(store, 1)
    start = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
    bad = Health(False, "the listing yields no links")

    def crawl(hours: int, health: Health = HEALTHY) -> None:
        at = start + timedelta(hours=hours)
        store.record_crawl([CrawlRecord("qn", at, at, 1, 0, 0, 0, False, health=health)])

    def health_updated() -> datetime:
        parsed: Any = feedparser.parse((out / "health.atom.xml").read_bytes())
        assert parsed.entries == []
        return datetime(*parsed.feed.updated_parsed[:6], tzinfo=UTC)

    crawl(0)
    update_feeds(store, SITES, out)
    assert health_updated() == start
    crawl(1, bad)
    crawl(2)  # well again from here
    crawl(3)
    update_feeds(store, SITES, out)
    assert health_updated() == start + timedelta(hours=2)
    before = (out / "health.atom.xml").read_bytes()
    crawl(4)
    update_feeds(store, SITES, out)
    assert (out / "health.atom.xml").read_bytes() == before
