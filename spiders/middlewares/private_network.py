"""Refuse loopback and private addresses, unless the site's registry entry allows them.

A public site must not be able to point the crawler at the operator's own network (by a link,
a redirect or a DNS record). The check runs after DNS resolution, on every request, redirects
included; the offline mirror's entries carry ``allow_private_network: true``.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from aggregator.exceptions import PrivateNetworkRefused

logger = logging.getLogger("tinlaodong.crawl")


def ip_literal(host: str) -> str | None:
    """The address a host name spells out without DNS, or None.

    Besides the usual forms, the numeric ones the system resolver also accepts (``2130706433``,
    ``0x7f.1``, ``127.1``, ``0177.0.0.1``): they reach the same loopback address.
    """
    host = host.strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host) and host[0].isdigit():
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


class PrivateNetworkMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateNetworkMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        site = getattr(self.crawler.spider, "site", None)
        if site is not None and site.allow_private_network:
            return None
        host = urlparse_cached(request).hostname or ""
        address = await self._resolve(host)
        if address is not None and is_private(address):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("tinlaodong/private_network_refused")
            site_id = site.id if site is not None else "?"
            logger.warning(
                "site %s: refused %s: %s is a private or loopback address",
                site_id,
                request.url,
                address,
            )
            reason = f"private network address {address}"
            raise IgnoreRequest(reason) from PrivateNetworkRefused(reason)
        return None

    async def _resolve(self, host: str) -> str | None:
        literal = ip_literal(host)
        if literal is not None:
            return literal
        from twisted.internet import reactor

        try:
            # Scrapy's caching resolver: the download that follows reuses this answer.
            resolved = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined,arg-type]
        except Exception:  # the download itself will report the DNS failure, once
            return None
        return str(resolved)
