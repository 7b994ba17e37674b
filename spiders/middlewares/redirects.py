"""Redirects that must not be followed: loops, and targets that are not http(s).

Scrapy sends each redirect back through the scheduler, whose duplicate filter silently drops a
redirect to a URL of the same chain (``a -> b -> a``): the page would vanish with no error at
all. A redirect to ``file:``, ``javascript:`` or another scheme is not followed by Scrapy
either, but reported as a bare 3xx (or, for a URL a Request cannot hold, as a ValueError).
This middleware sees redirects before Scrapy's RedirectMiddleware (priority above its 600)
and fails such a request with its reason. Endless chains of new URLs are ended by Scrapy's
``REDIRECT_MAX_TIMES``.
"""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

from aggregator.exceptions import FetchRefused, RedirectLoop, SchemeRefused
from spiders.middlewares.schemes import ALLOWED, scheme_of

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        if request.meta.get("dont_redirect"):
            return response
        target = urljoin(request.url, safe_url_string(location))
        if scheme_of(target) not in ALLOWED:
            reason = f"refused: redirect to a non-http(s) URL {target[:200]}"
            self._refuse("scheme_refused", SchemeRefused(reason))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if _bare(target) in {_bare(url) for url in chain}:
            hops = [*chain, target] if len(chain) <= 3 else [chain[0], "...", *chain[-2:], target]
            self._refuse("redirect_loops", RedirectLoop("redirect loop: " + " -> ".join(hops)))
        return response

    def _refuse(self, stat: str, why: FetchRefused) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"tinlaodong/{stat}")
        raise IgnoreRequest(str(why)) from why


def _bare(url: str) -> str:
    return urldefrag(url).url
