"""Crawls that run themselves: ``tinlaodong serve`` and ``tinlaodong schedule``.

- ``jobs``: one crawl job per site of the registry, every ``crawl_every`` with jitter.
- ``jobstore``: APScheduler 3 with the jobs in the store's database (``scheduler_jobs``).
- ``crawl`` / ``runner``: each run is a ``tinlaodong crawl`` subprocess, killed at a time limit.
- ``history``: how each scheduled run went (``scheduled_runs``).
- ``lock``: one scheduler per data directory.
- ``services``: periodic services (alerts) run by the same scheduler.
- ``service``: the long-running service tying these together.
"""

from aggregator.scheduling.jobs import CrawlJob, CrawlRequest, build_jobs, schedule_scale
from aggregator.scheduling.service import (
    DEFAULT_CRAWL_TIMEOUT,
    CrawlService,
    ServiceOptions,
    run_until_signal,
)
from aggregator.scheduling.services import Service, ServiceContext, default_services

__all__ = [
    "DEFAULT_CRAWL_TIMEOUT",
    "CrawlJob",
    "CrawlRequest",
    "CrawlService",
    "Service",
    "ServiceContext",
    "ServiceOptions",
    "build_jobs",
    "default_services",
    "schedule_scale",
    "run_until_signal",
]
