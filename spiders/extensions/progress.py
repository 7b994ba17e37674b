"""Progress lines on long crawls: pages fetched and stories found so far, per site."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger("tinlaodong.crawl")


class CrawlProgress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        interval = crawler.settings.getfloat("TINLAODONG_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.loop = task.LoopingCall(self.log)
        self.loop.start(self.interval, now=False)

    def log(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        site = getattr(self.crawler.spider, "site", None)
        logger.info(
            "site %s: %d pages fetched, %d new stories, %d errors so far",
            site.id if site is not None else "?",
            stats.get_value("tinlaodong/pages_ok", 0),
            stats.get_value("tinlaodong/new_stories", 0),
            stats.get_value("tinlaodong/page_errors", 0),
        )

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
