"""Refuse loopback and private addresses, unless the site's registry entry allows them.

A public site must not be able to point the crawler at the operator's own network (by a link,
a redirect or a DNS record). Every request is checked, redirects included: first its host as
written, in any spelling (``aggregator.hosts``: numeric forms, trailing dots, percent-encoding,
IPv6 forms carrying an IPv4 address, names for this machine), which is all a proxy's client
can check; then, for a name, the address DNS gives it. The offline mirror's entries carry
``allow_private_network: true``.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from aggregator import hosts
from aggregator.exceptions import PrivateNetworkRefused

logger = logging.getLogger("tinlaodong.crawl")


def is_private(address: str) -> bool:
    """Whether a resolved address may not be fetched (``aggregator.hosts.refused_address``)."""
    parsed = hosts.address_of(address)
    return parsed is None or bool(hosts.refused_address(parsed))


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
        raw = urlparse_cached(request).hostname or ""
        host = hosts.classify(raw)
        why = host.refused
        # A name: checked after DNS too, when this machine can resolve it; as the download
        # will ask for it (the answer is cached for it) and, if it differs, as a proxy that
        # decodes it would. A name only the proxy resolves is left to the proxy's own egress
        # rules (docs/deployment.md).
        names = dict.fromkeys((raw, host.name)) if not why and host.address is None else {}
        for name in names:
            address = await self._resolve(name)
            if address is not None and hosts.refused_address(address):
                why = f"a name resolving to {address}, {hosts.refused_address(address)}"
                break
        if why:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("tinlaodong/private_network_refused")
            logger.warning(
                "site %s: refused %s: %s is %s; private or loopback addresses need "
                "allow_private_network",
                site.id if site is not None else "?",
                request.url,
                host.name or "''",
                why,
            )
            reason = f"private network address {host.name}: {why}"
            raise IgnoreRequest(reason) from PrivateNetworkRefused(reason)
        return None

    async def _resolve(self, name: str) -> hosts.Address | None:
        from twisted.internet import reactor

        try:
            # Scrapy's caching resolver: the download that follows reuses this answer.
            resolved = await maybe_deferred_to_future(reactor.resolve(name))  # type: ignore[attr-defined,arg-type]
        except Exception:  # the download itself will report the DNS failure, once
            return None
        return hosts.address_of(str(resolved))
