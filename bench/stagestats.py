"""A Scrapy extension for the crawl benchmark: each crawler's stats, one JSON line per site.

Enabled only by the benchmark (``-s EXTENSIONS=...`` naming it and ``-s BENCH_STATS_FILE=PATH``):
the CLI's per-site report leaves out the counters the benchmark needs (bytes, 304s, the
pipelines' CPU-time counters ``tinlaodong/time/*``) and when the spider opened and closed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class StageStats:
    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path
        self.opened = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StageStats:
        path = crawler.settings.get("BENCH_STATS_FILE")
        if not path:
            raise NotConfigured
        ext = cls(crawler, Path(path))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.opened = time.time()

    def spider_closed(self) -> None:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        numbers = {k: v for k, v in stats.items() if isinstance(v, int | float)}
        site = getattr(getattr(self.crawler.spider, "site", None), "id", "?")
        line = {"site": site, "opened": self.opened, "closed": time.time(), "stats": numbers}
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
