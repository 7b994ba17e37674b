"""What a crawl prints when it ends: one line per site, then where the feeds are."""

from __future__ import annotations

import json
import signal
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aggregator.health import HEALTHY, Health
from aggregator.paths import feeds_dir

# Annotations only: `tinlaodong --help` builds every command's parser and must not import
# Scrapy, the store or the alerts.
if TYPE_CHECKING:
    from aggregator.alerts import SendReport
    from aggregator.app.crawl_job import CrawlOutcome
    from spiders.runner import SiteReport


def print_outcome(outcome: CrawlOutcome, data_dir: Path, as_json: bool = False) -> None:
    """A crawl job's outcome: a line per site (or JSON lines), then the feeds and alerts."""
    print_reports(outcome.reports, outcome.health, as_json)
    if not as_json:
        if outcome.feeds_failed:
            print(f"feeds: NOT WRITTEN in {feeds_dir(data_dir)}/ (see the error above)")
        else:
            print_feeds(outcome.feeds, feeds_dir(data_dir))
        print_alerts(outcome.alerts)


def print_reports(
    reports: Sequence[SiteReport], health: Mapping[str, Health], as_json: bool = False
) -> None:
    if as_json:
        for report in reports:
            verdict = health.get(report.site_id, HEALTHY)
            row = {**report.to_dict(), "healthy": verdict.healthy, "health": verdict.reason}
            print(json.dumps(row, ensure_ascii=False))
        return
    width = max([len(r.site_id) for r in reports] + [4])
    print(f"{'site':<{width}}  pages  new stories  new sources  known  errors  status")
    for r in reports:
        if r.interrupted:
            status = "INTERRUPTED (due again)"
        else:
            status = "unreachable" if r.unreachable else ("no pages" if r.pages == 0 else "ok")
        if r.writes_failed:
            status += f", {r.writes_failed} WRITES FAILED (nothing lost; crawl again)"
        if r.redirected_to:
            status += f", moved to {r.redirected_to}"
        verdict = health.get(r.site_id, HEALTHY)
        if not verdict.healthy:
            status += f", UNHEALTHY: {verdict.reason}"
        print(
            f"{r.site_id:<{width}}  {r.pages:>5}  {r.new_stories:>11}  {r.new_sources:>11}"
            f"  {r.skipped_known:>5}  {r.errors:>6}  {status}"
        )
        if r.not_article_pages or r.not_articles_skipped:
            print(
                f"{'':<{width}}  not articles: {len(r.not_article_pages)} read (listings, the "
                f"site's own pages), {r.not_articles_skipped} remembered ones not fetched"
            )
        if r.faults:
            # What the errors were (and limits met), by kind: one line, under the site's.
            print(f"{'':<{width}}  faults: " + ", ".join(f"{k} {n}" for k, n in r.faults.items()))


def interruption_line(reports: Sequence[SiteReport], signum: int, command: str = "crawl") -> str:
    """What an interrupted crawl says when it ends: by what, and which sites stay due."""
    unfinished = [r.site_id for r in reports if r.interrupted]
    return (
        f"tinlaodong {command}: interrupted by {signal.Signals(signum).name}: "
        f"{len(reports) - len(unfinished)} of {len(reports)} sites finished; "
        f"{', '.join(unfinished)} were not and are due at the next crawl"
    )


def print_feeds(written: Sequence[Path], feeds_dir: Path) -> None:
    rss = sum(1 for p in written if p.name.endswith(".rss.xml"))
    atom = sum(1 for p in written if p.name.endswith(".atom.xml"))
    print(
        f"feeds: {rss} RSS and {atom} Atom feeds in {feeds_dir}/ (all: {feeds_dir / 'all.rss.xml'})"
    )


def print_alerts(report: SendReport) -> None:
    if report.skipped:
        print(f"alerts: left to the sender at work ({report.skipped})")
    elif report.messages or report.refused or report.retrying or report.failed:
        print(
            f"alerts: {report.delivered} delivered, {report.retrying} pending, "
            f"{report.failed} failed ({report.messages} messages accepted, "
            f"{report.refused} refused; see tinlaodong alerts status)"
        )
