"""One scheduled crawl: run ``tinlaodong crawl`` in a subprocess, log it, record it.

:func:`crawl_job` is what the job store names (``aggregator.scheduling.crawl:crawl_job``) and
calls with plain keyword arguments. At the time limit the crawl gets SIGTERM: it records the
sites it finished and those it did not as interrupted (they stay due). A crawl killed before it
reported a site, or dying, leaves that site an unhealthy, interrupted entry in ``crawl_runs``
(so ``tinlaodong sites``, the health feed and alerts show it, and the next crawl takes it),
besides its row in ``scheduled_runs``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from aggregator.health import Health
from aggregator.registry import format_duration
from aggregator.scheduling.history import RunHistory, RunRecord
from aggregator.scheduling.jobs import CrawlRequest
from aggregator.scheduling.runner import LIVE, CommandResult, LiveProcesses, run_command
from aggregator.store import CrawlRecord, open_store
from aggregator.store.database import create_store_engine, database_url

logger = logging.getLogger("tinlaodong.schedule")

STDERR_TAIL_LINES = 5


def crawl_job(**kwargs: Any) -> None:
    """The scheduler's entry point; see :class:`CrawlRequest` for the arguments."""
    run_scheduled_crawl(CrawlRequest.from_kwargs(kwargs))


def run_scheduled_crawl(
    request: CrawlRequest, argv: Sequence[str] | None = None, live: LiveProcesses = LIVE
) -> RunRecord | None:
    """Crawl the request's sites (``argv``: another command, for tests); None if not started
    because the service is stopping."""
    names = " ".join(request.site_ids)
    logger.info("crawl %s: started", names)
    result = run_command(argv or request.argv(), request.timeout, live)
    if not result.started_ok:
        logger.info("crawl %s: not started, shutting down", names)
        return None
    reports = parse_reports(result.stdout)
    record = _run_record(request, result, reports, stopped=live.closed)
    _log(record, reports, request.timeout)
    _persist(request, record, reports)
    return record


def parse_reports(stdout: str) -> dict[str, dict[str, Any]]:
    """The per-site JSON lines of ``crawl --json``, by site id (other lines ignored)."""
    reports = {}
    for line in stdout.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get("site"), str):
            reports[row["site"]] = row
    return reports


def _run_record(
    request: CrawlRequest, result: CommandResult, reports: dict[str, dict[str, Any]], stopped: bool
) -> RunRecord:
    if result.timed_out:
        outcome = "timed out"
    elif stopped and result.exit_code != 0:
        outcome = "stopped"  # terminated by our own shutdown
    else:
        outcome = "ok" if result.exit_code == 0 else "failed"
    tail = result.stderr.strip().splitlines()[-STDERR_TAIL_LINES:]
    return RunRecord(
        job_id=request.job_id,
        sites=request.site_ids,
        started=result.started,
        finished=result.finished,
        exit_code=result.exit_code,
        timed_out=result.timed_out,
        outcome=outcome,
        new_stories=sum(int(r.get("new_stories") or 0) for r in reports.values()),
        detail="\n".join(tail) if outcome != "ok" and tail else None,
    )


def _log(record: RunRecord, reports: dict[str, dict[str, Any]], timeout: float) -> None:
    took = f"{record.duration:.1f} s"
    for site_id in record.sites:
        report = reports.get(site_id)
        if report is not None and report.get("interrupted"):
            logger.warning(
                "crawl %s: interrupted (%s) in %s, not finished: due again; %s pages, "
                "%s new stories", site_id, record.outcome, took, report.get("pages"),
                report.get("new_stories"),
            )
        elif report is not None:
            logger.info(
                "crawl %s: %s in %s: %s pages, %s new stories, %s errors%s",
                site_id, record.outcome, took, report.get("pages"), report.get("new_stories"),
                report.get("errors"), ", unreachable" if report.get("unreachable") else "",
            )
        elif record.timed_out:
            logger.warning("crawl %s: killed at the %s time limit", site_id, _limit(timeout))
        elif record.outcome == "stopped":
            logger.info("crawl %s: stopped by the shutdown after %s", site_id, took)
        else:
            last = (record.detail or "no output").splitlines()[-1]
            logger.warning(
                "crawl %s: %s (exit %s) in %s: %s",
                site_id, record.outcome, record.exit_code, took, last,
            )


def _persist(
    request: CrawlRequest, record: RunRecord, reports: dict[str, dict[str, Any]]
) -> None:
    engine = create_store_engine(database_url(request.data_dir))
    try:
        RunHistory(engine).record(record)
    finally:
        engine.dispose()
    unreported = [s for s in request.site_ids if s not in reports]
    if unreported and record.outcome in ("timed out", "failed"):
        _record_unhealthy(request, record, unreported)


def _record_unhealthy(request: CrawlRequest, record: RunRecord, site_ids: list[str]) -> None:
    if record.timed_out:
        reason = f"crawl killed at the {_limit(request.timeout)} time limit"
    else:
        reason = f"crawl process failed (exit {record.exit_code})"
    store = open_store(request.data_dir)
    try:
        store.record_crawl(
            [
                CrawlRecord(
                    site_id=site_id,
                    started=record.started,
                    finished=record.finished,
                    pages=0,
                    new_stories=0,
                    new_sources=0,
                    errors=1,
                    unreachable=False,
                    health=Health(False, reason),
                    interrupted=True,  # not crawled: due at the next crawl
                )
                for site_id in site_ids
            ]
        )
    finally:
        store.close()


def _limit(seconds: float) -> str:
    whole = timedelta(seconds=int(seconds))
    return format_duration(whole) if whole >= timedelta(minutes=1) else f"{seconds:g} s"
