"""A site must not point the crawler at the operator's network or at another protocol.

A public-looking site cannot be served on loopback (loopback is private), so the downloader
middlewares are driven directly, with Scrapy's ``get_crawler`` and real ``Request`` objects,
and the redirects they would follow built by Scrapy's own RedirectMiddleware. One real crawl
checks the path through DNS resolution.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.resolver import CachingThreadedResolver, dnscache
from scrapy.utils.test import get_crawler

from aggregator.registry import Site
from spiders import discovery
from spiders.middlewares.private_network import PrivateNetworkMiddleware
from spiders.middlewares.redirects import RedirectGuardMiddleware
from spiders.middlewares.schemes import HttpOnlyMiddleware
from tests.helpers import FAST, static_site, tinlaodong, write_registry

PUBLIC = "https://sldtbxh.laichau.gov.vn"
PRIVATE_TARGETS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/admin",
    "http://10.0.0.5/",
    "http://10.255.1.1:9200/_cat/indices",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "http://[fd00::1]/",
    "http://0.0.0.0/",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1/",
    "http://127.1/",
    "http://0177.0.0.1/",
    # Spellings that passed when DNS was a proxy's (issue 21): decided before any DNS now.
    "http://127.0.0.1./",
    "http://localhost./",
    "http://%31%32%37.0.0.1/",
    "http://[::7f00:1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
    "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
    "http://[::ffff:0:7f00:1]/",  # IPv4-translated (SIIT)
    "http://[::ffff:0:a9fe:a9fe]/latest/meta-data/",
    "http://[fec0::1]/",  # site-local, deprecated but a private network's
    "http://[::5efe:7f00:1]/",  # ISATAP, and reserved ::/8
    "http://[2a00:1450::200:5efe:7f00:1]/",  # ISATAP under a public prefix
    "http://[::ffff:0:0:7f00:1]/",  # reserved ::/8
    "http://foo.localhost/",
    "http://localhost.localdomain/",
    "http://ip6-localhost/",
    "http://127.0.0.1%3A8080/",  # a proxy that decodes the host would read a port
]
# Public addresses, in the forms that carry one, stay allowed.
PUBLIC_TARGETS = [
    "http://203.162.4.190/tin-tuc/1234.html",
    "http://3416651966/",  # 203.166.0.190 as one number: public all the same
    "http://[2001:4860:4860::8888]/",
    "http://[64:ff9b::808:808]/",  # NAT64 of 8.8.8.8
    "http://8.8.8.8./",
]
OTHER_SCHEMES = [
    "file:///etc/passwd",
    "file://localhost/etc/shadow",
    "ftp://sldtbxh.laichau.gov.vn/pub/file.doc",
    "gopher://127.0.0.1:6379/_FLUSHALL",
    "data:text/html,<script>alert(1)</script>",
    "s3://bucket/key",
]
# Not even a Request can hold these; a redirect to one must still end cleanly.
REDIRECT_SCHEMES = [*OTHER_SCHEMES, "javascript:alert(1)", "about:blank"]


class _SiteSpider(scrapy.Spider):
    name = "ssrf-test"
    site: Site


def crawler_for(allow_private_network: bool) -> Crawler:
    crawler = get_crawler(_SiteSpider, {"REDIRECT_MAX_TIMES": 20})
    spider = _SiteSpider()
    spider.site = Site(
        id="laichau",
        name="Sở Nội vụ tỉnh Lai Châu",
        province="Lai Châu",
        start_urls=(PUBLIC + "/",),
        allow_private_network=allow_private_network,
    )
    crawler.spider = spider
    return crawler


def through_request_middlewares(crawler: Crawler, request: Request) -> None:
    """What happens to ``request`` before it is downloaded (raises IgnoreRequest if refused)."""
    HttpOnlyMiddleware.from_crawler(crawler).process_request(request)
    asyncio.run(PrivateNetworkMiddleware.from_crawler(crawler).process_request(request))


def redirect(crawler: Crawler, location: str) -> Request | Response:
    """A public page answering 302 to ``location``, through Scrapy's RedirectMiddleware and
    then our middlewares, as the downloader would (responses run from high to low priority)."""
    request = Request(PUBLIC + "/tin-tuc/bai-viet-1234.html")
    response = HtmlResponse(
        request.url, status=302, headers={"Location": location}, body=b"", request=request
    )
    guarded = RedirectGuardMiddleware.from_crawler(crawler).process_response(request, response)
    result: Any = RedirectMiddleware.from_crawler(crawler).process_response(request, guarded)
    if isinstance(result, Request):  # followed: the new request goes through them again
        through_request_middlewares(crawler, result)
    return result  # type: ignore[no-any-return]


def refused(crawler: Crawler) -> int:
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    return int(
        stats.get("tinlaodong/private_network_refused", 0)
        + stats.get("tinlaodong/scheme_refused", 0)
    )


@pytest.mark.parametrize("target", PRIVATE_TARGETS)
def test_a_public_site_cannot_reach_a_private_address(target: str) -> None:
    crawler = crawler_for(allow_private_network=False)
    with pytest.raises(IgnoreRequest, match="private network address"):
        through_request_middlewares(crawler, Request(target))
    assert refused(crawler) == 1


@pytest.mark.parametrize("target", PRIVATE_TARGETS)
def test_a_public_site_cannot_redirect_to_a_private_address(target: str) -> None:
    crawler = crawler_for(allow_private_network=False)
    with pytest.raises(IgnoreRequest, match="private network address"):
        redirect(crawler, target)


@pytest.mark.parametrize("target", PUBLIC_TARGETS)
def test_a_public_address_is_allowed(target: str) -> None:
    crawler = crawler_for(allow_private_network=False)
    through_request_middlewares(crawler, Request(target))
    assert isinstance(redirect(crawler, "https://8.8.8.8/moved"), Request)
    assert refused(crawler) == 0


@pytest.mark.parametrize("target", PRIVATE_TARGETS[-12:])
def test_a_request_through_a_proxy_is_refused_all_the_same(target: str) -> None:
    crawler = crawler_for(allow_private_network=False)
    with pytest.raises(IgnoreRequest, match="private network address"):
        through_request_middlewares(
            crawler, Request(target, meta={"proxy": "http://10.1.1.1:3128"})
        )


@pytest.mark.parametrize("allow_private_network", [False, True])
@pytest.mark.parametrize("url", OTHER_SCHEMES)
def test_non_http_schemes_are_refused_for_every_site(allow_private_network: bool, url: str) -> None:
    crawler = crawler_for(allow_private_network)
    with pytest.raises(IgnoreRequest, match="not an http"):
        through_request_middlewares(crawler, Request(url))
    assert refused(crawler) == 1


@pytest.mark.parametrize("allow_private_network", [False, True])
@pytest.mark.parametrize("url", REDIRECT_SCHEMES)
def test_a_redirect_to_a_non_http_scheme_is_refused(allow_private_network: bool, url: str) -> None:
    crawler = crawler_for(allow_private_network)
    with pytest.raises(IgnoreRequest, match="redirect to a non-http"):
        redirect(crawler, url)


def test_non_http_links_in_feeds_and_sitemaps_are_refused() -> None:
    items = "".join(f"<item><title>x</title><link>{u}</link></item>" for u in OTHER_SCHEMES[:5])
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in OTHER_SCHEMES[:5])
    sitemap = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{locs}</urlset>"
    ).encode()
    from_feed = discovery.links_in_feed(feed, PUBLIC + "/rss")
    from_sitemap, _ = discovery.read_sitemap(sitemap)
    assert from_feed and from_sitemap
    crawler = crawler_for(allow_private_network=True)
    for url in from_feed + from_sitemap:
        with pytest.raises(IgnoreRequest):
            through_request_middlewares(crawler, Request(url))
    assert refused(crawler) == len(from_feed) + len(from_sitemap)


@pytest.fixture
def dns_records() -> Iterator[dict[str, str]]:
    """Names and their addresses, answered by Scrapy's own caching resolver (the one a crawl
    installs) from its process-wide cache, as if a DNS server had given them."""
    from twisted.internet import reactor

    records: dict[str, str] = {}
    before = reactor.resolver  # type: ignore[attr-defined]
    reactor.installResolver(CachingThreadedResolver(reactor, 100, 5.0))  # type: ignore[attr-defined]
    try:
        yield records
    finally:
        reactor.installResolver(before)  # type: ignore[attr-defined]
        for name in records:
            dnscache.pop(name, None)


def test_a_name_is_refused_for_the_address_dns_gives_it(dns_records: dict[str, str]) -> None:
    dns_records.update(
        {
            "sneaky.example": "127.0.0.1",
            "%73neaky.example": "203.162.4.190",
            "ok.example": "8.8.8.8",
        }
    )
    for name, address in dns_records.items():
        dnscache[name] = address
    crawler = crawler_for(allow_private_network=False)
    # As the download asks for it, and as a proxy that decodes the host would.
    for url in ("http://sneaky.example/", "http://%73neaky.example/tin-tuc/1.html"):
        with pytest.raises(IgnoreRequest, match="a name resolving to 127.0.0.1"):
            through_request_middlewares(crawler, Request(url))
    through_request_middlewares(crawler, Request("http://ok.example/"))
    assert refused(crawler) == 2


def test_the_offline_mirror_may_use_loopback() -> None:
    crawler = crawler_for(allow_private_network=True)
    through_request_middlewares(crawler, Request("http://127.0.0.1:8000/tin-tuc/1234.html"))
    assert isinstance(redirect(crawler, "http://127.0.0.1:8001/"), Request)
    assert refused(crawler) == 0


def test_scrapy_cannot_download_other_schemes_at_all() -> None:
    """Belt and braces: the download handlers for them are switched off in the settings."""
    from spiders import settings

    assert {"file", "ftp", "s3", "data"} <= {
        scheme for scheme, handler in settings.DOWNLOAD_HANDLERS.items() if handler is None
    }


def test_a_host_name_resolving_to_loopback_is_refused_in_a_real_crawl(tmp_path: Path) -> None:
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("<html><body>hi</body></html>")
    with static_site(tmp_path / "www") as (base, requests):
        by_name = base.replace("127.0.0.1", "localhost")
        registry = write_registry(
            tmp_path / "sites.yaml",
            [{"id": "by-name", "name": "By name", "province": "Lai Châu", "start_urls": [by_name]}],
        )
        result = tinlaodong(
            "crawl", "--sites", str(registry), "--data-dir", str(tmp_path / "d"), *FAST
        )
    assert requests == [], "resolved to loopback: must not be contacted"
    assert result.returncode == 1
    assert "private or loopback" in result.stderr and "by-name" in result.stderr
    assert "Traceback" not in result.stderr
