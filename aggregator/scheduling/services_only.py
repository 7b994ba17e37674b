"""``serve --no-crawl``: the periodic services (feeds, alerts) without crawls, for a server
whose store is filled by workers or crawls elsewhere (docs/deployment.md).

The same file lock as a crawling ``serve``: two processes on one data directory would send
the same alerts. The services' jobs live in memory only: there are no crawl jobs to keep.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from aggregator.registry import Registry
from aggregator.scheduling.lock import FileLock, lock_path
from aggregator.scheduling.service import quiet_apscheduler, run_service
from aggregator.scheduling.services import SERVICE_PREFIX, Service, ServiceContext

logger = logging.getLogger("tinlaodong.serve")


class ServicesOnly:
    def __init__(
        self,
        data_dir: Path,
        registry: Registry,
        services: Sequence[Service],
        scale: float = 1.0,
    ) -> None:
        self.context = ServiceContext(data_dir.resolve(), registry)
        self.services = tuple(services)
        self.scale = scale
        self._lock = FileLock(lock_path(self.context.data_dir))
        self._scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        """Lock, then run each service now and every its interval, in background threads."""
        self._lock.acquire()
        quiet_apscheduler()
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max(1, len(self.services)))},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )
        now = datetime.now(UTC)
        for service in self.services:
            every = max(service.every.total_seconds() * self.scale, 0.1)
            scheduler.add_job(
                run_service, "interval", seconds=every, args=[service, self.context],
                id=SERVICE_PREFIX + service.name, name=service.name, next_run_time=now,
                misfire_grace_time=max(1, int(every)),
            )
        scheduler.start()
        self._scheduler = scheduler
        names = ", ".join(f"{s.name} every {s.every.total_seconds() * self.scale:g} s"
                          for s in self.services)
        logger.info("serving without crawls: %s", names)

    def stop(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        self._lock.release()
