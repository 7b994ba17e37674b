"""``scrapy crawl site -a site=ID`` ends as ``tinlaodong crawl --site ID`` does.

``scrapy.cfg`` names :mod:`aggregator.app.scrapy_settings`: the crawl's own settings plus
:class:`CrawlJobExtension`, which hands the finished crawl to the crawl job
(:meth:`aggregator.app.crawl_job.CrawlJob.conclude`): health, the crawl record, the search
index, the feeds and the alerts. ``tinlaodong crawl`` builds its crawlers from
``spiders.settings`` alone and concludes once for all its sites.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from aggregator.app.crawl_job import CrawlJob, CrawlOutcome
from aggregator.paths import data_dir, feeds_dir
from aggregator.registry import load_registry
from spiders.runner import site_report
from spiders.site_spider import SiteSpider

logger = logging.getLogger("tinlaodong.crawl")


class CrawlJobExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started = datetime.now(UTC)
        self.outcome: CrawlOutcome | None = None  # once the spider has closed

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlJobExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = datetime.now(UTC)

    def spider_closed(self, spider: Spider) -> None:
        if not isinstance(spider, SiteSpider) or getattr(spider, "site", None) is None:
            return
        settings = self.crawler.settings
        rules = settings.get("TINLAODONG_RULES_FILE") or None
        registry = load_registry(spider.registry_file(settings))
        job = CrawlJob(
            data_dir(settings.get("TINLAODONG_DATA_DIR") or None),
            [spider.site],
            feed_sites=registry.sites,
            rules_file=Path(rules) if rules else None,
            overrides={"TINLAODONG_DATABASE_URL": settings.get("TINLAODONG_DATABASE_URL")},
        )
        report = site_report(spider.site, self.crawler)
        store = job.open_store()
        try:
            outcome = job.conclude(store, [report], self.started, datetime.now(UTC))
        finally:
            store.close()
        self.outcome = outcome
        logger.info(
            "site %s: crawl recorded, feeds %s in %s, %d alerts delivered",
            spider.site.id,
            "NOT WRITTEN" if outcome.feeds_failed else "up to date",
            feeds_dir(job.data_dir),
            outcome.alerts.delivered,
        )
