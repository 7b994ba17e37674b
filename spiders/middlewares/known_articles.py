"""Skip article pages already stored: a re-crawl fetches only what is new."""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from aggregator.store import StoryStore
from spiders.store_access import store_from_settings


class KnownArticleMiddleware:
    def __init__(self, crawler: Crawler, store: StoryStore) -> None:
        self.crawler = crawler
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KnownArticleMiddleware:
        middleware = cls(crawler, store_from_settings(crawler.settings))
        crawler.signals.connect(middleware.store.close, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        if request.meta.get("tinlaodong_kind") != "article":
            return None
        if self.store.has_url(request.url):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("tinlaodong/known_skipped")
            raise IgnoreRequest("already stored")
        return None
