"""Politeness that holds across workers: one request to a host per interval, whichever worker
sends it.

Scrapy's delays and per-domain limits (AUTOTHROTTLE, CONCURRENT_REQUESTS_PER_DOMAIN) count
one process's requests: four workers would hit a department's server four times as hard as
one. Before each request, this downloader middleware takes the host's slot in Redis (one
atomic script: exactly one worker gets it), or waits until the slot is free and tries again. The
interval is ``TINLAODONG_SHARED_DOMAIN_DELAY`` seconds (0 turns it off: ``--no-throttle`` on
one's own mirror); the key is the host and port, so two sites on one address are two hosts.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

logger = logging.getLogger("tinlaodong.worker")

DELAY_SETTING = "TINLAODONG_SHARED_DOMAIN_DELAY"
# Two requests a second to one host from all workers together: the portals are small
# government servers; a single ``crawl`` with AUTOTHROTTLE is gentler on a slow one still.
DEFAULT_DELAY = 0.5

# Take the host's slot if it is free: returns 0 (taken) or how many milliseconds until it is.
# Nothing is reserved ahead: a worker whose reactor was busy when its turn came does not
# send a burst of requests that queued up meanwhile; each try takes the slot or waits again.
_TAKE_SLOT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
if next_free > now_ms then return next_free - now_ms end
redis.call('SET', KEYS[1], now_ms + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 60000)
return 0
"""


class SharedPoliteness:
    def __init__(self, server: Any, prefix: str, delay: float) -> None:
        self.server = server
        self.prefix = prefix
        self.interval_ms = int(delay * 1000)
        self._take = server.register_script(_TAKE_SLOT)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPoliteness:
        settings = crawler.settings
        delay = settings.getfloat(DELAY_SETTING, DEFAULT_DELAY)
        if delay <= 0 or not settings.get("REDIS_URL"):
            raise NotConfigured
        from scrapy_redis.connection import get_redis_from_settings

        prefix = settings.get("TINLAODONG_REDIS_PREFIX") or "tinlaodong"
        return cls(get_redis_from_settings(settings), prefix, delay)

    def host_key(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{self.prefix}:host:{parts.hostname or ''}:{parts.port or parts.scheme}"

    async def process_request(self, request: Request, spider: Spider) -> None:
        # Imported here: importing the reactor module installs one if none is yet.
        from twisted.internet import reactor

        key = self.host_key(request.url)
        while wait_ms := int(self._take(keys=[key], args=[self.interval_ms])):
            # A little past the slot's start: waiters do not all wake at the same instant.
            await maybe_deferred_to_future(deferLater(reactor, wait_ms / 1000 + 0.001))
        return None
