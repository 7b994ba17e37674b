"""Crawl history: each site's part of each crawl, what its healthy crawls saw (the baseline
of ``aggregator.health``), the sites unhealthy now and since when, and each site's activity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from aggregator.exceptions import StoreError
from aggregator.health import HEALTHY, CrawlMetrics, Health
from aggregator.store.schema import CrawlRun, Source, Story
from aggregator.store.times import from_utc, to_utc


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
    interrupted: bool = False  # stopped before the site's crawl was done


@dataclass(frozen=True)
class Unhealthy:
    """A site whose last crawl was unhealthy, and since when it has been."""

    site_id: str
    reason: str
    since: datetime
    last_crawl: datetime


@dataclass(frozen=True)
class SiteActivity:
    """What the store knows of a site: its last crawl and its last new story.

    ``last_crawl`` and what it saw are of the last crawl that finished: one interrupted is no
    crawl, and the site stays due (``interrupted``: the latest crawl was)."""

    last_crawl: datetime | None
    last_errors: int
    last_unreachable: bool
    redirected_to: str | None
    last_new_story: datetime | None
    stories: int
    healthy: bool = True
    health_reason: str | None = None
    interrupted: bool = False


class CrawlHistory:
    """The ``crawl_runs`` table: one row per site per crawl."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
                        started=to_utc(r.started),
                        finished=to_utc(r.finished),
                        pages=r.pages,
                        new_stories=r.new_stories,
                        new_sources=r.new_sources,
                        errors=r.errors,
                        unreachable=r.unreachable,
                        redirected_to=r.redirected_to,
                        healthy=r.health.healthy,
                        health_reason=r.health.reason,
                        interrupted=r.interrupted,
                        **{f.name: getattr(r.metrics, f.name) for f in fields(CrawlMetrics)},
                    )
                )

    def metrics_history(self, site_id: str, limit: int = 10) -> list[CrawlMetrics]:
        """What the site's last healthy crawls saw, newest first: its baseline's material."""
        query = (
            select(CrawlRun)
            .where(
                CrawlRun.site_id == site_id,
                CrawlRun.healthy.is_(True),
                CrawlRun.interrupted.is_(False),  # what a part of a crawl saw is no measure
            )
            .order_by(CrawlRun.id.desc())
            .limit(limit)
        )
        with Session(self.engine) as session:
            return [
                CrawlMetrics(**{f.name: getattr(run, f.name) for f in fields(CrawlMetrics)})
                for run in session.scalars(query)
            ]

    def quiet_since(self, *, health: bool = False) -> datetime | None:
        """When the first finished crawl ended (``health``: the first after the last
        unhealthy one, when every site was last well); None if there is none. A feed without
        entries is dated by it: a date that stays put while nothing changes."""
        after = select(func.coalesce(func.max(CrawlRun.id), 0)).where(
            CrawlRun.healthy.is_(False)
        )
        query = select(func.min(CrawlRun.finished)).where(CrawlRun.interrupted.is_(False))
        if health:
            query = query.where(CrawlRun.id > after.scalar_subquery())
        with Session(self.engine) as session:
            first = session.scalar(query)
        return None if first is None else from_utc(first)

    def unhealthy_sites(self) -> list[Unhealthy]:
        """Sites whose latest crawl was unhealthy, with the start of that streak."""
        found = []
        with Session(self.engine) as session:
            for run in session.scalars(_latest_runs(JUDGED)):
                if run.healthy:
                    continue
                last_healthy = session.scalar(
                    select(func.max(CrawlRun.id)).where(
                        CrawlRun.site_id == run.site_id, CrawlRun.healthy.is_(True), JUDGED
                    )
                )
                first_bad = session.scalar(
                    select(CrawlRun)
                    .where(
                        CrawlRun.site_id == run.site_id, CrawlRun.id > (last_healthy or 0), JUDGED
                    )
                    .order_by(CrawlRun.id)
                    .limit(1)
                )
                assert first_bad is not None
                found.append(
                    Unhealthy(
                        run.site_id,
                        run.health_reason or "unhealthy",
                        from_utc(first_bad.finished),
                        from_utc(run.finished),
                    )
                )
        return sorted(found, key=lambda u: u.site_id)

    def site_activity(self) -> dict[str, SiteActivity]:
        """Per site id: its last crawl (errors, reachability, redirect) and last new story."""
        with Session(self.engine) as session:
            runs = {run.site_id: run for run in session.scalars(_latest_runs(FINISHED))}
            judged = {run.site_id: run for run in session.scalars(_latest_runs(JUDGED))}
            latest = {run.site_id: run for run in session.scalars(_latest_runs())}
            story_stats = session.execute(
                select(Source.site_id, func.max(Story.first_seen), func.count(Source.id))
                .join(Story, Source.story_id == Story.id)
                .group_by(Source.site_id)
            ).all()
        stats = {site: (last, count) for site, last, count in story_stats}
        activity = {}
        for site_id in set(latest) | set(stats):
            run = runs.get(site_id)
            verdict = judged.get(site_id)
            last_story, count = stats.get(site_id, (None, 0))
            activity[site_id] = SiteActivity(
                last_crawl=from_utc(run.finished) if run else None,
                last_errors=run.errors if run else 0,
                last_unreachable=run.unreachable if run else False,
                redirected_to=run.redirected_to if run else None,
                last_new_story=from_utc(last_story) if last_story else None,
                stories=int(count),
                healthy=verdict.healthy if verdict else True,
                health_reason=verdict.health_reason if verdict else None,
                interrupted=latest[site_id].interrupted if site_id in latest else False,
            )
        return activity


# Runs that finished: a site's crawls (when it was last crawled, and is next due).
FINISHED = CrawlRun.interrupted.is_(False)
# Runs that carry a verdict on the site's health: those that finished, and those a time limit
# killed (recorded unhealthy by the scheduler). A crawl the user stopped was not judged.
JUDGED = or_(CrawlRun.interrupted.is_(False), CrawlRun.healthy.is_(False))


def _latest_runs(where: ColumnElement[bool] | None = None) -> Select[Any]:
    """Each site's latest crawl run (of those ``where`` selects)."""
    query = select(CrawlRun.site_id, func.max(CrawlRun.id).label("id"))
    if where is not None:
        query = query.where(where)
    latest = query.group_by(CrawlRun.site_id).subquery()
    return select(CrawlRun).join(latest, CrawlRun.id == latest.c.id)
