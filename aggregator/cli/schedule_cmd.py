"""``tinlaodong schedule``: the crawl jobs of ``serve``, when each runs next, how each last went."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from aggregator.timeshow import show_time

# The scheduler and the store are imported when the command runs, not when the command line is
# parsed: `tinlaodong --help` stays quick.
if TYPE_CHECKING:
    from aggregator.scheduling.status import JobStatus


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "schedule",
        parents=[parent],
        help="show the scheduled crawls: next run, last run, last crawl per site",
        description="Show the crawl jobs that 'tinlaodong serve' keeps in the data directory's "
        "database: sites, interval, next run time, how the last scheduled run went (duration, "
        "exit code, time limit) and each site's last crawl. Times are Vietnam's (+07:00).",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per job")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aggregator.scheduling.status import job_statuses, scheduler_pid
    from aggregator.store import require_store

    require_store(args.data_dir)
    statuses = job_statuses(args.data_dir)
    pid = scheduler_pid(args.data_dir)
    # With --json, stdout stays one object per job; the summary goes to stderr.
    summary = sys.stderr if args.json else sys.stdout
    print(f"scheduler: {f'running (pid {pid})' if pid else 'not running'}", file=summary)
    if args.json:
        for status in statuses:
            print(json.dumps(status.to_dict(), ensure_ascii=False))
    elif statuses:
        _print_table(statuses)
    if not statuses:
        print("no crawl jobs yet: 'tinlaodong serve' creates them", file=summary)
    return 0


def _print_table(statuses: list[JobStatus]) -> None:
    width = max(len(s.id) for s in statuses)
    print(f"{'job':<{width}}  every  {'next run':<{_WHEN}}  last run")
    for status in statuses:
        every = status.to_dict()["interval"] or "?"
        when = _when(status.next_run)
        print(f"{status.id:<{width}}  {every:>5}  {when:<{_WHEN}}  {_last(status)}")


_WHEN = len("24/07/2024 12:55 +07:00")


def _when(value: datetime | None) -> str:
    # Vietnam's time, whatever the machine's zone (a server often runs in UTC).
    return show_time(value) if value else "paused"


def _last(status: JobStatus) -> str:
    run = status.last_run
    if run is None:
        return "never"
    text = f"{_when(run.finished)} {run.outcome} in {run.duration:.1f} s"
    if run.exit_code not in (0, None):
        text += f" (exit {run.exit_code})"
    return text + f", {run.new_stories} new stories"
