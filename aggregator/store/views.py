"""Reading stories: the views the feeds, the page and the CLI show, newest first, and which
URLs are stored already (what a re-crawl need not fetch again)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, func, select, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from aggregator.models import Image
from aggregator.store.fingerprint import canonical_url
from aggregator.store.schema import Base, Source, Story
from aggregator.store.times import from_utc, to_utc


@dataclass(frozen=True)
class SourceView:
    site_id: str
    url: str
    title: str
    published: datetime | None = None  # aware, Vietnam's time zone
    canonical: bool = False
    date_only: bool = False  # the page showed a day, no time: ``published`` is its midnight
    seen: datetime | None = None  # aware: when the crawl fetched this page


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
    lead: str | None = None  # the standfirst, also the first paragraph of ``text``
    date_only: bool = False  # a day without a time: ``published`` is its local midnight


@dataclass(frozen=True)
class StoryStamp:
    """What the archived feeds need of a story to place it: its identity, dates and when it
    last changed (``updated`` moves with a new source, a new canonical article)."""

    id: int
    content_hash: str
    published: datetime | None  # aware
    first_seen: datetime
    updated: datetime
    date_only: bool


class StoryViews:
    """Stories as :class:`StoryView`, in the feeds' order. Short sessions: nothing held open."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def stories(
        self,
        *,
        site_ids: Sequence[str] | None = None,
        limit: int = 100,
        story_ids: Sequence[int] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        matching: ColumnElement[bool] | None = None,
    ) -> list[StoryView]:
        """Newest first (by the article's own date, else when first seen); ``site_ids``: those
        with a source on one of these sites; ``story_ids``: only these stories; ``since`` (at
        or after) and ``until`` (before): dated (else first seen) within, as ``search``;
        ``matching``: only those this clause over ``stories`` holds for (a province's, from
        ``aggregator.story_provinces``)."""
        ids = self.story_ids(
            site_ids=site_ids,
            limit=limit,
            story_ids=story_ids,
            since=since,
            until=until,
            matching=matching,
        )
        found = self.stories_by_id(ids)
        return [found[i] for i in ids if i in found]

    def story_ids(
        self,
        *,
        site_ids: Sequence[str] | None = None,
        limit: int = 100,
        story_ids: Sequence[int] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        matching: ColumnElement[bool] | None = None,
    ) -> list[int]:
        """The ids of :meth:`stories`, in its order: for callers that load each story once
        however many lists show it (the feeds)."""
        query = _newest(select(Story.id), site_ids, story_ids, limit, (since, until), matching)
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def story_stamps(
        self,
        *,
        site_ids: Sequence[str] | None = None,
        limit: int = 100,
        story_ids: Sequence[int] | None = None,
        matching: ColumnElement[bool] | None = None,
    ) -> list[StoryStamp]:
        """The ``limit`` stories that changed last (``updated``), narrowed as :meth:`stories`:
        a feed's candidates for its subscription document and its next archives."""
        query = _narrowed(select(*_STAMP_COLUMNS), site_ids, story_ids, matching)
        query = query.order_by(Story.updated.desc(), Story.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [
                StoryStamp(
                    row.id,
                    row.content_hash,
                    from_utc(row.published) if row.published else None,
                    from_utc(row.first_seen),
                    from_utc(row.updated),
                    bool(row.date_only),
                )
                for row in conn.execute(query)
            ]

    def stories_by_id(self, ids: Sequence[int]) -> dict[int, StoryView]:
        """The stories of ``ids`` that exist, by id, in the order of ``ids``."""
        # Core rows, not ORM objects: a feed rebuild loads every story it shows, and the ORM's
        # objects and relationship loads cost several times as much.
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

    def story_count(
        self,
        *,
        site_ids: Sequence[str] | None = None,
        story_ids: Sequence[int] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        matching: ColumnElement[bool] | None = None,
    ) -> int:
        """How many stories :meth:`stories` would list without a limit: for "20 of 29"."""
        query = _between(select(func.count(Story.id)), since, until)
        if matching is not None:
            query = query.where(matching)
        if site_ids is not None:
            on_sites = select(Source.story_id).where(Source.site_id.in_(list(site_ids)))
            query = query.where(Story.id.in_(on_sites))
        if story_ids is not None:
            query = query.where(Story.id.in_(list(story_ids)))
        with Session(self.engine) as session:
            return session.scalar(query) or 0

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


def _story_view(row: Any, sources: list[Any], images: list[Image]) -> StoryView:
    """A story's row, its sources' rows (with their ``canonical`` flag) and its images."""
    return StoryView(
        id=row.id,
        content_hash=row.content_hash,
        title=row.title,
        text=row.text,
        published=from_utc(row.published) if row.published else None,
        first_seen=from_utc(row.first_seen),
        updated=from_utc(row.updated),
        author=row.author,
        language=row.language,
        sources=tuple(
            SourceView(
                s.site_id,
                s.url,
                s.title,
                from_utc(s.published) if s.published else None,
                bool(s.canonical),
                bool(s.date_only),
                from_utc(s.fetched_at),
            )
            # The canonical article first, then in the order they were stored.
            for s in sorted(sources, key=lambda s: (not s.canonical, s.id))
        ),
        images=tuple(images),
        lead=row.lead,
        date_only=bool(row.date_only),
    )


def _narrowed(
    query: Select[Any],
    site_ids: Sequence[str] | None,
    story_ids: Sequence[int] | None,
    matching: ColumnElement[bool] | None,
) -> Select[Any]:
    """``query`` over the stories published on ``site_ids``, among ``story_ids``, ``matching``."""
    if site_ids is not None:
        # IN over the sources' site index, not EXISTS: SQLite ran EXISTS once per story of the
        # store, for each site feed.
        on_sites = select(Source.story_id).where(Source.site_id.in_(list(site_ids)))
        query = query.where(Story.id.in_(on_sites))
    if story_ids is not None:
        query = query.where(Story.id.in_(list(story_ids)))
    if matching is not None:
        query = query.where(matching)
    return query


def _newest(
    query: Select[Any],
    site_ids: Sequence[str] | None,
    story_ids: Sequence[int] | None,
    limit: int,
    between: tuple[datetime | None, datetime | None] = (None, None),
    matching: ColumnElement[bool] | None = None,
) -> Select[Any]:
    """``query`` over the stories narrowed to ``site_ids`` / ``story_ids`` / ``matching`` and
    dated ``between`` (since, until), the ``limit`` newest first."""
    query = _narrowed(_between(query, *between), site_ids, story_ids, matching)
    if site_ids is None and story_ids is None and matching is None:
        query = query.where(Story.id.in_(_newest_of_store(limit, *between)))
    # An undated story (or one whose date was refused) sorts by when it was first seen,
    # among the dated ones: sorted last, it would fall outside every feed's window.
    return query.order_by(
        func.coalesce(Story.published, Story.first_seen).desc(),
        Story.first_seen.desc(),
        Story.id.desc(),
    ).limit(limit)


def _between(query: Select[Any], since: datetime | None, until: datetime | None) -> Select[Any]:
    """``query`` narrowed to the stories dated (else first seen) at or after ``since`` and
    before ``until``: ``search --since``'s meaning."""
    day_of = func.coalesce(Story.published, Story.first_seen)
    if since is not None:
        query = query.where(day_of >= to_utc(since))
    if until is not None:
        query = query.where(day_of < to_utc(until))
    return query


def _newest_of_store(
    limit: int, since: datetime | None = None, until: datetime | None = None
) -> CompoundSelect[Any]:
    """The ``limit`` newest dated stories and the ``limit`` newest undated ones (within
    ``since`` and ``until``): the store's ``limit`` newest are among them. Each is a range of
    ``ix_stories_newest``, where the order of the whole store sorted every story, a cost
    growing with the store."""
    dated = (
        select(Story.id)
        .where(Story.published.is_not(None))
        .where(*_range(Story.published, since, until))
        .order_by(Story.published.desc(), Story.first_seen.desc(), Story.id.desc())
        .limit(limit)
        .subquery()
    )
    undated = (
        select(Story.id)
        .where(Story.published.is_(None))
        .where(*_range(Story.first_seen, since, until))
        .order_by(Story.first_seen.desc(), Story.id.desc())
        .limit(limit)
        .subquery()
    )
    return union_all(select(dated.c.id), select(undated.c.id))


def _range(column: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    found = []
    if since is not None:
        found.append(column >= to_utc(since))
    if until is not None:
        found.append(column < to_utc(until))
    return found


_TABLES = Base.metadata.tables
_SOURCES, _IMAGES = _TABLES["sources"], _TABLES["story_images"]
_DETAILS = _TABLES["source_bodies"]
_SOURCE, _STORY = _SOURCES.c, _TABLES["stories"].c
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
    _STORY.lead,
    _STORY.date_only,
]
_STAMP_COLUMNS = [
    _STORY.id,
    _STORY.content_hash,
    _STORY.published,
    _STORY.first_seen,
    _STORY.updated,
    _STORY.date_only,
]
_SOURCE_VIEWS = select(
    _SOURCE.story_id,
    _SOURCE.id,
    _SOURCE.site_id,
    _SOURCE.url,
    _SOURCE.title,
    _SOURCE.published,
    _SOURCE.date_only,
    _SOURCE.fetched_at,
    _DETAILS.c.canonical,
).outerjoin(_DETAILS, _DETAILS.c.source_id == _SOURCE.id)
_IMAGE_VIEWS = select(_IMAGES.c.story_id, _IMAGES.c.src, _IMAGES.c.caption).order_by(
    _IMAGES.c.story_id, _IMAGES.c.position
)
