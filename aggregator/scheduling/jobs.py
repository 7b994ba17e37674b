"""Crawl jobs from the registry: one job per site, every ``crawl_every``, with jitter.

One job per site rather than one per group of sites sharing an interval: a site that hangs is
killed at the time limit without taking the other sites' crawl down with it, each site's run
is logged and timed on its own, the job ids (``crawl:<site id>``) stay stable when sites are
added or removed, and jitter spreads the sites instead of firing a group at once. The price is
one process start (about two seconds) per site crawl, nothing against intervals of hours; the
scheduler's worker count bounds how many crawl at once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aggregator.exceptions import ConfigError
from aggregator.registry import Site

JOB_PREFIX = "crawl:"
DEFAULT_CRAWL_TIMEOUT = 30 * 60.0  # seconds: a crawl still running after this is killed
# Up to a tenth of the interval, at most 15 minutes: sites drift apart rather than all
# hitting the network (and the store) on the same minute.
JITTER_SHARE = 0.1
MAX_JITTER = timedelta(minutes=15)
# For tests and trials only: multiplies every interval (0.001 turns 3h into about 11 s).
SCALE_ENV = "TINLAODONG_SCHEDULE_SCALE"
MIN_INTERVAL = timedelta(seconds=1)


@dataclass(frozen=True)
class CrawlJob:
    """What the scheduler runs for some sites: how often, with how much jitter."""

    id: str
    site_ids: tuple[str, ...]
    interval: timedelta
    jitter: float  # seconds added at random to each run time

    @property
    def misfire_grace(self) -> int:
        """Seconds a run may start late. A whole interval: with coalescing, the last run
        missed while ``serve`` was down is always within it, so a restart catches up once."""
        return max(1, int(self.interval.total_seconds() + self.jitter))

    def first_run(self, last_crawl: datetime | None, now: datetime) -> datetime:
        """A new job's first run: now for a site never crawled or overdue, else when due."""
        if last_crawl is None:
            return now
        return max(now, last_crawl + self.interval)


def schedule_scale(environ: dict[str, str] | None = None) -> float:
    """The interval multiplier of ``$TINLAODONG_SCHEDULE_SCALE`` (1 unless testing)."""
    raw = (environ if environ is not None else os.environ).get(SCALE_ENV, "").strip()
    if not raw:
        return 1.0
    try:
        scale = float(raw)
    except ValueError:
        raise ConfigError(f"{SCALE_ENV}={raw!r} is not a number") from None
    if not scale > 0:
        raise ConfigError(f"{SCALE_ENV} must be positive, got {raw!r}")
    return scale


def jitter_for(interval: timedelta) -> float:
    return min(interval * JITTER_SHARE, MAX_JITTER).total_seconds()


def build_jobs(sites: Iterable[Site], scale: float = 1.0) -> list[CrawlJob]:
    jobs = []
    for site in sites:
        interval = max(MIN_INTERVAL, site.crawl_every * scale)
        jobs.append(CrawlJob(JOB_PREFIX + site.id, (site.id,), interval, jitter_for(interval)))
    return jobs


@dataclass(frozen=True)
class CrawlRequest:
    """How to crawl a job's sites: what the scheduler stores with the job (as plain data)."""

    job_id: str
    site_ids: tuple[str, ...]
    data_dir: Path
    sites_file: Path | None
    timeout: float  # seconds
    settings: tuple[str, ...] = ()  # NAME=VALUE Scrapy settings

    def argv(self) -> list[str]:
        """``tinlaodong crawl`` for these sites, in a fresh interpreter."""
        argv = [sys.executable, "-m", "aggregator.cli.main", "crawl", "--json"]
        argv += ["--data-dir", str(self.data_dir)]
        if self.sites_file is not None:
            argv += ["--sites", str(self.sites_file)]
        for site_id in self.site_ids:
            argv += ["--site", site_id]
        for pair in self.settings:
            argv += ["-s", pair]
        return argv

    def to_kwargs(self) -> dict[str, Any]:
        # Plain types only: the job store pickles them, and a renamed class must not make
        # yesterday's jobs unreadable.
        return {
            "job_id": self.job_id,
            "site_ids": list(self.site_ids),
            "data_dir": str(self.data_dir),
            "sites_file": str(self.sites_file) if self.sites_file else None,
            "timeout": self.timeout,
            "settings": list(self.settings),
        }

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> CrawlRequest:
        return cls(
            job_id=str(kwargs["job_id"]),
            site_ids=tuple(kwargs["site_ids"]),
            data_dir=Path(kwargs["data_dir"]),
            sites_file=Path(kwargs["sites_file"]) if kwargs.get("sites_file") else None,
            timeout=float(kwargs["timeout"]),
            settings=tuple(kwargs.get("settings") or ()),
        )
