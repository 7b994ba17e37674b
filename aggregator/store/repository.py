"""The store as one object: what a crawl, the feeds and the CLI are handed. Each job is a
module of its own, composed here: writing articles (``writes``, deduplicated by ``dedup``),
reading stories (``views``), crawl history and health (``crawls``), the HTTP validators of
conditional re-crawls (``http_validators``) and the store's flags (``flags``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy.engine import Engine

from aggregator.health import CrawlMetrics
from aggregator.models import Article
from aggregator.store import neardup
from aggregator.store.bodyprint import BodyPrint
from aggregator.store.crawls import CrawlHistory, CrawlRecord, SiteActivity, Unhealthy
from aggregator.store.dedup import AddResult
from aggregator.store.flags import Flags
from aggregator.store.http_validators import ValidatorStore
from aggregator.store.not_articles import NotArticles
from aggregator.store.times import LOCAL_TZ
from aggregator.store.views import StoryStamp, StoryView, StoryViews
from aggregator.store.writes import Outbox, StoryWrites

__all__ = ["LOCAL_TZ", "StoryStore"]


class StoryStore:
    """Stories in a SQLAlchemy database. Short sessions: nothing held open between calls."""

    def __init__(
        self, engine: Engine, thresholds: neardup.Thresholds = neardup.DEFAULT_THRESHOLDS
    ) -> None:
        self.engine = engine
        self.writes = StoryWrites(engine, thresholds)
        self.views = StoryViews(engine)
        self.crawls = CrawlHistory(engine)
        self.validators = ValidatorStore(engine)
        self.not_articles = NotArticles(engine)
        self.flags = Flags(engine)

    def close(self) -> None:
        self.engine.dispose()

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
        """See :meth:`StoryWrites.add_article`."""
        return self.writes.add_article(
            site_id, url, article, now=now, outbox=outbox, bodyprint=bodyprint
        )

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
        """See :meth:`StoryViews.stories`."""
        return self.views.stories(
            site_ids=site_ids,
            limit=limit,
            story_ids=story_ids,
            since=since,
            until=until,
            matching=matching,
        )

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
        """See :meth:`StoryViews.story_ids`."""
        return self.views.story_ids(
            site_ids=site_ids,
            limit=limit,
            story_ids=story_ids,
            since=since,
            until=until,
            matching=matching,
        )

    def story_stamps(
        self,
        *,
        site_ids: Sequence[str] | None = None,
        limit: int = 100,
        story_ids: Sequence[int] | None = None,
        matching: ColumnElement[bool] | None = None,
    ) -> list[StoryStamp]:
        """See :meth:`StoryViews.story_stamps`."""
        return self.views.story_stamps(
            site_ids=site_ids, limit=limit, story_ids=story_ids, matching=matching
        )

    def stories_by_id(self, ids: Sequence[int]) -> dict[int, StoryView]:
        """See :meth:`StoryViews.stories_by_id`."""
        return self.views.stories_by_id(ids)

    def story_count(
        self,
        *,
        site_ids: Sequence[str] | None = None,
        story_ids: Sequence[int] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        matching: ColumnElement[bool] | None = None,
    ) -> int:
        """See :meth:`StoryViews.story_count`."""
        return self.views.story_count(
            site_ids=site_ids, story_ids=story_ids, since=since, until=until, matching=matching
        )

    def count(self) -> tuple[int, int]:
        """(stories, sources)"""
        return self.views.count()

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        """See :meth:`StoryViews.known_urls`."""
        return self.views.known_urls(urls)

    def record_crawl(self, records: Sequence[CrawlRecord]) -> None:
        self.crawls.record_crawl(records)

    def metrics_history(self, site_id: str, limit: int = 10) -> list[CrawlMetrics]:
        """See :meth:`CrawlHistory.metrics_history`."""
        return self.crawls.metrics_history(site_id, limit)

    def unhealthy_sites(self) -> list[Unhealthy]:
        """See :meth:`CrawlHistory.unhealthy_sites`."""
        return self.crawls.unhealthy_sites()

    def quiet_since(self, *, health: bool = False) -> datetime | None:
        """See :meth:`CrawlHistory.quiet_since`."""
        return self.crawls.quiet_since(health=health)

    def site_activity(self) -> dict[str, SiteActivity]:
        """See :meth:`CrawlHistory.site_activity`."""
        return self.crawls.site_activity()
