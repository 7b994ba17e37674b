"""One crawl of some sites, and everything that follows it.

After the crawl: each site's health against its usual crawls, the crawl record (what
``tinlaodong sites`` and the health feed show, and when a site is next due), the search index
and tags, the feeds, then delivery of the alerts the crawl queued. Every way of crawling ends
here (``tinlaodong crawl`` and ``demo`` through :meth:`CrawlJob.run`, ``scrapy crawl`` through
:meth:`CrawlJob.conclude` when its spider closes), so they behave the same.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from aggregator.alerts import SendReport, deliver, rules_in_force
from aggregator.alerts.outbox import PENDING, status_counts
from aggregator.app import tuning
from aggregator.exceptions import StoreError
from aggregator.faults import disk_full
from aggregator.health import HEALTHY, Health, assess, baseline
from aggregator.paths import feeds_dir
from aggregator.registry import Registry, Site
from aggregator.search import refresh_index
from aggregator.search.alongside import IndexAlongside
from aggregator.store import CrawlRecord, StoryStore, open_store
from aggregator.store.database import one_line, safe_url
from feeds.publish import update_feeds
from spiders.extraction_workers import ExtractionWorkers
from spiders.runner import SiteReport, crawl_settings, run_crawl

logger = logging.getLogger("tinlaodong.crawl")

RULES_FILE_SETTING = "TINLAODONG_RULES_FILE"

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


@dataclass(frozen=True)
class CrawlOutcome:
    """What a crawl did: per site, its report and health verdict; the feed files written; the
    alerts sent."""

    reports: list[SiteReport]
    health: dict[str, Health]
    feeds: list[Path]
    alerts: SendReport
    feeds_failed: bool = False  # the feeds could not be written (said in the log)
    store_failed: bool = False  # the crawl record could not be written (said in the log)

    @property
    def all_failed(self) -> bool:
        finished = [r for r in self.reports if not r.interrupted]
        return bool(finished) and all(r.failed for r in finished)

    @property
    def failed(self) -> bool:
        """Every site failed, or the feeds or the crawl record could not be written: the job
        must be run again."""
        return self.all_failed or self.feeds_failed or self.store_failed

    @property
    def interrupted_by(self) -> int | None:
        """The signal that stopped the crawl before some site was done (None: all were)."""
        return next((r.interrupted_by for r in self.reports if r.interrupted), None)


class CrawlJob:
    """Crawl ``sites`` into the store of ``data_dir``, then bring everything after it up to
    date: the feeds of ``feed_sites`` (by default the crawled sites) and the alerts of the
    watch rules (``rules_file``, else ``DATA_DIR/rules.yaml``).

    The rules are read when the job is made: a bad rules file is one line before any crawl,
    not a crawl that alerts nobody.
    """

    def __init__(
        self,
        data_dir: Path,
        sites: Sequence[Site],
        *,
        feed_sites: Sequence[Site] | None = None,
        rules_file: Path | None = None,
        overrides: Mapping[str, object] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.sites = tuple(sites)
        self.feed_sites = tuple(feed_sites or sites)
        self.rules = rules_in_force(data_dir, rules_file, self.feed_sites)
        self.overrides: dict[str, object] = dict(overrides or {})
        if rules_file is not None:
            self.overrides[RULES_FILE_SETTING] = str(rules_file.resolve())

    def open_store(self) -> StoryStore:
        url = self.overrides.get("TINLAODONG_DATABASE_URL")
        return open_store(self.data_dir, str(url) if url else None)

    def run(self) -> CrawlOutcome:
        """Crawl, then :meth:`conclude`; blocks until both are done."""
        # Opened before the crawl so that a bad data directory is one line, not a Scrapy
        # traceback; the crawlers share it.
        store = self.open_store()
        tuning.downloader_imported()
        settings = crawl_settings(self.data_dir, self.overrides)
        workers = ExtractionWorkers.from_settings(settings, setup=tuning.worker_setup)
        try:
            # Before the first thread (the indexer's, the store writer's): see the tuning.
            tuning.workers_forked(workers)
            started = datetime.now(UTC)
            with tuning.collector_tuned(), IndexAlongside(store.engine, workers.started):
                reports = run_crawl(
                    self.sites,
                    settings,
                    store=store,
                    extraction_workers=workers,
                    while_crawling=tuning.while_crawling,
                )
            return self.conclude(store, reports, started, datetime.now(UTC), workers)
        finally:
            workers.close()
            store.close()

    def conclude(
        self,
        store: StoryStore,
        reports: Sequence[SiteReport],
        started: datetime,
        finished: datetime,
        workers: ExtractionWorkers | None = None,
    ) -> CrawlOutcome:
        """Everything after a crawl of ``reports``' sites, in order: health, the crawl record
        (the health rules see this crawl's verdicts), the search index and tags (the topic
        feeds are built from the tags; in the crawl's ``workers`` if it started them, which
        are stopped after it), the feeds, the alerts."""
        health = {r.site_id: judge(store, r) for r in reports}
        records = [crawl_record(r, started, finished, health[r.site_id]) for r in reports]
        try:
            store.record_crawl(records)
            remember_not_articles(store, reports)
            refresh_index(store.engine, pool=workers.started() if workers is not None else None)
        except (StoreError, SQLAlchemyError) as exc:
            # A full disk or a database still locked when the crawl ends: the report is still
            # due, and what was stored before stays as it was; the sites are due again.
            logger.error("%s", store_failure(store, exc))
            store_failed = True
        else:
            store_failed = False
        if workers is not None:
            workers.close()  # their memory is not needed while the feeds are built
        tuning.stop_fork_server()
        written: list[Path] = []
        feeds_failed = False
        try:
            with tuning.feeds_helper() as pool:
                written = update_feeds(store, self.feed_sites, feeds_dir(self.data_dir), pool=pool)
        except OSError as exc:
            # A full disk or a bad feeds folder: the stories are stored, the alerts below do
            # not depend on the feeds, and the next crawl writes them.
            logger.error("cannot write the feeds in %s: %s", feeds_dir(self.data_dir), exc)
            feeds_failed = True
        if store_failed:
            # Sending now could not record what was sent: every alert would go again.
            sent = SendReport()
        elif self.rules or status_counts(store.engine)[PENDING]:
            sent = deliver(self.data_dir, Registry(self.feed_sites), self.rules)
        else:
            sent = SendReport()
        return CrawlOutcome(list(reports), health, written, sent, feeds_failed, store_failed)


def store_failure(store: StoryStore, exc: BaseException) -> str:
    """One line: why the crawl's record could not be written, naming the store."""
    url = store.engine.url
    where = url.database if url.get_backend_name() == "sqlite" else safe_url(str(url))
    cause = exc.__cause__ if isinstance(exc, StoreError) and exc.__cause__ else exc
    what = "disk full" if disk_full(cause) else "cannot write to the store"
    return (
        f"{what}: {where}: the crawl's record and search index were not written, no alert was "
        f"sent ({one_line(cause)}); the stories stored before are intact: crawl again once "
        "it can be written"
    )


def remember_not_articles(store: StoryStore, reports: Sequence[SiteReport]) -> None:
    """Remember the pages each site's crawl took for no article, that the next crawls skip
    them for the recheck window; not those of a crawl stopped half-way. Not remembering the
    verdicts of a suspect crawl was tried: every crawl then met the same pages again and was
    suspect again."""
    for report in reports:
        if report.not_article_pages and not report.interrupted:
            store.not_articles.remember(report.site_id, report.not_article_pages)


def judge(store: StoryStore, report: SiteReport) -> Health:
    """This crawl against the site's usual crawls; an unreachable site is another matter, and
    a crawl stopped half-way says nothing of the site."""
    if report.unreachable or report.interrupted:
        return HEALTHY
    health = assess(report.metrics, baseline(store.metrics_history(report.site_id)))
    if not health.healthy:
        logger.warning("site %s: unhealthy: %s", report.site_id, health.reason)
    return health


def crawl_record(
    report: SiteReport, started: datetime, finished: datetime, health: Health
) -> CrawlRecord:
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
        interrupted=report.interrupted,
    )


def due_sites(sites: Sequence[Site], data_dir: Path) -> tuple[Site, ...]:
    """Sites whose last crawl is older than their ``crawl_every`` (archived ones: rarely)."""
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
