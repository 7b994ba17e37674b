"""A bare Scrapy crawl that only downloads: the URLs of a file, nothing parsed or stored.

    .venv/bin/python bench/download_spider.py URLS_FILE

Prints one JSON object: pages downloaded, bytes. The same lifted politeness as the benchmark's
crawl (no robots.txt, no delay, no AutoThrottle, 32 requests per host).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

SETTINGS = {
    "ROBOTSTXT_OBEY": False,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "STATS_DUMP": False,
}


class DownloadOnly(scrapy.Spider):
    name = "download-only"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> Any:
        for url in self.urls:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        yield from ()


def main(argv: list[str]) -> int:
    urls = Path(argv[0]).read_text(encoding="utf-8").split()
    process = CrawlerProcess(SETTINGS)
    crawler = process.create_crawler(DownloadOnly)
    process.crawl(crawler, urls=urls)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    print(
        json.dumps(
            {
                "pages": stats.get("downloader/response_status_count/200", 0),
                "bytes": stats.get("downloader/response_bytes", 0),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
