"""Storing articles, safe against other writers: one transaction an article, writers taking
turns, a write that lost a race run again. What is written is ``dedup``'s."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from aggregator.exceptions import StoreError
from aggregator.faults import lost_race
from aggregator.models import Article
from aggregator.store import neardup
from aggregator.store.bodyprint import BodyPrint
from aggregator.store.database import sqlite_file_lock
from aggregator.store.dedup import AddResult, ArticleWriter
from aggregator.store.fingerprint import canonical_url
from aggregator.store.schema import Story
from aggregator.store.times import to_utc

WRITE_ATTEMPTS = 6
# Any fixed number: the advisory lock PostgreSQL writers of stories take turns on.
PG_WRITE_LOCK = 0x746C64_0002


class Outbox(Protocol):
    """What queues alerts for a new story or a new source of a known one (``site_id``'s), in
    the session (and transaction) that stores it: ``aggregator.alerts.AlertQueue``. Returns how
    many it queued."""

    def queue(self, session: Session, story: Story, site_id: str) -> int: ...


class StoryWrites:
    """Articles into a SQLAlchemy database. Short transactions: nothing held open between
    calls."""

    def __init__(
        self, engine: Engine, thresholds: neardup.Thresholds = neardup.DEFAULT_THRESHOLDS
    ) -> None:
        self.engine = engine
        self.thresholds = thresholds
        self._indexed = False  # stories stored before the near-duplicate index are indexed

    def add_article(
        self,
        site_id: str,
        url: str,
        article: Article,
        *,
        now: datetime | None = None,
        outbox: Outbox | None = None,
        bodyprint: BodyPrint | None = None,
    ) -> AddResult:
        """Store ``article`` (see :meth:`_add_article_once`), safe against other writers.
        ``bodyprint``: ``BodyPrint.of(article.text)`` if the caller made it already.

        Writers (crawls, workers on other machines) take turns: a PostgreSQL advisory lock, a
        lock file beside the SQLite file. A transaction that lost a race all the same (a unique
        key: the URL, the story's or the body's hash; a serialization failure; SQLite busy) runs
        again from the start and finds what the other stored: one story however many wrote it."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with _writer_turn(self.engine):
                    return self._add_article_once(
                        site_id, url, article, now=now, outbox=outbox, bodyprint=bodyprint
                    )
            except StoreError as exc:
                if attempt == WRITE_ATTEMPTS or not lost_race(exc.__cause__):
                    raise
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
        raise AssertionError("unreachable")

    def _add_article_once(
        self,
        site_id: str,
        url: str,
        article: Article,
        *,
        now: datetime | None = None,
        outbox: Outbox | None = None,
        bodyprint: BodyPrint | None = None,
    ) -> AddResult:
        """Store ``article`` from ``url`` on ``site_id``; a re-crawl stores nothing twice.

        A new story, or a known one with a new source (which may make a rule match that the
        first copies did not), is handed to ``outbox`` before the commit: the story and its
        alerts are stored together or not at all."""
        fetched = to_utc(now or datetime.now(UTC))
        assert fetched is not None
        try:
            with self.engine.begin() as conn:
                writer = ArticleWriter(conn, self.thresholds)
                if not self._indexed and not writer.index_complete():
                    writer.index_unindexed()
                result, story_id = writer.add(
                    site_id, canonical_url(url), article, fetched, bodyprint
                )
                if result is not AddResult.KNOWN_URL and outbox is not None:
                    # A session in the connection's transaction: committed with the story.
                    with Session(bind=conn) as session:
                        outbox.queue(session, session.get_one(Story, story_id), site_id)
                        session.flush()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot store {url}: {exc.__class__.__name__}: {exc}") from exc
        self._indexed = True
        return result


@contextlib.contextmanager
def _writer_turn(engine: Engine) -> Iterator[None]:
    """Writers of stories take turns until their write has committed: near-duplicates have no
    unique key to meet on, so two copies written at once must not both find "no similar story".
    PostgreSQL: an advisory lock (on a connection of its own); SQLite: a lock file beside the
    database (pysqlite reads outside any transaction, so SQLite alone would not see the race).
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as lock:
            lock.exec_driver_sql(f"SELECT pg_advisory_lock({PG_WRITE_LOCK})")
            try:
                yield
            finally:
                lock.exec_driver_sql(f"SELECT pg_advisory_unlock({PG_WRITE_LOCK})")
                lock.commit()
        return
    with sqlite_file_lock(engine, "write"):
        yield
