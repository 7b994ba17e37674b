"""The long-running crawl service: the scheduler, its crawl jobs and its periodic services.

:meth:`CrawlService.start` takes the data directory's scheduler lock, opens the job store,
syncs the crawl jobs with the registry (next run times kept across restarts), registers the
services and lets the scheduler run. :meth:`CrawlService.stop` terminates running crawls,
shuts the scheduler down and releases the lock. :meth:`CrawlService.run_once` runs the crawls
that are due (and each service once) in the calling thread's time, for cron and tests.

Periodic services (the alert sender) plug in as ``Service(name, every, run)`` objects passed
to :class:`CrawlService` — ``serve`` passes ``services.default_services()``: see that module.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine

from aggregator.registry import Registry
from aggregator.scheduling.crawl import run_scheduled_crawl
from aggregator.scheduling.history import RunRecord
from aggregator.scheduling.jobs import DEFAULT_CRAWL_TIMEOUT, CrawlJob, CrawlRequest, build_jobs
from aggregator.scheduling.jobstore import (
    CRAWLS,
    SERVICES,
    make_scheduler,
    sync_crawl_jobs,
)
from aggregator.scheduling.lock import FileLock, lock_path
from aggregator.scheduling.runner import LIVE, LiveProcesses
from aggregator.scheduling.services import SERVICE_PREFIX, Service, ServiceContext
from aggregator.store import open_store
from aggregator.store.database import create_store_engine, database_url
from aggregator.timeshow import show_time

logger = logging.getLogger("tinlaodong.schedule")

@dataclass(frozen=True)
class ServiceOptions:
    data_dir: Path
    sites_file: Path | None = None
    crawl_timeout: float = DEFAULT_CRAWL_TIMEOUT  # seconds
    max_parallel: int = 2  # crawl subprocesses at once
    settings: tuple[str, ...] = ()  # Scrapy NAME=VALUE passed to each crawl
    scale: float = 1.0  # interval multiplier, for tests (TINLAODONG_SCHEDULE_SCALE)


class CrawlService:
    def __init__(
        self,
        options: ServiceOptions,
        registry: Registry,
        services: Sequence[Service] = (),
        live: LiveProcesses = LIVE,
    ) -> None:
        # Absolute paths: they are stored with the jobs and handed to subprocesses.
        self.options = replace(
            options,
            data_dir=options.data_dir.resolve(),
            sites_file=options.sites_file.resolve() if options.sites_file else None,
        )
        self.registry = registry
        self.services = tuple(services)
        self.jobs = build_jobs(registry.sites, options.scale)
        self.live = live
        self._lock = FileLock(lock_path(self.options.data_dir))
        self._engine: Engine | None = None
        self._scheduler: BackgroundScheduler | None = None

    # -- lifecycle

    def open(self) -> BackgroundScheduler:
        """Lock, open the job store and sync the crawl jobs; the scheduler stays paused."""
        self._lock.acquire()
        quiet_apscheduler()
        try:
            self._engine = create_store_engine(database_url(self.options.data_dir))
            scheduler = make_scheduler(self._engine, self.options.max_parallel)
            scheduler.start(paused=True)
            self._scheduler = scheduler
            now = datetime.now(UTC)
            synced = sync_crawl_jobs(scheduler, self.jobs, self._kwargs, self._last_crawls(), now)
        except BaseException:
            self.close()
            raise
        logger.info("schedule: %d crawl jobs (%s)", len(self.jobs), synced)
        return scheduler

    def start(self) -> None:
        """Run the crawls and services on schedule, in background threads, until :meth:`stop`."""
        scheduler = self.open()
        scheduler.add_listener(_log_skipped, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        for service in self.services:
            scheduler.add_job(
                run_service, "interval", seconds=service.every.total_seconds(),
                args=[service, self._context()], id=SERVICE_PREFIX + service.name,
                name=service.name, jobstore=SERVICES, executor=SERVICES,
                misfire_grace_time=max(1, int(service.every.total_seconds())),
            )
        scheduler.resume()
        for job in scheduler.get_jobs(jobstore=CRAWLS)[:1]:
            logger.info("schedule: next crawl %s at %s", job.id, _local(job.next_run_time))

    def stop(self) -> None:
        """Terminate running crawls, shut the scheduler down, release the lock."""
        self.live.close()
        self.close()
        self.live.reopen()

    def close(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            # Waits for the job threads: their crawls were terminated, they only record that.
            scheduler.shutdown(wait=True)
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.dispose()
        self._lock.release()

    # -- once

    def run_once(self) -> list[RunRecord]:
        """Run every crawl that is due now, move each job's next run on, then the services."""
        scheduler = self.open()
        try:
            now = datetime.now(UTC)
            due = [j for j in scheduler.get_jobs(jobstore=CRAWLS) if _is_due(j, now)]
            with ThreadPoolExecutor(max(1, self.options.max_parallel)) as pool:
                records = list(pool.map(self._run_now, due))
            for job in due:
                later = job.trigger.get_next_fire_time(None, datetime.now(UTC))
                scheduler.modify_job(job.id, jobstore=CRAWLS, next_run_time=later)
            for service in self.services:
                run_service(service, self._context())
        finally:
            self.close()
        return [r for r in records if r is not None]

    def _run_now(self, job: Any) -> RunRecord | None:
        return run_scheduled_crawl(CrawlRequest.from_kwargs(job.kwargs), live=self.live)

    # -- helpers

    def _kwargs(self, job: CrawlJob) -> dict[str, Any]:
        options = self.options
        return CrawlRequest(
            job.id, job.site_ids, options.data_dir, options.sites_file, options.crawl_timeout,
            options.settings,
        ).to_kwargs()

    def _last_crawls(self) -> dict[str, datetime | None]:
        store = open_store(self.options.data_dir)
        try:
            return {site: a.last_crawl for site, a in store.site_activity().items()}
        finally:
            store.close()

    def _context(self) -> ServiceContext:
        return ServiceContext(self.options.data_dir, self.registry)


class Runnable(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def quiet_apscheduler() -> None:
    # Its INFO lines (job added, job executed) repeat ours; missed and skipped runs are logged
    # by _log_skipped, failures of a job still come through at ERROR.
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("apscheduler").setLevel(logging.ERROR)


def _is_due(job: Any, now: datetime) -> bool:
    return job.next_run_time is not None and job.next_run_time <= now


def run_service(service: Service, context: ServiceContext) -> None:
    started = datetime.now(UTC)
    try:
        service.run(context)
    except Exception:
        # One failure must not stop the service from running next time.
        logger.exception("service %s: failed", service.name)
        return
    took = (datetime.now(UTC) - started).total_seconds()
    logger.info("service %s: done in %.1f s", service.name, took)


def _log_skipped(event: JobEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        logger.warning("%s: a run was missed (later than its grace time)", event.job_id)
    else:
        logger.info("%s: still running, this run skipped", event.job_id)


def _local(value: datetime | None) -> str:
    return show_time(value, "%d/%m/%Y %H:%M:%S") if value else "never"


def run_until_signal(
    service: Runnable,
    stop: threading.Event | None = None,
    started: Callable[[], None] | None = None,
) -> None:
    """Start ``service``, call ``started`` (if given), run it until SIGINT or SIGTERM (or
    ``stop`` is set), stop it.

    The handlers go in before the start: a SIGTERM during start-up must still stop the crawl
    subprocesses, which sit in sessions of their own and would otherwise outlive us.
    """
    stop = stop or threading.Event()

    def handler(signum: int, _frame: FrameType | None) -> None:
        logger.info("%s received, stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        service.start()
        try:
            if started is not None:
                started()
            while not stop.wait(0.5):
                pass
        finally:
            service.stop()
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
