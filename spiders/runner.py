"""Running crawls in-process: one Scrapy crawler per site, all in one reactor run."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from aggregator.health import CrawlMetrics
from aggregator.logsetup import quiet_libraries
from aggregator.registry import Site
from aggregator.store import StoryStore
from spiders.extraction_workers import ExtractionWorkers
from spiders.pipelines.extract_article import NOT_ARTICLE_PAGES, WORKERS_ARG
from spiders.site_spider import SiteSpider
from spiders.store_access import STORE_ARG, WRITER_ARG, StoreWriter

FAULTS_PREFIX = "tinlaodong/faults/"
# Seconds an interrupted crawl waits for the downloads under way before it stops anyway.
STOP_GRACE_SETTING = "TINLAODONG_STOP_GRACE"

# Entered once the crawlers exist, around the reactor's run, with the crawl's settings: where
# the application wraps a crawl (``aggregator.app.tuning``).
CrawlHook = Callable[[Settings], AbstractContextManager[object]]


@dataclass(frozen=True)
class SiteReport:
    site_id: str
    name: str
    pages: int
    new_stories: int
    new_sources: int
    skipped_known: int
    errors: int
    unreachable: bool
    not_modified: int = 0
    # Pages fetched as articles that are none (listings, the site's own sign-in or site map
    # pages a sitemap lists), with why: not stored, no error, remembered if the site is well.
    not_article_pages: tuple[tuple[str, str], ...] = ()
    # Pages not fetched because a recent crawl took them for no article.
    not_articles_skipped: int = 0
    redirected_to: str | None = None
    metrics: CrawlMetrics = field(default_factory=CrawlMetrics)
    # What went wrong, by kind (``tinlaodong/faults/<kind>`` of the crawl stats): http_503,
    # timeout, too_large, not_html, page_limit, write_failed... Only kinds that happened.
    faults: Mapping[str, int] = field(default_factory=dict)
    # The signal (SIGINT, SIGTERM) that stopped the crawl before this site's was done, or
    # before it started: the site is not crawled and stays due.
    interrupted_by: int | None = None

    @property
    def interrupted(self) -> bool:
        return self.interrupted_by is not None

    @property
    def writes_failed(self) -> int:
        return self.faults.get("write_failed", 0)

    @property
    def failed(self) -> bool:
        """Nothing fetched, or something found that could not be stored (a locked database, a
        full disk): the next crawl must be run."""
        return self.unreachable or self.pages == 0 or self.writes_failed > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site_id,
            "pages": self.pages,
            "new_stories": self.new_stories,
            "new_sources": self.new_sources,
            "skipped_known": self.skipped_known,
            "errors": self.errors,
            "unreachable": self.unreachable,
            "not_modified": self.not_modified,
            "not_articles": len(self.not_article_pages),
            "not_articles_skipped": self.not_articles_skipped,
            "redirected_to": self.redirected_to,
            "writes_failed": self.writes_failed,
            "faults": dict(self.faults),
            "interrupted": self.interrupted,
        }


def crawl_settings(data_dir: Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    # A project's scrapy.cfg may name other settings; ours are the ones above.
    project = get_project_settings()
    for key in ("LOG_LEVEL",):
        settings.set(key, project.get(key), priority="project")
    # The CLI has installed its own one-line handler (aggregator.logsetup).
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    settings.set("TINLAODONG_DATA_DIR", str(data_dir), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


class SiteCrawlerProcess(CrawlerProcess):
    """A CrawlerProcess that crawls at most ``TINLAODONG_SITES_AT_ONCE`` sites at a time (0:
    all), the next one starting as one ends. Each site's crawler holds its own engine, queues
    and (unless the run shares one) store connection: all at once, a large registry's crawl
    grew with the number of sites, a few at a time keep it flat however many sites the
    registry has. ``spider_args``: more arguments for every site's spider (what the run
    shares: the store, the extraction workers)."""

    def __init__(self, settings: Settings, spider_args: Mapping[str, object] | None = None) -> None:
        super().__init__(settings)
        self.at_once = max(0, settings.getint("TINLAODONG_SITES_AT_ONCE"))
        self.spider_args = dict(spider_args or {})
        self.waiting: list[tuple[Crawler, Site]] = []
        self.stopping = False
        self.interrupted_by: int | None = None  # the signal that stopped the crawl
        self.early_signals: list[int] = []  # those that came before the reactor ran
        self.stop_grace = settings.getfloat(STOP_GRACE_SETTING)

    def crawl_sites(
        self,
        sites: Sequence[Site],
        configure: Callable[[Site, Crawler], None] | None = None,
    ) -> list[tuple[Site, Crawler]]:
        """Create a crawler per site (``configure`` sets it up) and start as many as allowed;
        the rest wait their turn."""
        crawlers = [(site, self.create_crawler(SiteSpider)) for site in sites]
        for site, crawler in crawlers:
            if configure is not None:
                configure(site, crawler)
        self.waiting = [(crawler, site) for site, crawler in crawlers]
        for _ in range(self.at_once or len(crawlers)):
            self._start_next()
        return crawlers

    def _start_next(self, _result: object = None) -> object:
        if self.waiting and not self.stopping:
            crawler, site = self.waiting.pop(0)
            # Added before the ended crawl leaves join()'s wait: the reactor keeps running.
            self.crawl(crawler, site=site, **self.spider_args).addBoth(self._start_next)
        return _result

    def stop(self) -> Any:
        self.stopping = True  # Ctrl-C: the sites still waiting are not started
        return super().stop()

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        # Scrapy's first SIGINT or SIGTERM: a graceful stop, which waits for every download
        # under way (a hanging page: DOWNLOAD_TIMEOUT). The signal is remembered (the crawl
        # says it was interrupted and exits as signalled commands do), and after the grace
        # period the reactor stops as on a second Ctrl-C: what was in flight is not stored,
        # and its site, unfinished, is crawled again next time.
        from twisted.internet import reactor

        self.interrupted_by = signum
        super()._signal_shutdown(signum, frame)
        reactor.callFromThread(reactor.callLater, self.stop_grace, self._stop_reactor)

    def catch_early_signals(self) -> None:
        """Until the reactor runs (Scrapy installs its handlers then), remember a SIGINT or
        SIGTERM and stop the crawl as soon as it runs: Python's KeyboardInterrupt, raised in
        the middle of starting the crawlers, was taken for one site's failure and the crawl
        went on."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, _frame: self.early_signals.append(signum))

    def _setup_reactor(self, install_signal_handlers: bool) -> None:
        from twisted.internet import reactor  # installed by now

        super()._setup_reactor(install_signal_handlers)
        # After Scrapy's own handlers are in place (an earlier trigger of the same startup).
        reactor.callWhenRunning(self._act_on_early_signals)

    def _act_on_early_signals(self) -> None:
        if self.early_signals:
            self._signal_shutdown(self.early_signals[0], None)

    def unfinished(self, crawler: Crawler) -> bool:
        """The crawl was interrupted before this crawler's spider finished (or started)."""
        if self.interrupted_by is None:
            return False
        return crawl_stats(crawler).get("finish_reason") in (None, "shutdown")


def run_crawl(
    sites: Sequence[Site],
    settings: Settings,
    *,
    store: StoryStore | None = None,
    extraction_workers: ExtractionWorkers | None = None,
    while_crawling: CrawlHook | None = None,
) -> list[SiteReport]:
    """Crawl ``sites`` with ``settings`` (:func:`crawl_settings`: into the store under their
    data directory); blocks until every site is done.

    ``store``: that store, opened by the caller, which every crawler then uses (writing in one
    thread) and none closes; ``extraction_workers``: the workers every crawler extracts in,
    which the caller stops (else the run starts its own and stops them); ``while_crawling``:
    see :data:`CrawlHook`.
    """
    writer = StoreWriter() if store is not None else None
    handlers = shutdown_handlers()
    shared: dict[str, object] = {}
    if store is not None:
        shared.update({STORE_ARG: store, WRITER_ARG: writer})
    with _shared_workers(settings, extraction_workers) as workers:
        shared[WORKERS_ARG] = workers
        try:
            process = SiteCrawlerProcess(settings, shared)
            process.catch_early_signals()
            quiet_libraries()  # Scrapy has just reset the log levels to its own defaults
            crawlers = process.crawl_sites(sites)
            with while_crawling(settings) if while_crawling else contextlib.nullcontext():
                process.start()
        finally:
            if writer is not None:
                writer.close()
    restore_shutdown_handlers(handlers)
    return [
        site_report(
            site,
            crawler,
            interrupted_by=process.interrupted_by if process.unfinished(crawler) else None,
        )
        for site, crawler in crawlers
    ]


def shutdown_handlers() -> dict[int, Any]:
    """The process's SIGINT and SIGTERM handlers, before a crawl replaces them."""
    return {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}


def restore_shutdown_handlers(handlers: dict[int, Any]) -> None:
    """Scrapy's shutdown handlers outlive its crawl, and after a first signal they only stop a
    reactor that is no longer running: put the process's own back (``demo`` serves the feeds
    afterwards and must stop on Ctrl-C and SIGTERM)."""
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


@contextlib.contextmanager
def _shared_workers(
    settings: Settings, given: ExtractionWorkers | None
) -> Iterator[ExtractionWorkers]:
    """``given``, else extraction workers of the run's own, stopped after it: one set of
    workers for all the run's crawlers, not one a crawler."""
    if given is not None:
        yield given
        return
    with ExtractionWorkers.from_settings(settings) as own:
        yield own


def crawl_stats(crawler: Crawler) -> dict[str, Any]:
    """The crawler's stats; none for a crawler never started (a crawl stopped first)."""
    try:
        stats = crawler.stats
    except RuntimeError:  # Scrapy: "Crawler.stats is not set yet"
        return {}
    return stats.get_stats() if stats is not None else {}


def site_report(site: Site, crawler: Crawler, *, interrupted_by: int | None = None) -> SiteReport:
    stats = crawl_stats(crawler)

    def value(key: str) -> int:
        return int(stats.get(f"tinlaodong/{key}", 0))

    pages = value("pages_ok")
    return SiteReport(
        site_id=site.id,
        name=site.name,
        pages=pages,
        new_stories=value("new_stories"),
        new_sources=value("new_sources"),
        skipped_known=value("known_skipped"),
        errors=value("page_errors") + value("store_failed"),
        unreachable=pages == 0 and value("start_failed") > 0,
        not_modified=value("not_modified"),
        not_article_pages=tuple(stats.get(NOT_ARTICLE_PAGES) or ()),
        not_articles_skipped=value("not_article_skipped"),
        redirected_to=stats.get("tinlaodong/redirected_to"),
        interrupted_by=interrupted_by,
        faults={
            key.removeprefix(FAULTS_PREFIX): int(count)
            for key, count in sorted(stats.items())
            if key.startswith(FAULTS_PREFIX) and count
        },
        metrics=CrawlMetrics(
            listing_pages=value("listing_pages"),
            listing_links=value("listing_links"),
            extracted=value("extracted"),
            extract_failed=value("extract_failed"),
            with_date=value("with_date"),
            body_chars=value("body_chars"),
            distinct_titles=value("distinct_titles"),
            not_articles=value("not_article"),
        ),
    )
