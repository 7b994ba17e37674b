"""Turn a fetched page into an Article with the site's page objects and trafilatura, in the
crawl's extraction workers (:mod:`spiders.extraction_workers`): those the run handed the
spider (argument ``extraction_workers``), else the pipeline's own, stopped when the spider
closes. The stats are counted here, in the crawl's process, the same either way;
``tinlaodong/time/extract_cpu_us`` adds up the CPU microseconds spent extracting.

A page given up past its CPU deadline (``TINLAODONG_EXTRACT_DEADLINE``) is one line naming the
site and the URL, and the fault ``extract_timeout`` in the crawl report; a page cut down to its
limits (``aggregator.page_limits``) is stored, with one line and the fault ``page_cut``.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from aggregator.extraction_faults import PAGE_CUT
from spiders.extraction_workers import DEADLINE_SETTING, ExtractionWorkers
from spiders.items import PageItem

logger = logging.getLogger("tinlaodong.crawl")

WORKERS_ARG = "extraction_workers"


class ExtractArticlePipeline:
    def __init__(self, crawler: Crawler, workers: ExtractionWorkers | None = None) -> None:
        self.crawler = crawler
        self.workers = workers
        self.own_workers = False
        # For site health: many pages under one title means the title selector broke.
        self.titles: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
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
        outcome = await self.workers.extract(item.body, item.url, item.profile, item.http_charset)
        article, bodyprint, reason, cpu, fault = outcome
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("tinlaodong/time/extract_cpu_us", round(1e6 * cpu))
        if fault:
            stats.inc_value(f"tinlaodong/faults/{fault}")
        if article is None:
            stats.inc_value("tinlaodong/extract_failed")
            stats.inc_value("tinlaodong/page_errors")
            if fault:
                logger.warning(
                    "site %s: extraction given up at %s (%s, %s)",
                    item.site_id, item.url, reason, DEADLINE_SETTING,
                )  # fmt: skip
            else:
                logger.warning("site %s: no article at %s: %s", item.site_id, item.url, reason)
            raise DropItem(f"no article at {item.url}")
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
