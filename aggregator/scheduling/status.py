"""What runs when, and how the last runs went: what ``tinlaodong schedule`` shows.

Read from the database only (the job store, ``scheduled_runs``, ``crawl_runs``): it works
whether or not a ``serve`` is running, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aggregator.registry import format_duration
from aggregator.scheduling.history import RunHistory, RunRecord
from aggregator.scheduling.jobstore import open_job_store
from aggregator.scheduling.lock import is_held, lock_path, read_holder
from aggregator.store import SiteActivity, open_store
from aggregator.timeshow import iso


@dataclass(frozen=True)
class JobStatus:
    id: str
    sites: tuple[str, ...]
    interval: timedelta | None
    jitter: float
    next_run: datetime | None
    last_run: RunRecord | None
    activity: dict[str, SiteActivity | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.id,
            "sites": list(self.sites),
            "interval": _duration(self.interval) if self.interval else None,
            "interval_s": self.interval.total_seconds() if self.interval else None,
            "jitter_s": round(self.jitter, 1),
            "next_run": iso(self.next_run),
            "last_run": self.last_run.to_dict() if self.last_run else None,
            "last_crawls": {site: _activity(a) for site, a in self.activity.items()},
        }


def _duration(value: timedelta) -> str:
    # Under a minute only with $TINLAODONG_SCHEDULE_SCALE (tests, trials).
    return format_duration(value) if value >= timedelta(minutes=1) else f"{value.seconds}s"


def _activity(activity: SiteActivity | None) -> dict[str, Any] | None:
    if activity is None:
        return None
    return {
        "finished": iso(activity.last_crawl),
        "errors": activity.last_errors,
        "unreachable": activity.last_unreachable,
        "healthy": activity.healthy,
        "health": activity.health_reason,
        "stories": activity.stories,
    }


def scheduler_pid(data_dir: Path) -> int | None:
    """The pid of the ``serve`` scheduling crawls for ``data_dir``, if one is running."""
    path = lock_path(data_dir)
    return read_holder(path) if is_held(path) else None


def job_statuses(data_dir: Path) -> list[JobStatus]:
    """Every stored crawl job, soonest first."""
    store = open_store(data_dir)  # creates the directory and the store's tables if need be
    try:
        activity = store.site_activity()
        history = RunHistory(store.engine)
        last_runs = history.last_runs()
        jobs = open_job_store(store.engine).get_all_jobs()
        return [_status(job, last_runs, activity) for job in jobs]
    finally:
        store.close()


def _status(
    job: Any, last_runs: dict[str, RunRecord], activity: dict[str, SiteActivity]
) -> JobStatus:
    sites = tuple(job.kwargs.get("site_ids") or ())
    return JobStatus(
        id=job.id,
        sites=sites,
        interval=getattr(job.trigger, "interval", None),
        jitter=float(getattr(job.trigger, "jitter", None) or 0),
        next_run=job.next_run_time,
        last_run=last_runs.get(job.id),
        activity={site: activity.get(site) for site in sites},
    )
