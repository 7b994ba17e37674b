"""Finding articles on sites no profile knows: their feeds and sitemaps.

Listing links are the page objects' business (``aggregator.profiles``); this module reads the
machine-readable lists a site may publish.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from lxml import etree, html
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


def feed_links(tree: html.HtmlElement, base_url: str) -> list[str]:
    """Feeds a page announces with ``<link rel="alternate" type="application/rss+xml">``."""
    links = []
    for node in tree.xpath("//link[@rel='alternate'][@href]"):
        if (node.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES[:2]:
            links.append(urljoin(base_url, node.get("href").strip()))
    return list(dict.fromkeys(links))


def rss_page_links(tree: html.HtmlElement, base_url: str, limit: int = 20) -> list[str]:
    """Anchors to feeds or to an "RSS" page listing them (``/rss``, ``rss.html``, ``*.rss``):
    Vietnamese portals often publish their feeds that way rather than in ``<link>`` tags."""
    found = []
    for href in tree.xpath("//a/@href"):
        path = urlsplit(urljoin(base_url, str(href))).path.lower()
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if name in ("rss", "feed", "rss.html", "rss.aspx", "rss.xml") or name.endswith(".rss"):
            found.append(urljoin(base_url, str(href).strip()))
    return list(dict.fromkeys(found))[:limit]


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
