"""``scrapy crawl`` ends by bringing the feeds in the data directory up to date."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from aggregator.paths import data_dir, feeds_dir
from aggregator.publish import update_feeds
from spiders.store_access import release_store, store_from_settings

logger = logging.getLogger("tinlaodong.feeds")


class FeedUpdate:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FeedUpdate:
        if not crawler.settings.getbool("TINLAODONG_UPDATE_FEEDS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self) -> None:
        site = getattr(self.crawler.spider, "site", None)
        if site is None:
            return
        store = store_from_settings(self.crawler.settings)
        try:
            out = feeds_dir(data_dir(self.crawler.settings.get("TINLAODONG_DATA_DIR") or None))
            written = update_feeds(store, [site], out)
        finally:
            release_store(self.crawler.settings, store)
        logger.info("feeds updated: %d files in %s", len(written), out)
