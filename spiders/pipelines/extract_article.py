"""Turn a fetched page into an Article with the site's page objects and trafilatura, in the
crawl's extraction workers (:mod:`spiders.extraction_workers`): those the run handed the
spider (argument ``extraction_workers``), else the pipeline's own, stopped when the spider
closes. The stats are counted here, in the crawl's process, the same either way;
``tinlaodong/time/extract_cpu_us`` adds up the CPU microseconds spent extracting.

A page given up past its CPU deadline (``TINLAODONG_EXTRACT_DEADLINE``) is one line naming the
site and the URL, and the fault ``extract_timeout`` in the crawl report; a page cut down to its
limits (``aggregator.page_limits``) is stored, with one line and the fault ``page_cut``.

A page larger than ``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` alone would stop its site's downloads for
as long as it is extracted (Scrapy fetches nothing more while the responses in the pipelines
hold more bytes than that): while one is, the crawler's limit is raised by
``DOWNLOAD_MAXSIZE``, so the site's other pages keep coming, and the usual pages of every other
crawler are held within the usual bound.
"""

from __future__ import annotations

import logging
from typing import NoReturn

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from aggregator.extraction_faults import EXTRACT_TIMEOUT, NOT_AN_ARTICLE, PAGE_CUT
from spiders.extraction_workers import DEADLINE_SETTING, ExtractionWorkers
from spiders.items import PageItem

# The crawl stat holding the (url, reason) of each page taken for no article.
NOT_ARTICLE_PAGES = "tinlaodong/not_article_pages"
UNDATED_REASON = "no date shown: one of the site's own pages, not a news story"

logger = logging.getLogger("tinlaodong.crawl")

WORKERS_ARG = "extraction_workers"


class ExtractArticlePipeline:
    def __init__(self, crawler: Crawler, workers: ExtractionWorkers | None = None) -> None:
        self.crawler = crawler
        self.workers = workers
        self.own_workers = False
        # For site health: many pages under one title means the title selector broke.
        self.titles: set[str] = set()
        # Read when the spider opens: the crawler's limit on held response bytes, and how much
        # a big page being extracted raises it by.
        self.held_limit: int | None = None
        self.big_page_room = 0
        self.big_pages = 0  # being extracted

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.held_limit = self.crawler.settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE")
        self.big_page_room = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
        given = getattr(self.crawler.spider, WORKERS_ARG, None)
        if isinstance(given, ExtractionWorkers):
            self.workers = given
        elif self.workers is None:
            self.workers = ExtractionWorkers.from_settings(self.crawler.settings)
            self.own_workers = True

    def close_spider(self) -> None:
        if self.own_workers and self.workers is not None:
            self.workers.close()

    async def process_item(self, item: PageItem) -> PageItem:
        assert self.workers is not None
        big = self.held_limit is not None and len(item.body) > self.held_limit
        if big:
            self._room_for_big_pages(1)
        try:
            outcome = await self.workers.extract(
                item.body, item.url, item.profile, item.http_charset
            )
        finally:
            if big:
                self._room_for_big_pages(-1)
        article, bodyprint, reason, cpu, fault = outcome
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("tinlaodong/time/extract_cpu_us", round(1e6 * cpu))
        if fault == NOT_AN_ARTICLE:
            if item.found_in != "listing":
                # A listing or the site's own page, which a sitemap lists beside the news: no
                # error; remembered after the crawl and not fetched again for a while.
                self._not_an_article(item, reason.removeprefix(f"{item.url}: "))
            # Linked as an article by the site's own listing: the page objects may no longer
            # fit the site (a redesign): a failure, counted against its health, read again.
            fault = ""
        if fault:
            stats.inc_value(f"tinlaodong/faults/{fault}")
        if article is None:
            stats.inc_value("tinlaodong/extract_failed")
            stats.inc_value("tinlaodong/page_errors")
            if fault:
                setting = f", {DEADLINE_SETTING}" if fault == EXTRACT_TIMEOUT else ""
                logger.warning(
                    "site %s: extraction given up at %s (%s%s)",
                    item.site_id, item.url, reason, setting,
                )  # fmt: skip
            else:
                # The reason names the page first (the extraction's own message): once is enough.
                reason = reason.removeprefix(f"{item.url}: ")
                logger.warning("site %s: no article at %s: %s", item.site_id, item.url, reason)
            raise DropItem(f"no article at {item.url}")
        if article.published is None and item.found_in == "sitemap":
            # A portal's sitemap names its static pages (organisation, duties, contact) beside
            # its news: text, but no story; a news page shows its date.
            self._not_an_article(item, UNDATED_REASON)
        if fault == PAGE_CUT:
            logger.warning("site %s: page cut down at %s (%s)", item.site_id, item.url, reason)
        item.article, item.bodyprint = article, bodyprint
        stats.inc_value("tinlaodong/extracted")
        stats.inc_value("tinlaodong/body_chars", len(article.text))
        if article.published is not None:
            stats.inc_value("tinlaodong/with_date")
        self.titles.add(article.title or "")
        stats.set_value("tinlaodong/distinct_titles", len(self.titles))
        return item

    def _not_an_article(self, item: PageItem, reason: str) -> NoReturn:
        """Count, keep and log ``item`` as a page that is no article, and drop it."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("tinlaodong/not_article")
        found = stats.get_value(NOT_ARTICLE_PAGES)
        if found is None:  # one list a crawl, added to in place: not copied a page
            found = []
            stats.set_value(NOT_ARTICLE_PAGES, found)
        found.append((item.url, reason))
        logger.info("site %s: not an article: %s: %s", item.site_id, item.url, reason)
        raise DropItem(f"not an article: {item.url}")

    def _room_for_big_pages(self, change: int) -> None:
        """Count a big page in (1) or out (-1) of the extraction; the crawler's limit on the
        bytes of responses held is raised while there is one."""
        self.big_pages += change
        engine = self.crawler.engine
        slot = engine.scraper.slot if engine is not None else None
        if slot is not None and self.held_limit is not None:
            room = self.big_page_room if self.big_pages else 0
            slot.max_active_size = self.held_limit + room
