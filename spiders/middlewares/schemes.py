"""Only http and https, for every site, even one allowed private networks.

Scrapy also downloads ``file://``, ``ftp://``, ``s3://`` and ``data:`` URLs: a link, feed entry
or sitemap ``<loc>`` naming one must not make the crawler read a local file or speak another
protocol. Requests are refused before anything is contacted (redirects to such URLs: see
``redirects.py``); the settings also switch those download handlers off.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached

from aggregator.exceptions import SchemeRefused

ALLOWED = frozenset({"http", "https"})


def scheme_of(url: str) -> str:
    scheme, sep, _ = url.partition(":")
    return scheme.strip().lower() if sep else ""


class HttpOnlyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HttpOnlyMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        scheme = urlparse_cached(request).scheme.lower()
        if scheme not in ALLOWED:
            self._refuse(f"refused: not an http(s) URL ({scheme or 'no'} scheme)")
        return None

    def _refuse(self, reason: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("tinlaodong/scheme_refused")
        raise IgnoreRequest(reason) from SchemeRefused(reason)
