"""The APScheduler 3 scheduler and its persistent job store, in the store's own database.

Crawl jobs live in a ``scheduler_jobs`` table (``SQLAlchemyJobStore``) beside the stories, so
their next run times survive a restart; :func:`sync_crawl_jobs` brings the stored jobs in line
with the registry without losing them. Services live in memory (see ``services``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from aggregator.scheduling.crawl import crawl_job
from aggregator.scheduling.jobs import JOB_PREFIX, CrawlJob

logger = logging.getLogger("tinlaodong.schedule")

JOBS_TABLE = "scheduler_jobs"
CRAWLS = "default"  # job store and executor of the crawls
SERVICES = "services"  # job store and executor of the services
SERVICE_WORKERS = 2


def make_scheduler(engine: Engine, max_parallel: int) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={
            CRAWLS: SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE),
            SERVICES: MemoryJobStore(),
        },
        executors={
            # Each worker waits on one crawl subprocess: the worker count is how many crawl at once.
            CRAWLS: ThreadPoolExecutor(max_parallel),
            SERVICES: ThreadPoolExecutor(SERVICE_WORKERS),
        },
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )


def open_job_store(engine: Engine) -> SQLAlchemyJobStore:
    """The crawl job store on its own, for reading (``tinlaodong schedule``)."""
    store = SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)
    store.start(None, CRAWLS)
    return store


@dataclass
class SyncResult:
    added: int = 0
    kept: int = 0
    changed: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.kept} kept, {self.changed} changed, "
            f"{self.removed} removed"
        )


def sync_crawl_jobs(
    scheduler: BackgroundScheduler,
    jobs: Iterable[CrawlJob],
    kwargs_of: Callable[[CrawlJob], dict[str, Any]],
    last_crawls: Mapping[str, datetime | None],
    now: datetime,
) -> SyncResult:
    """Add new jobs, keep unchanged ones (and their next run time), reschedule those whose
    interval changed, update the arguments of the others, drop jobs of sites gone."""
    result = SyncResult()
    wanted = {job.id: job for job in jobs}
    for stored in scheduler.get_jobs(jobstore=CRAWLS):
        if stored.id.startswith(JOB_PREFIX) and stored.id not in wanted:
            scheduler.remove_job(stored.id, jobstore=CRAWLS)
            result.removed += 1
    for job in wanted.values():
        last = _last_crawl(job, last_crawls)
        _sync_one(scheduler, job, kwargs_of(job), job.first_run(last, now), result)
    return result


def _last_crawl(job: CrawlJob, last_crawls: Mapping[str, datetime | None]) -> datetime | None:
    known = [last_crawls.get(s) for s in job.site_ids]
    # A job is as late as its least recently crawled site.
    return None if None in known else min(t for t in known if t is not None)


def _sync_one(
    scheduler: BackgroundScheduler,
    job: CrawlJob,
    kwargs: dict[str, Any],
    first_run: datetime,
    result: SyncResult,
) -> None:
    trigger = IntervalTrigger(
        seconds=job.interval.total_seconds(), start_date=first_run, jitter=job.jitter,
        timezone=UTC,
    )
    stored = scheduler.get_job(job.id, jobstore=CRAWLS)
    if stored is None:
        scheduler.add_job(
            crawl_job, trigger=trigger, id=job.id, name=f"crawl {' '.join(job.site_ids)}",
            kwargs=kwargs, next_run_time=first_run, jobstore=CRAWLS, executor=CRAWLS,
            misfire_grace_time=job.misfire_grace,
        )
        result.added += 1
    elif _interval(stored) != job.interval or stored.trigger.jitter != job.jitter:
        scheduler.modify_job(
            job.id, jobstore=CRAWLS, trigger=trigger, next_run_time=first_run, kwargs=kwargs,
            misfire_grace_time=job.misfire_grace,
        )
        result.changed += 1
    elif stored.kwargs != kwargs:
        scheduler.modify_job(job.id, jobstore=CRAWLS, kwargs=kwargs)  # next run time kept
        result.changed += 1
    else:
        result.kept += 1


def _interval(stored: Any) -> timedelta | None:
    return getattr(stored.trigger, "interval", None)
