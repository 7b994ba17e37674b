"""``tinlaodong crawl``: crawl the registry (or a file of one's own), store, update the feeds."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aggregator.exceptions import ConfigError

# The crawl's own modules (Scrapy, the store, the alerts) are imported when a crawl runs, not
# when the command line is parsed: `tinlaodong <any command> --help` stays quick.
if TYPE_CHECKING:
    from aggregator.alerts import SendReport
    from aggregator.health import Health
    from aggregator.registry import Site
    from aggregator.store import CrawlRecord, StoryStore
    from spiders.runner import SiteReport

logger = logging.getLogger("tinlaodong.crawl")


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "crawl",
        parents=[parent],
        help="crawl the sites of the registry, store new stories, update the feeds",
        description=(
            "Crawl every site of the registry (or those named by --site), store each new story "
            "once, and bring the feeds in the data directory up to date. Exits 1 only if every "
            "site failed."
        ),
    )
    add_site_options(parser)
    parser.add_argument(
        "--all",
        action="store_true",
        help="crawl every selected site now, not only those due (see crawl_every)",
    )
    parser.add_argument(
        "--rules",
        type=Path,
        help="watch rules (YAML): queue an alert for each new story one matches, deliver "
        "them when the crawl ends (default: DATA_DIR/rules.yaml if present)",
    )
    add_settings_option(parser)
    add_no_throttle_option(parser)
    parser.set_defaults(func=run)


def add_no_throttle_option(parser: argparse.ArgumentParser) -> None:
    """--no-throttle (crawl, worker); apply it with :func:`unthrottled`."""
    parser.add_argument(
        "--no-throttle",
        action="store_true",
        help="lift the politeness delays and per-domain limits: for one's own mirror only "
        "(never against a real site)",
    )


# What --no-throttle changes: no AutoThrottle, no delay, the per-site limit at the global one.
UNTHROTTLED: dict[str, object] = {
    "AUTOTHROTTLE_ENABLED": False,
    # No jitter setting: a random share of no delay is none (and Scrapy 2.19 warns on every
    # crawl that RANDOMIZE_DOWNLOAD_DELAY is deprecated).
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "CONCURRENT_REQUESTS_PER_IP": 0,
    "TINLAODONG_SHARED_DOMAIN_DELAY": 0,  # workers' shared politeness (spiders.shared_politeness)
}


def unthrottled(overrides: Mapping[str, object]) -> dict[str, object]:
    """``overrides`` with politeness off (explicit ``-s`` settings still win), and one warning."""
    logger.warning(
        "politeness is off (--no-throttle): no AutoThrottle, no download delay, up to %s "
        "requests at once per site; for one's own mirror, never a real site",
        overrides.get(
            "CONCURRENT_REQUESTS_PER_DOMAIN", UNTHROTTLED["CONCURRENT_REQUESTS_PER_DOMAIN"]
        ),
    )
    return {**UNTHROTTLED, **overrides}


def add_site_options(parser: argparse.ArgumentParser) -> None:
    """--sites, --site and --json: which sites to crawl and how to report (crawl, worker)."""
    parser.add_argument(
        "--sites", type=Path, help="a registry file of one's own (YAML, sites: list)"
    )
    parser.add_argument(
        "--site",
        dest="site_ids",
        action="append",
        default=[],
        metavar="ID",
        help="crawl only this site (repeatable)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the per-site report as JSON lines"
    )


def add_settings_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting, e.g. -s AUTOTHROTTLE_START_DELAY=0.5 (repeatable)",
    )


def parse_settings(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--set expects NAME=VALUE, got {pair!r}")
        settings[name.strip()] = value
    return settings


def crawl_and_publish(
    sites: tuple[Site, ...],
    data_dir: Path,
    *,
    as_json: bool = False,
    overrides: Mapping[str, object] | None = None,
    feed_sites: Sequence[Site] | None = None,
    rules_file: Path | None = None,
) -> list[SiteReport]:
    """Crawl ``sites``, then rewrite the feeds once (per-site feeds for ``feed_sites``, by
    default the crawled sites) and deliver the alerts the crawl queued (watch rules:
    ``rules_file``, else ``DATA_DIR/rules.yaml``); prints the reports."""
    from aggregator.alerts import SendReport, deliver, rules_in_force
    from aggregator.alerts.outbox import PENDING, status_counts
    from aggregator.cli.reporting import print_feeds, print_reports
    from aggregator.paths import feeds_dir
    from aggregator.publish import update_feeds
    from aggregator.registry import Registry
    from aggregator.search import refresh_index
    from aggregator.search.alongside import IndexAlongside
    from aggregator.store import open_store
    from spiders.pipelines.extract_article import feeds_pool, started_pool, stop_pools
    from spiders.runner import run_crawl

    known = tuple(feed_sites or sites)
    # Read before the crawl: a bad rules file is one line, not a crawl that alerts nobody.
    rules = rules_in_force(data_dir, rules_file, known)
    if rules_file is not None:
        overrides = {**(overrides or {}), "TINLAODONG_RULES_FILE": str(rules_file.resolve())}
    # Opened before the crawl so that a bad data directory is one line, not a Scrapy traceback;
    # the crawlers share it.
    url = (overrides or {}).get("TINLAODONG_DATABASE_URL")
    store = open_store(data_dir, str(url) if url else None)
    started = datetime.now(UTC)
    with IndexAlongside(store.engine, started_pool):
        reports = run_crawl(sites, data_dir, overrides, store=store)
    finished = datetime.now(UTC)
    try:
        health = {r.site_id: judge(store, r) for r in reports}
        store.record_crawl([_record(r, started, finished, health[r.site_id]) for r in reports])
        # Search index and tags first: the topic feeds are built from the tags.
        refresh_index(store.engine, pool=started_pool())
        stop_pools()
        with feeds_pool() as pool:
            written = update_feeds(store, feed_sites or sites, feeds_dir(data_dir), pool=pool)
        pending = status_counts(store.engine)[PENDING]
    finally:
        store.close()
    # After record_crawl: the health rules see this crawl's verdicts.
    sent = deliver(data_dir, Registry(known), rules) if rules or pending else SendReport()
    print_reports(reports, health, as_json)
    if not as_json:
        print_feeds(written, feeds_dir(data_dir))
        print_alerts(sent)
    return reports


def print_alerts(report: SendReport) -> None:
    if report.skipped:
        print(f"alerts: left to the sender at work ({report.skipped})")
    elif report.messages or report.refused or report.retrying or report.failed:
        print(
            f"alerts: {report.delivered} delivered, {report.retrying} pending, "
            f"{report.failed} failed ({report.messages} messages accepted, "
            f"{report.refused} refused; see tinlaodong alerts status)"
        )


def judge(store: StoryStore, report: SiteReport) -> Health:
    """This crawl against the site's usual crawls; an unreachable site is another matter."""
    from aggregator.health import HEALTHY, assess, baseline

    if report.unreachable:
        return HEALTHY
    health = assess(report.metrics, baseline(store.metrics_history(report.site_id)))
    if not health.healthy:
        logger.warning("site %s: unhealthy: %s", report.site_id, health.reason)
    return health


def _record(
    report: SiteReport, started: datetime, finished: datetime, health: Health
) -> CrawlRecord:
    from aggregator.store import CrawlRecord

    return CrawlRecord(
        site_id=report.site_id,
        started=started,
        finished=finished,
        pages=report.pages,
        new_stories=report.new_stories,
        new_sources=report.new_sources,
        errors=report.errors,
        unreachable=report.unreachable,
        redirected_to=report.redirected_to,
        metrics=report.metrics,
        health=health,
    )


def run(args: argparse.Namespace) -> int:
    from spiders.heap import collector_tuned

    # From the start: most of what this process allocates before the crawl, the modules it
    # imports first, lives until it ends.
    with collector_tuned():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from aggregator.registry import load_registry

    registry = load_registry(args.sites)
    sites = registry.select(args.site_ids)
    overrides: dict[str, object] = dict(parse_settings(args.settings))
    if args.no_throttle:
        overrides = unthrottled(overrides)
    if not (args.site_ids or args.all):
        sites = due_sites(sites, args.data_dir)
        if not sites:
            print("no site is due (each is crawled every crawl_every; --all crawls them now)")
            return 0
    reports = crawl_and_publish(
        sites,
        args.data_dir,
        as_json=args.json,
        overrides=overrides,
        feed_sites=registry.sites,
        rules_file=args.rules,
    )
    return 1 if reports and all(r.failed for r in reports) else 0


def due_sites(sites: tuple[Site, ...], data_dir: Path) -> tuple[Site, ...]:
    """Sites whose last crawl is older than their ``crawl_every`` (archived ones: rarely)."""
    from aggregator.store import open_store

    store = open_store(data_dir)
    try:
        activity = store.site_activity()
    finally:
        store.close()
    now = datetime.now(UTC)
    due = []
    for site in sites:
        last = activity[site.id].last_crawl if site.id in activity else None
        if last is None or now - last >= site.crawl_every:
            due.append(site)
    if len(due) < len(sites):
        logger.info(
            "%d of %d sites are due; the others were crawled within their crawl_every",
            len(due),
            len(sites),
        )
    return tuple(due)
