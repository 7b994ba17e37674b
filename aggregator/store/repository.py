"""Reading and writing stories. One story however many sites publish it (exact copies by
hash, edited copies by MinHash, see ``neardup``), one source per canonical URL.

A story's title, text, date, author and images are those of its canonical article: the
earliest published source, unless a copy credits its origin ("Nguồn: Sở LĐ-TB&XH Quảng
Trị", "Theo baodansinh.vn") and that publisher's source is in the story.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CompoundSelect,
    Select,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from aggregator.exceptions import StoreError
from aggregator.health import HEALTHY, CrawlMetrics, Health
from aggregator.models import Article, Image
from aggregator.store import neardup
from aggregator.store.bodyprint import BodyPrint
from aggregator.store.fingerprint import (
    canonical_url,
    content_hash,
    credited_publisher,
    names_publisher,
)
from aggregator.store.http_validators import ValidatorStore
from aggregator.store.schema import Base, CrawlRun, Source, Story

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WRITE_ATTEMPTS = 6
# Any fixed number: the advisory lock PostgreSQL writers of stories take turns on.
PG_WRITE_LOCK = 0x746C64_0002
# SQLSTATEs of a transaction that lost a race: unique violation, serialization, deadlock.
_RACE_SQLSTATES = {"23505", "40001", "40P01"}


class AddResult(Enum):
    NEW_STORY = "new story"
    NEW_SOURCE = "new source of a known story"
    KNOWN_URL = "already stored"


@dataclass(frozen=True)
class SourceView:
    site_id: str
    url: str
    title: str
    published: datetime | None = None  # aware, Vietnam's time zone
    canonical: bool = False


@dataclass(frozen=True)
class StoryView:
    """A story as the feeds and the CLI see it: times aware, in Vietnam's time zone."""

    id: int
    content_hash: str
    title: str
    text: str
    published: datetime | None
    first_seen: datetime
    updated: datetime
    author: str | None
    language: str | None
    sources: tuple[SourceView, ...]  # the canonical article first
    images: tuple[Image, ...]


def _to_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC).replace(tzinfo=None)


def _from_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


@dataclass(frozen=True)
class CrawlRecord:
    """One site's outcome of one crawl, as the crawl reports it."""

    site_id: str
    started: datetime
    finished: datetime
    pages: int
    new_stories: int
    new_sources: int
    errors: int
    unreachable: bool
    redirected_to: str | None = None
    metrics: CrawlMetrics = field(default_factory=CrawlMetrics)
    health: Health = HEALTHY


@dataclass(frozen=True)
class Unhealthy:
    """A site whose last crawl was unhealthy, and since when it has been."""

    site_id: str
    reason: str
    since: datetime
    last_crawl: datetime


@dataclass(frozen=True)
class SiteActivity:
    """What the store knows of a site: its last crawl and its last new story."""

    last_crawl: datetime | None
    last_errors: int
    last_unreachable: bool
    redirected_to: str | None
    last_new_story: datetime | None
    stories: int
    healthy: bool = True
    health_reason: str | None = None


class Outbox(Protocol):
    """What queues alerts for a new story, in the session (and transaction) that stores it:
    ``aggregator.alerts.AlertQueue``. Returns how many it queued."""

    def queue(self, session: Session, story: Story, site_id: str) -> int: ...


class StoryStore:
    """Stories in a SQLAlchemy database. Short sessions: nothing held open between calls."""

    def __init__(
        self, engine: Engine, thresholds: neardup.Thresholds = neardup.DEFAULT_THRESHOLDS
    ) -> None:
        self.engine = engine
        self.validators = ValidatorStore(engine)
        self.thresholds = thresholds
        self._indexed = False  # stories stored before the near-duplicate index are indexed

    def close(self) -> None:
        self.engine.dispose()

    def has_url(self, url: str) -> bool:
        with Session(self.engine) as session:
            query = select(exists().where(Source.url == canonical_url(url)))
            return bool(session.scalar(query))

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
                if attempt == WRITE_ATTEMPTS or not _lost_race(exc.__cause__):
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

        A new story (not a copy of a known one) is handed to ``outbox`` before the commit:
        the story and its alerts are stored together or not at all."""
        fetched = _to_utc(now or datetime.now(UTC))
        assert fetched is not None
        try:
            with self.engine.begin() as conn:
                writer = _Writer(conn, self.thresholds)
                if not self._indexed and not writer.index_complete():
                    writer.index_unindexed()
                result, story_id = writer.add(
                    site_id, canonical_url(url), article, fetched, bodyprint
                )
                if result is AddResult.NEW_STORY and outbox is not None:
                    # A session in the connection's transaction: committed with the story.
                    with Session(bind=conn) as session:
                        outbox.queue(session, session.get_one(Story, story_id), site_id)
                        session.flush()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot store {url}: {exc.__class__.__name__}: {exc}") from exc
        self._indexed = True
        return result

    def stories(
        self,
        *,
        site_ids: Sequence[str] | None = None,
        limit: int = 100,
        story_ids: Sequence[int] | None = None,
    ) -> list[StoryView]:
        """Newest first (by the article's own date, else when first seen); ``site_ids``: those
        with a source on one of these sites; ``story_ids``: only these stories."""
        ids = self.story_ids(site_ids=site_ids, limit=limit, story_ids=story_ids)
        found = self.stories_by_id(ids)
        return [found[i] for i in ids if i in found]

    def story_ids(
        self,
        *,
        site_ids: Sequence[str] | None = None,
        limit: int = 100,
        story_ids: Sequence[int] | None = None,
    ) -> list[int]:
        """The ids of :meth:`stories`, in its order: for callers that load each story once
        however many lists show it (the feeds)."""
        query = _newest(select(Story.id), site_ids, story_ids, limit)
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def stories_by_id(self, ids: Sequence[int]) -> dict[int, StoryView]:
        """The stories of ``ids`` that exist, by id, in the order of ``ids``."""
        # Core rows, not ORM objects: a feed rebuild loads every story it shows (10,000 for
        # the benchmark's 60 sites), and the ORM's objects and relationship loads were 4x.
        wanted = list(dict.fromkeys(ids))
        rows: dict[int, Any] = {}
        sources: dict[int, list[Any]] = defaultdict(list)
        images: dict[int, list[Image]] = defaultdict(list)
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), _IDS_PER_QUERY):
                chunk = wanted[start : start + _IDS_PER_QUERY]
                for row in conn.execute(select(*_VIEW_COLUMNS).where(_STORY.id.in_(chunk))):
                    rows[row.id] = row
                for row in conn.execute(_SOURCE_VIEWS.where(_SOURCE.story_id.in_(chunk))):
                    sources[row.story_id].append(row)
                for row in conn.execute(_IMAGE_VIEWS.where(_IMAGES.c.story_id.in_(chunk))):
                    images[row.story_id].append(Image(row.src, row.caption))
        return {i: _story_view(rows[i], sources[i], images[i]) for i in wanted if i in rows}

    def count(self) -> tuple[int, int]:
        """(stories, sources)"""
        with Session(self.engine) as session:
            stories = session.scalar(select(func.count(Story.id))) or 0
            sources = session.scalar(select(func.count(Source.id))) or 0
        return stories, sources

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        """Those of ``urls`` already stored (compared canonically), as given."""
        canonical = {canonical_url(u): u for u in urls}
        if not canonical:
            return set()
        with Session(self.engine) as session:
            found = session.scalars(select(Source.url).where(Source.url.in_(list(canonical))))
            return {canonical[url] for url in found}

    def record_crawl(self, records: Sequence[CrawlRecord]) -> None:
        try:
            self._record_crawl(records)
        except SQLAlchemyError as exc:
            # A database still locked or full when the crawl ends: one line, like a write.
            raise StoreError(f"cannot record the crawl: {exc.__class__.__name__}: {exc}") from exc

    def _record_crawl(self, records: Sequence[CrawlRecord]) -> None:
        with Session(self.engine) as session, session.begin():
            for r in records:
                session.add(
                    CrawlRun(
                        site_id=r.site_id,
                        started=_to_utc(r.started),
                        finished=_to_utc(r.finished),
                        pages=r.pages,
                        new_stories=r.new_stories,
                        new_sources=r.new_sources,
                        errors=r.errors,
                        unreachable=r.unreachable,
                        redirected_to=r.redirected_to,
                        healthy=r.health.healthy,
                        health_reason=r.health.reason,
                        **{f.name: getattr(r.metrics, f.name) for f in fields(CrawlMetrics)},
                    )
                )

    def metrics_history(self, site_id: str, limit: int = 10) -> list[CrawlMetrics]:
        """What the site's last healthy crawls saw, newest first: its baseline's material."""
        query = (
            select(CrawlRun)
            .where(CrawlRun.site_id == site_id, CrawlRun.healthy.is_(True))
            .order_by(CrawlRun.id.desc())
            .limit(limit)
        )
        with Session(self.engine) as session:
            return [
                CrawlMetrics(**{f.name: getattr(run, f.name) for f in fields(CrawlMetrics)})
                for run in session.scalars(query)
            ]

    def unhealthy_sites(self) -> list[Unhealthy]:
        """Sites whose latest crawl was unhealthy, with the start of that streak."""
        found = []
        with Session(self.engine) as session:
            for run in session.scalars(self._latest_runs()):
                if run.healthy:
                    continue
                last_healthy = session.scalar(
                    select(func.max(CrawlRun.id)).where(
                        CrawlRun.site_id == run.site_id, CrawlRun.healthy.is_(True)
                    )
                )
                first_bad = session.scalar(
                    select(CrawlRun)
                    .where(CrawlRun.site_id == run.site_id, CrawlRun.id > (last_healthy or 0))
                    .order_by(CrawlRun.id)
                    .limit(1)
                )
                assert first_bad is not None
                found.append(
                    Unhealthy(
                        run.site_id,
                        run.health_reason or "unhealthy",
                        _from_utc(first_bad.finished),
                        _from_utc(run.finished),
                    )
                )
        return sorted(found, key=lambda u: u.site_id)

    @staticmethod
    def _latest_runs() -> Select[Any]:
        latest = (
            select(CrawlRun.site_id, func.max(CrawlRun.id).label("id"))
            .group_by(CrawlRun.site_id)
            .subquery()
        )
        return select(CrawlRun).join(latest, CrawlRun.id == latest.c.id)

    def site_activity(self) -> dict[str, SiteActivity]:
        """Per site id: its last crawl (errors, reachability, redirect) and last new story."""
        with Session(self.engine) as session:
            runs = {run.site_id: run for run in session.scalars(self._latest_runs())}
            story_stats = session.execute(
                select(Source.site_id, func.max(Story.first_seen), func.count(Source.id))
                .join(Story, Source.story_id == Story.id)
                .group_by(Source.site_id)
            ).all()
        stats = {site: (last, count) for site, last, count in story_stats}
        activity = {}
        for site_id in set(runs) | set(stats):
            run = runs.get(site_id)
            last_story, count = stats.get(site_id, (None, 0))
            activity[site_id] = SiteActivity(
                last_crawl=_from_utc(run.finished) if run else None,
                last_errors=run.errors if run else 0,
                last_unreachable=run.unreachable if run else False,
                redirected_to=run.redirected_to if run else None,
                last_new_story=_from_utc(last_story) if last_story else None,
                stories=int(count),
                healthy=run.healthy if run else True,
                health_reason=run.health_reason if run else None,
            )
        return activity


def _story_view(row: Any, sources: list[Any], images: list[Image]) -> StoryView:
    """A story's row, its sources' rows (with their ``canonical`` flag) and its images."""
    return StoryView(
        id=row.id,
        content_hash=row.content_hash,
        title=row.title,
        text=row.text,
        published=_from_utc(row.published) if row.published else None,
        first_seen=_from_utc(row.first_seen),
        updated=_from_utc(row.updated),
        author=row.author,
        language=row.language,
        sources=tuple(
            SourceView(
                s.site_id,
                s.url,
                s.title,
                _from_utc(s.published) if s.published else None,
                bool(s.canonical),
            )
            # The canonical article first, then in the order they were stored.
            for s in sorted(sources, key=lambda s: (not s.canonical, s.id))
        ),
        images=tuple(images),
    )


def _newest(
    query: Select[Any],
    site_ids: Sequence[str] | None,
    story_ids: Sequence[int] | None,
    limit: int,
) -> Select[Any]:
    """``query`` over the stories narrowed to ``site_ids`` / ``story_ids``, the ``limit``
    newest first."""
    if site_ids is not None:
        # IN over the sources' site index, not EXISTS: SQLite ran EXISTS once per story of the
        # store, for each site feed.
        on_sites = select(Source.story_id).where(Source.site_id.in_(list(site_ids)))
        query = query.where(Story.id.in_(on_sites))
    if story_ids is not None:
        query = query.where(Story.id.in_(list(story_ids)))
    if site_ids is None and story_ids is None:
        query = query.where(Story.id.in_(_newest_of_store(limit)))
    # An undated story (or one whose date was refused) sorts by when it was first seen,
    # among the dated ones: sorted last, it would fall outside every feed's window.
    return query.order_by(
        func.coalesce(Story.published, Story.first_seen).desc(),
        Story.first_seen.desc(),
        Story.id.desc(),
    ).limit(limit)


def _newest_of_store(limit: int) -> CompoundSelect[Any]:
    """The ``limit`` newest dated stories and the ``limit`` newest undated ones: the store's
    ``limit`` newest are among them. Each is the end of ``ix_stories_newest``, where the
    order of the whole store sorted every story (20 ms at 10k stories, 2 s at 1M)."""
    dated = (
        select(Story.id)
        .where(Story.published.is_not(None))
        .order_by(Story.published.desc(), Story.first_seen.desc(), Story.id.desc())
        .limit(limit)
        .subquery()
    )
    undated = (
        select(Story.id)
        .where(Story.published.is_(None))
        .order_by(Story.first_seen.desc(), Story.id.desc())
        .limit(limit)
        .subquery()
    )
    return union_all(select(dated.c.id), select(undated.c.id))


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
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    fd = os.open(f"{database}.write.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _lost_race(error: BaseException | None) -> bool:
    """Whether a failed write lost a race with another writer (and is worth running again)."""
    if not isinstance(error, IntegrityError | OperationalError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in _RACE_SQLSTATES
    message = str(error.orig)
    return "UNIQUE constraint failed" in message or "database is locked" in message


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0][:120]


def _inserted_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


_TABLES = Base.metadata.tables
_STORIES, _SOURCES, _IMAGES = _TABLES["stories"], _TABLES["sources"], _TABLES["story_images"]
_BODIES, _BANDS, _DETAILS = _TABLES["story_bodies"], _TABLES["body_bands"], _TABLES["source_bodies"]
_SOURCE, _BODY, _STORY = _SOURCES.c, _BODIES.c, _STORIES.c
_VALIDATORS = _TABLES["http_validators"]
# What a StoryView reads: the story, its sources with their canonical flag, its images. The
# ids go in an IN list, a chunk at a time (SQLite's variables are limited).
_IDS_PER_QUERY = 5000
_VIEW_COLUMNS = [
    _STORY.id,
    _STORY.content_hash,
    _STORY.title,
    _STORY.text,
    _STORY.published,
    _STORY.first_seen,
    _STORY.updated,
    _STORY.author,
    _STORY.language,
]
_SOURCE_VIEWS = select(
    _SOURCE.story_id,
    _SOURCE.id,
    _SOURCE.site_id,
    _SOURCE.url,
    _SOURCE.title,
    _SOURCE.published,
    _DETAILS.c.canonical,
).outerjoin(_DETAILS, _DETAILS.c.source_id == _SOURCE.id)
_IMAGE_VIEWS = select(_IMAGES.c.story_id, _IMAGES.c.src, _IMAGES.c.caption).order_by(
    _IMAGES.c.story_id, _IMAGES.c.position
)
# A row of the key-value table of validators (as the crawl-in-progress marks are): the
# near-duplicate index is complete for this sketch version.
_INDEX_MARK = f"https://tinlaodong.invalid/near-duplicate-index/{neardup.SKETCH_VERSION}"


class _SQL:
    """The statements of a write, built once: building one costs more than running it."""

    source_of_url = select(_SOURCE.id).where(_SOURCE.url == bindparam("url"))
    body_of_hash = select(_BODY.id, _BODY.story_id).where(_BODY.content_hash == bindparam("hash"))
    candidates = select(_BODY.story_id, _BODY.shingles, _BODY.signature).where(
        _BODY.sketch_version == bindparam("version"),
        _BODY.id.in_(
            select(_BANDS.c.body_id).where(_BANDS.c.key.in_(bindparam("keys", expanding=True)))
        ),
    )
    sources_of_story = (
        select(
            *(_SOURCE[name] for name in ("id", "site_id", "url", "title", "published")),
            *(_DETAILS.c[name] for name in ("body_id", "author", "language", "credit")),
            _DETAILS.c.canonical,
        )
        .join(_DETAILS, _DETAILS.c.source_id == _SOURCE.id)
        .where(_SOURCE.story_id == bindparam("story"))
    )
    source_ids_of_story = (
        select(_SOURCE.id).where(_SOURCE.story_id == bindparam("story")).order_by(_SOURCE.id)
    )
    body_text = select(_BODY.text, _BODY.images).where(_BODY.id == bindparam("body"))
    images_of_story = (
        select(_IMAGES.c.src, _IMAGES.c.caption)
        .where(_IMAGES.c.story_id == bindparam("story"))
        .order_by(_IMAGES.c.position)
    )
    set_canonical = (
        update(_DETAILS)
        .where(_DETAILS.c.source_id == bindparam("source"))
        .values(canonical=bindparam("canonical"))
    )
    set_story = update(_STORIES).where(_STORY.id == bindparam("story"))
    drop_images = delete(_IMAGES).where(_IMAGES.c.story_id == bindparam("story"))
    drop_bands = delete(_BANDS).where(_BANDS.c.body_id == bindparam("body"))
    drop_details = delete(_DETAILS).where(_DETAILS.c.source_id == bindparam("source"))
    stale_bodies = select(_BODY.id, _BODY.text).where(_BODY.sketch_version != bindparam("version"))
    set_sketch = update(_BODIES).where(_BODY.id == bindparam("body"))
    index_mark = select(_VALIDATORS.c.url).where(_VALIDATORS.c.url == bindparam("url"))
    bare_stories = select(
        _STORY.id, _STORY.content_hash, _STORY.text, _STORY.author, _STORY.language
    ).where(~exists().where(_BODY.story_id == _STORY.id))
    insert_story = insert(_STORIES)
    insert_body = insert(_BODIES)
    insert_bands = insert(_BANDS)
    insert_source = insert(_SOURCES)
    insert_details = insert(_DETAILS)
    insert_images = insert(_IMAGES)


@dataclass(frozen=True)
class _SourceRow:
    """What electing a story's canonical article reads of one source (and its details)."""

    id: int
    site_id: str
    url: str
    title: str
    published: datetime | None
    body_id: int
    author: str | None
    language: str | None
    credit: str | None
    canonical: bool = False


class _Writer:
    """One article's write as prepared SQL statements on the transaction's connection: a new
    story is a handful of rows and 85 LSH band keys, which the ORM's unit of work made most of
    the cost of storing."""

    def __init__(self, conn: Connection, thresholds: neardup.Thresholds) -> None:
        self.conn = conn
        self.thresholds = thresholds

    def add(
        self,
        site_id: str,
        url: str,
        article: Article,
        fetched: datetime,
        bodyprint: BodyPrint | None = None,
    ) -> tuple[AddResult, int]:
        """What became of the article, and its story's id (0 when the URL was known)."""
        conn = self.conn
        if conn.execute(_SQL.source_of_url, {"url": url}).first() is not None:
            return AddResult.KNOWN_URL, 0
        digest = bodyprint.digest if bodyprint else content_hash(article.text)
        known = conn.execute(_SQL.body_of_hash, {"hash": digest}).first()
        result = AddResult.NEW_SOURCE
        if known is not None:
            body_id, story_id = int(known.id), int(known.story_id)
        else:
            sketch = bodyprint.sketch if bodyprint else neardup.sketch(article.text)
            similar = self._similar_story(sketch)
            if similar is None:
                similar, result = self._new_story(article, digest, fetched), AddResult.NEW_STORY
            story_id = similar
            images = [(i.src, i.caption) for i in article.images]
            body_id = self._new_body(story_id, digest, article.text, images, sketch)
        credit = bodyprint.credit if bodyprint else credited_publisher(article.text)
        source = self._new_source(story_id, site_id, url, article, fetched, body_id, credit)
        if result is AddResult.NEW_STORY:
            # Its one source is canonical, and the story already holds what it published.
            self._insert_details(source, canonical=True)
        else:
            body = (article.text, article.images) if known is None else None
            self._follow_canonical(story_id, source, body, fetched)
        return result, story_id

    def _similar_story(self, sketch: neardup.Sketch) -> int | None:
        """The stored story whose body is most like ``sketch``, if any is like enough."""
        candidates = self.conn.execute(
            _SQL.candidates, {"version": neardup.SKETCH_VERSION, "keys": sketch.band_keys()}
        ).all()
        best: tuple[float, int] | None = None
        for story_id, size, signature in candidates:
            score = self.thresholds.score(sketch, neardup.Sketch.from_bytes(signature, size))
            if score >= 1.0 and (best is None or (score, -story_id) > (best[0], -best[1])):
                best = (score, story_id)
        return int(best[1]) if best else None

    def _new_story(self, article: Article, digest: str, fetched: datetime) -> int:
        row = {
            "content_hash": digest,
            "title": article.title or _first_line(article.text),
            "text": article.text,
            "published": _to_utc(article.published),
            "author": article.author,
            "language": article.language,
            "first_seen": fetched,
            "updated": fetched,
        }
        story_id = _inserted_id(self.conn.execute(_SQL.insert_story, row))
        self._insert_images(story_id, [(i.src, i.caption) for i in article.images])
        return story_id

    def _new_body(
        self,
        story_id: int,
        digest: str,
        text: str,
        images: Sequence[tuple[str, str | None]],
        sketch: neardup.Sketch,
    ) -> int:
        row = {
            "story_id": story_id,
            "content_hash": digest,
            "text": text,
            "images": [[src, caption] for src, caption in images],
            "sketch_version": neardup.SKETCH_VERSION,
            "shingles": sketch.size,
            "signature": sketch.to_bytes(),
        }
        body_id = _inserted_id(self.conn.execute(_SQL.insert_body, row))
        self._insert_bands(body_id, sketch.band_keys())
        return body_id

    def _insert_bands(self, body_id: int, keys: list[int]) -> None:
        bands = [{"key": key, "body_id": body_id} for key in sorted(set(keys))]
        self.conn.execute(_SQL.insert_bands, bands)

    def _new_source(
        self,
        story_id: int,
        site_id: str,
        url: str,
        article: Article,
        fetched: datetime,
        body_id: int,
        credit: str | None,
    ) -> _SourceRow:
        title, published = article.title or "", _to_utc(article.published)
        row = {
            "story_id": story_id,
            "site_id": site_id,
            "url": url,
            "title": title,
            "published": published,
            "fetched_at": fetched,
            "profile": article.profile,
        }
        return _SourceRow(
            id=_inserted_id(self.conn.execute(_SQL.insert_source, row)),
            site_id=site_id,
            url=url,
            title=title,
            published=published,
            body_id=body_id,
            author=article.author,
            language=article.language,
            credit=credit,
        )

    def _insert_details(self, source: _SourceRow, canonical: bool) -> None:
        row = {
            "source_id": source.id,
            "body_id": source.body_id,
            "author": source.author,
            "language": source.language,
            "credit": source.credit,
            "canonical": canonical,
        }
        self.conn.execute(_SQL.insert_details, row)

    def _insert_images(self, story_id: int, images: Sequence[tuple[str, str | None]]) -> None:
        if images:
            rows = [
                {"story_id": story_id, "position": i, "src": str(src), "caption": caption}
                for i, (src, caption) in enumerate(images)
            ]
            self.conn.execute(_SQL.insert_images, rows)

    def _follow_canonical(
        self,
        story_id: int,
        new: _SourceRow,
        new_body: tuple[str, Sequence[Image]] | None,
        fetched: datetime,
    ) -> None:
        """Elect the story's canonical article, ``new`` one of the candidates, and take its
        title, text, date, author and images. ``new_body``: the body ``new`` just stored."""
        conn = self.conn
        rows = conn.execute(_SQL.sources_of_story, {"story": story_id}).all()
        sources = [_SourceRow(**row._asdict()) for row in rows] + [new]
        canonical = min(_candidates(sources), key=_earliest)
        self._insert_details(new, canonical=canonical is new)
        for source in sources[:-1]:
            if bool(source.canonical) != (source is canonical):
                params = {"source": source.id, "canonical": source is canonical}
                conn.execute(_SQL.set_canonical, params)
        if canonical is new and new_body is not None:
            text, images = new_body[0], [(i.src, i.caption) for i in new_body[1]]
        else:
            body = conn.execute(_SQL.body_text, {"body": canonical.body_id}).one()
            text, images = body.text, [(src, caption) for src, caption in body.images]
        story = {
            "story": story_id,
            "title": canonical.title or _first_line(text),
            "text": text,
            "published": canonical.published,
            "author": canonical.author,
            "language": canonical.language,
            "updated": fetched,
        }
        conn.execute(_SQL.set_story, story)
        shown = conn.execute(_SQL.images_of_story, {"story": story_id}).all()
        if [tuple(row) for row in shown] != images:
            conn.execute(_SQL.drop_images, {"story": story_id})
            self._insert_images(story_id, images)

    def index_complete(self) -> bool:
        """Whether a pass of :meth:`index_unindexed` has run on this database for the current
        ``neardup.SKETCH_VERSION``: looking for what it would do scans every body and story
        (a second per open store at 100,000 stories), so it runs once per database, not once
        per store opened (every site's crawler opens one). Only a release older than the
        mark's, writing after it, could leave bodies unindexed again."""
        found = self.conn.execute(_SQL.index_mark, {"url": _INDEX_MARK}).first()
        return found is not None

    def index_unindexed(self) -> None:
        """Sketch what the near-duplicate index lacks: stories stored before it existed, and
        bodies sketched with other parameters (``neardup.SKETCH_VERSION``); then mark the
        database as indexed (in the same transaction)."""
        conn, version = self.conn, neardup.SKETCH_VERSION
        for body_id, text in conn.execute(_SQL.stale_bodies, {"version": version}).all():
            sketch = neardup.sketch(text)
            conn.execute(_SQL.drop_bands, {"body": body_id})
            signature = {"shingles": sketch.size, "signature": sketch.to_bytes()}
            conn.execute(_SQL.set_sketch, {"body": body_id, "sketch_version": version, **signature})
            self._insert_bands(body_id, sketch.band_keys())
        for story_id, digest, text, author, language in conn.execute(_SQL.bare_stories).all():
            shown = conn.execute(_SQL.images_of_story, {"story": story_id}).all()
            images = [(str(src), caption) for src, caption in shown]
            body_id = self._new_body(story_id, digest, text, images, neardup.sketch(text))
            credit = credited_publisher(text)
            sources = conn.scalars(_SQL.source_ids_of_story, {"story": story_id}).all()
            for position, source_id in enumerate(sources):
                conn.execute(_SQL.drop_details, {"source": source_id})
                details = _SourceRow(source_id, "", "", "", None, body_id, author, language, credit)
                self._insert_details(details, canonical=position == 0)
        self.conn.execute(
            insert(_VALIDATORS),
            {
                "url": _INDEX_MARK,
                "etag": "complete",
                "last_modified": None,
                "updated": datetime.now(UTC).replace(tzinfo=None),
            },
        )


def _candidates(sources: list[_SourceRow]) -> list[_SourceRow]:
    """The sources a copy credits as its origin, those crediting no other source first;
    every source when no copy credits one that is in the story."""

    def credits(source: _SourceRow) -> list[_SourceRow]:
        credit = source.credit
        if not credit:
            return []
        return [s for s in sources if s is not source and names_publisher(credit, s.site_id, s.url)]

    credited = {id(s): s for source in sources for s in credits(source)}
    originals = [s for s in credited.values() if not credits(s)]
    return originals or list(credited.values()) or sources


def _earliest(source: _SourceRow) -> tuple[bool, datetime, int]:
    return (source.published is None, source.published or datetime.min, source.id)
