"""Turn a fetched page into an Article with the site's page objects and trafilatura."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from aggregator.exceptions import ExtractionError
from aggregator.extraction import extract_article
from spiders.items import PageItem

logger = logging.getLogger("tinlaodong.crawl")


class ExtractArticlePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        # For site health: many pages under one title means the title selector broke.
        self.titles: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractArticlePipeline:
        return cls(crawler)

    def process_item(self, item: PageItem) -> PageItem:
        stats = self.crawler.stats
        assert stats is not None
        try:
            item.article = extract_article(
                item.body, url=item.url, profile=item.profile, http_charset=item.http_charset
            )
        except ExtractionError as exc:
            stats.inc_value("tinlaodong/extract_failed")
            stats.inc_value("tinlaodong/page_errors")
            logger.warning("site %s: no article at %s: %s", item.site_id, item.url, exc)
            raise DropItem(f"no article at {item.url}") from exc
        stats.inc_value("tinlaodong/extracted")
        article = item.article
        stats.inc_value("tinlaodong/body_chars", len(article.text))
        if article.published is not None:
            stats.inc_value("tinlaodong/with_date")
        self.titles.add(article.title or "")
        stats.set_value("tinlaodong/distinct_titles", len(self.titles))
        return item
