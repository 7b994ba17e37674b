"""Finding articles on sites no profile knows: their feeds and sitemaps.

Listing links are the page objects' business (``aggregator.profiles``); this module reads the
machine-readable lists a site may publish.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from lxml import etree, html
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


def feed_links(tree: html.HtmlElement, base_url: str) -> list[str]:
    """Feeds a page announces with ``<link rel="alternate" type="application/rss+xml">``."""
    links = []
    for node in tree.xpath("//link[@rel='alternate'][@href]"):
        if (node.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES[:2]:
            links.append(urljoin(base_url, node.get("href").strip()))
    return list(dict.fromkeys(links))


# The last path segment of a feed or of an "RSS" page: rss, feed, rss.html, rss.aspx, rss.xml,
# *.rss (a trailing slash allowed).
_RSS_PAGE = re.compile(
    r"^[^?#]*/(?:rss|feed|rss\.html|rss\.aspx|rss\.xml|[^/?#]*\.rss)/?(?:[?#]|$)", re.IGNORECASE
)
# Anchors only (an "RSS" page is linked, not declared); feed extensions are wanted here.
_RSS_PAGE_LINKS = LinkExtractor(allow=_RSS_PAGE, tags=("a",), deny_extensions=())


def rss_page_links(response: Response, limit: int = 20) -> list[str]:
    """Anchors to feeds or to an "RSS" page listing them (``/rss``, ``rss.html``, ``*.rss``):
    Vietnamese portals often publish their feeds that way rather than in ``<link>`` tags."""
    if not isinstance(response, TextResponse):
        return []
    return [link.url for link in _RSS_PAGE_LINKS.extract_links(response)][:limit]


def is_feed(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed"))


def links_in_feed(body: bytes, base_url: str) -> list[str]:
    """Item links of an RSS 2.0 or Atom feed; an unreadable feed gives none."""
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    rss = root.xpath("//item/link/text()")
    atom = root.xpath(
        "//*[local-name()='entry']/*[local-name()='link'][not(@rel) or @rel='alternate']/@href"
    )
    return list(dict.fromkeys(urljoin(base_url, str(u).strip()) for u in [*rss, *atom] if u))


def sitemaps_in_robots(robots_txt: str, base_url: str) -> list[str]:
    found = list(sitemap_urls_from_robots(robots_txt.encode("utf-8"), base_url=base_url))
    return found or [urljoin(base_url, "/sitemap.xml")]


def read_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) of a sitemap or sitemap index."""
    try:
        sitemap = Sitemap(body)
    except (etree.XMLSyntaxError, ValueError):
        return [], []
    locs = [entry["loc"] for entry in sitemap if entry.get("loc")]
    if sitemap.type == "sitemapindex":
        return [], locs
    return locs, []


def unique(urls: list[str]) -> Iterator[str]:
    yield from dict.fromkeys(urls)
