"""Store each article once; an exact copy on another URL becomes another source."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

from aggregator.exceptions import StoreError
from aggregator.store import AddResult, StoryStore
from spiders.items import PageItem
from spiders.store_access import store_from_settings

logger = logging.getLogger("tinlaodong.crawl")

_STAT = {
    AddResult.NEW_STORY: "tinlaodong/new_stories",
    AddResult.NEW_SOURCE: "tinlaodong/new_sources",
    AddResult.KNOWN_URL: "tinlaodong/known_urls",
}


class StoreArticlePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: StoryStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        # Opened here, not in __init__: a crawler that never starts holds no connection.
        self.store = store_from_settings(self.crawler.settings)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()

    def process_item(self, item: PageItem) -> PageItem:
        assert self.store is not None and item.article is not None
        stats = self.crawler.stats
        assert stats is not None
        try:
            result = self.store.add_article(item.site_id, item.url, item.article)
        except StoreError as exc:
            stats.inc_value("tinlaodong/store_failed")
            logger.error("site %s: cannot store %s: %s", item.site_id, item.url, exc)
            return item
        stats.inc_value(_STAT[result])
        if result is not AddResult.KNOWN_URL:
            logger.info(
                "site %s: %s: %s <%s>", item.site_id, result.value, item.article.title, item.url
            )
        return item
