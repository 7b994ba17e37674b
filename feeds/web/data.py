"""What the web app reads from the store: the stories of a view, crawl runs, daily counts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    func,
    inspect,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from aggregator.dates import VIETNAM, local_midnight
from aggregator.exceptions import ConfigError
from aggregator.registry import Site
from aggregator.search import search
from aggregator.search.hits import snippet
from aggregator.search.query import parse
from aggregator.site_index import SiteIndex
from aggregator.store import StoryStore, StoryView
from aggregator.store.schema import CrawlRun, Source, Story
from aggregator.store.search_schema import StoryTag
from aggregator.story_provinces import ProvinceRule, StoryProvinces
from aggregator.tags import PROVINCE, default_topics, story_ids_tagged, tags_of

RUNS_PER_SITE = 12
CHART_DAYS = 30
# A search counts its matches up to this many (the page says "over 500" beyond): a search's
# cost grows with what it reads, a list's count is one indexed COUNT.
SEARCH_COUNTED = 500
TOPIC_STORIES = 5000  # a topic's newest stored stories a list (and its count) picks among


@dataclass(frozen=True)
class View:
    """What a page or a dynamic feed shows: filters as the reader gave them, checked."""

    province: str | None = None  # a province id (current, former or the national one)
    topic: str | None = None  # a topic id
    q: str = ""
    page: int = 1
    since: date | None = None  # published (else first seen) on this day or later, in Vietnam
    until: date | None = None  # ... on this day or earlier

    def moments(self) -> tuple[datetime | None, datetime | None]:
        """(since, until) as a half-open range of moments: ``until`` is the next midnight."""
        since = local_midnight(self.since) if self.since else None
        until = local_midnight(self.until + timedelta(days=1)) if self.until else None
        return since, until


@dataclass(frozen=True)
class Found:
    stories: list[StoryView]
    snippets: dict[int, str]  # story id -> search snippet (matches between « and »)
    more: bool  # older stories beyond this page
    total: int | None = None  # the stories of the view, all pages (None: not counted)
    capped: bool = False  # ``total`` is as many as a search counts: there may be more


@dataclass(frozen=True)
class Run:
    finished: datetime  # aware, Vietnam time
    pages: int
    new_stories: int
    new_sources: int
    errors: int
    unreachable: bool
    healthy: bool


class WebData:
    def __init__(self, store: StoryStore, sites: Sequence[Site]) -> None:
        self.store = store
        self.engine = store.engine
        self.sites = list(sites)
        self.index = SiteIndex(sites)
        self.rule = ProvinceRule(sites, self.index.gazetteer)

    def province_clause(self, province_id: str) -> ColumnElement[bool]:
        """The stories of a province (``aggregator.story_provinces``: named or published
        there), as SQL."""
        return self.rule.clause([self.index.gazetteer.get(province_id)])

    def provinces(self, stories: Sequence[StoryView]) -> dict[int, StoryProvinces]:
        """Each story's provinces: what it is about (its tags) and its publishers'."""
        about = self.rule.about_stored(self.engine, [s.id for s in stories])
        return {
            s.id: self.rule.of(about.get(s.id, ()), [source.site_id for source in s.sources])
            for s in stories
        }

    def find(
        self, view: View, per_page: int, snippets: bool = True, counted: bool = True
    ) -> Found:
        """The stories of ``view``, newest first (best first when searching, with their
        snippets unless ``snippets`` is False), and how many there are unless ``counted`` is
        False (a feed says none)."""
        wanted = per_page * view.page + 1  # one more tells whether there is an older page
        if view.q.strip():
            return self._search(view, per_page, wanted, snippets, counted)
        matching = self.province_clause(view.province) if view.province else None
        # The topic's last stored first, bounded: a query has a limited number of
        # parameters (and a topic of a large store has hundreds of thousands).
        story_ids = (
            story_ids_tagged(self.engine, topic=view.topic, limit=TOPIC_STORIES)
            if view.topic
            else None
        )
        since, until = view.moments()
        stories = self.store.stories(
            matching=matching, story_ids=story_ids, limit=wanted, since=since, until=until
        )
        start = per_page * (view.page - 1)
        total = (
            self.store.story_count(
                story_ids=story_ids, since=since, until=until, matching=matching
            )
            if counted
            else None
        )
        # Counted among the topic's bounded stories: there may be more.
        capped = counted and story_ids is not None and len(story_ids) >= TOPIC_STORIES
        return Found(
            stories[start : start + per_page], {}, len(stories) > start + per_page, total, capped
        )

    def _search(
        self, view: View, per_page: int, wanted: int, snippets: bool, counted: bool
    ) -> Found:
        # Filtering by topic after ranking: ask for more, a topic keeps a part of them. At
        # least SEARCH_COUNTED when counted: the page says how many match, up to that many.
        limit = max(wanted, SEARCH_COUNTED) if counted else wanted
        if view.topic:
            limit *= 5
        since, until = view.moments()
        hits = search(
            self.engine,
            view.q,
            provinces=[view.province] if view.province else None,
            since=since,
            until=until,
            rule=self.rule,
            limit=limit,
            snippets=False,  # made below for the page shown only
        )
        capped = len(hits) >= limit
        if view.topic:
            ids = [h.story_id for h in hits]
            tagged = set(story_ids_tagged(self.engine, topic=view.topic, among=ids))
            hits = [h for h in hits if h.story_id in tagged]
        start = per_page * (view.page - 1)
        page = hits[start : start + per_page]
        by_id = self.store.stories_by_id([h.story_id for h in page])
        stories = [by_id[h.story_id] for h in page if h.story_id in by_id]
        query = parse(view.q)
        marked = {s.id: snippet(s.text, query) for s in stories} if snippets else {}
        total = len(hits) if counted else None
        return Found(stories, marked, len(hits) > start + per_page, total, capped and counted)

    def story(self, story_id: int) -> tuple[StoryView, dict[str, list[str]]] | None:
        """One story and its tags by kind (:func:`tags_of`), or None: no such story."""
        found = self.store.stories_by_id([story_id]).get(story_id)
        return None if found is None else (found, tags_of(self.engine, story_id))

    def runs(self, per_site: int = RUNS_PER_SITE) -> dict[str, list[Run]]:
        """Each site's last crawl runs, oldest first."""
        rank = func.row_number().over(partition_by=CrawlRun.site_id, order_by=CrawlRun.id.desc())
        ranked = select(CrawlRun.id, rank.label("rank")).subquery()
        query = (
            select(CrawlRun)
            .join(ranked, ranked.c.id == CrawlRun.id)
            .where(ranked.c.rank <= per_site)
            .order_by(CrawlRun.id)
        )
        found: dict[str, list[Run]] = {}
        with Session(self.engine) as session:
            for run in session.scalars(query):
                found.setdefault(run.site_id, []).append(
                    Run(
                        finished=_local(run.finished),
                        pages=run.pages,
                        new_stories=run.new_stories,
                        new_sources=run.new_sources,
                        errors=run.errors,
                        unreachable=run.unreachable,
                        healthy=run.healthy,
                    )
                )
        return found

    def daily_counts(
        self, days: int = CHART_DAYS, province: str | None = None
    ) -> tuple[list[date], dict[str, Counter[date]]]:
        """The ``days`` days up to today (in Vietnam: quiet days are news too), and per current
        province id (or the national id) the stories of each day, a story once a province:
        those it names and those of its publishers' sites (``aggregator.story_provinces``).
        ``province``: that province's alone (a former one too). Counted in SQL."""
        end = datetime.now(VIETNAM).date()
        day_of = func.coalesce(Story.published, Story.first_seen)
        with Session(self.engine) as session:
            start = end - timedelta(days=days - 1)
            # Each day's first instant, as stored (naive UTC): a story's day is the last of
            # them it is not before.
            bounds = [
                datetime.combine(start + timedelta(days=n), time.min, VIETNAM)
                .astimezone(UTC)
                .replace(tzinfo=None)
                for n in range(days + 1)
            ]
            day = case(*((day_of >= bounds[n], n) for n in reversed(range(days))), else_=-1)
            # The window's stories, read off ix_stories_newest (a dated story by its date, an
            # undated one by when it was first seen), each with its day's number: once.
            undated_since = and_(Story.published.is_(None), Story.first_seen >= bounds[0])
            recent = (
                select(Story.id.label("id"), day.label("day"))
                .where(or_(Story.published >= bounds[0], undated_since), day_of < bounds[-1])
                .cte("recent")
            )
            rows = session.execute(self._per_day(recent, province)).all()
        counts: dict[str, Counter[date]] = {}
        for province_id, number, stories in rows:
            counts.setdefault(province_id, Counter())[start + timedelta(days=number)] += stories
        return [start + timedelta(days=i) for i in range(days)], counts

    def _per_day(self, recent: CTE, province: str | None) -> Select[str, int, int]:
        """(province id, day number, stories) rows of the ``recent`` (id, day) stories."""
        if province is not None:
            return (
                select(literal(province), recent.c.day, func.count())
                .join(Story, Story.id == recent.c.id)
                .where(self.province_clause(province))
                .group_by(recent.c.day)
            )
        national = self.index.gazetteer.national.id
        current = {s.id: s.current_province_id for s in self.sites if s.current_province_id}
        # A site of no province known (not in the registry): the national row, as before.
        place: ColumnElement[str] = (
            case(current, value=Source.site_id, else_=national) if current else literal(national)
        )
        by_site = select(recent.c.id.label("story"), recent.c.day, place.label("province")).join(
            Source, Source.story_id == recent.c.id
        )
        by_name = select(recent.c.id, recent.c.day, StoryTag.value).join(
            StoryTag, and_(StoryTag.story_id == recent.c.id, StoryTag.kind == PROVINCE)
        )
        both = union_all(by_site, by_name).subquery()
        stories = func.count(distinct(both.c.story))
        return select(both.c.province, both.c.day, stories).group_by(both.c.province, both.c.day)

    def last_runs(self) -> list[CrawlRun]:
        """The latest crawl run of each site (detached rows)."""
        latest = (
            select(CrawlRun.site_id, func.max(CrawlRun.id).label("id"))
            .group_by(CrawlRun.site_id)
            .subquery()
        )
        with Session(self.engine, expire_on_commit=False) as session:
            runs = list(session.scalars(select(CrawlRun).join(latest, CrawlRun.id == latest.c.id)))
            session.expunge_all()
        return runs

    def alert_counts(self) -> dict[str, int] | None:
        """Alerts by status, or None where the store has no alert outbox."""
        if not inspect(self.engine).has_table("alerts"):
            return None
        with Session(self.engine) as session:
            rows = session.execute(sql_text("SELECT status, COUNT(*) FROM alerts GROUP BY status"))
            return {str(status): int(n) for status, n in rows}


class UnknownProvince(ConfigError):
    """A filter's province the gazetteer does not know, with the names nearest to it."""

    def __init__(self, value: str, message: str, suggestions: list[str]) -> None:
        super().__init__(message)
        self.value = value
        self.suggestions = suggestions


class UnknownTopic(ConfigError):
    def __init__(self, value: str) -> None:
        super().__init__(f"unknown topic {value!r}")
        self.value = value


def check_view(
    data: WebData, province: str | None, topic: str | None, q: str | None, page: str | None
) -> View:
    """The view a query string asks for; an unknown province or topic is an
    :class:`UnknownProvince` or :class:`UnknownTopic` (a ConfigError, in English)."""
    province_id = None
    if province:
        # A former province stays itself: its stories, not all of the one it is part of.
        try:
            province_id = data.rule.resolve(province).id
        except ConfigError as exc:
            close = data.index.gazetteer.suggest(province)
            raise UnknownProvince(province, str(exc), close) from exc
    topic_id = topic or None
    if topic_id is not None and topic_id not in _topic_ids():
        raise UnknownTopic(topic_id)
    try:
        number = max(1, min(int(page or 1), 50))
    except ValueError:
        number = 1
    return View(province_id, topic_id, (q or "").strip()[:200], number)


def _topic_ids() -> set[str]:
    return {t.id for t in default_topics()}


def _local(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(VIETNAM) if value.tzinfo is None else value


def check_day(value: str | None) -> date | None:
    """A ``since``/``until`` day of the query string (YYYY-MM-DD); ValueError if it is none
    or outside :data:`FIRST_YEAR`..:data:`LAST_YEAR`."""
    if not value:
        return None
    try:
        if not _DAY.fullmatch(value.strip()):
            raise ValueError(value)
        day = date.fromisoformat(value.strip())
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(value)
        return day
    except ValueError:
        raise ValueError(value[:40]) from None


# The days a filter may name: 0001-01-01 or 9999-12-31 would overflow the moments made of
# them (the next midnight, a zone shift); no story is dated outside these years.
FIRST_YEAR, LAST_YEAR = 1900, 2200
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
