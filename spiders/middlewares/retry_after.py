"""Honour ``Retry-After`` on 429 and 503 answers, within a cap.

Scrapy's retry middleware retries a 429 at once, which is exactly what a site that asked us to
wait does not want. Here a retry waits as long as the site asked, up to
``TINLAODONG_MAX_RETRY_AFTER`` seconds; a site that asks for longer is skipped for the rest of
the crawl (one line), rather than holding the whole crawl up or being hammered anyway.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import task

from aggregator.exceptions import RetryAfterTooLong

logger = logging.getLogger("tinlaodong.crawl")

STATUSES = frozenset({429, 503})


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for (delay-seconds or an HTTP-date), or None."""
    if not value:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Runs before Scrapy's RetryMiddleware sees the response (priority above its 550)."""

    def __init__(self, crawler: Crawler, cap: float) -> None:
        self.crawler = crawler
        self.cap = cap
        self.retry_times = crawler.settings.getint("RETRY_TIMES")
        self.retry_codes = frozenset(int(c) for c in crawler.settings.getlist("RETRY_HTTP_CODES"))
        self.skipping: str | None = None  # why the site is skipped for the rest of the crawl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("retries are off")
        return cls(crawler, crawler.settings.getfloat("TINLAODONG_MAX_RETRY_AFTER"))

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in STATUSES:
            return response
        if self.skipping:
            # Already in flight when the site asked us to go away: drop it without another line.
            self._inc("rate_limited_dropped")
            request.errback = None
            raise IgnoreRequest(self.skipping) from RetryAfterTooLong(self.skipping)
        delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        if delay is None:
            return response
        if delay > self.cap:
            self._skip_site(response.status, delay)
            raise IgnoreRequest(self.skipping) from RetryAfterTooLong(self.skipping)
        if self._will_retry(request, response.status):
            self._inc("retry_after_waits")
            self._inc("faults/retry_after_wait")  # shown in the crawl report
            logger.info(
                "site %s: HTTP %d at %s: waiting %.0f s before retrying, as asked",
                self._site_id(),
                response.status,
                request.url,
                delay,
            )
            from twisted.internet import reactor

            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))  # type: ignore[arg-type]
        return response

    def _skip_site(self, status: int, delay: float) -> None:
        self._inc("rate_limited_skipped")
        self.skipping = (
            f"HTTP {status}, asked to retry after {delay:.0f} s, over the {self.cap:.0f} s cap "
            f"(TINLAODONG_MAX_RETRY_AFTER): site skipped for the rest of this crawl"
        )
        assert self.crawler.engine is not None
        # Not awaited: closing waits for the requests in progress, this one among them.
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="rate_limited"))

    def _will_retry(self, request: Request, status: int) -> bool:
        if request.meta.get("dont_retry") or status not in self.retry_codes:
            return False
        limit = request.meta.get("max_retry_times", self.retry_times)
        return int(request.meta.get("retry_times", 0)) < int(limit)

    def _site_id(self) -> str:
        site = getattr(self.crawler.spider, "site", None)
        return site.id if site is not None else "?"

    def _inc(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"tinlaodong/{key}")
