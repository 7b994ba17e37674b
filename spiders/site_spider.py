"""The one spider: crawls a registered site from its start URLs to its article pages.

It only navigates. What a listing links to and which page is next come from the site's page
objects (``aggregator.profiles``); sites without a profile are also read through their feeds
and sitemaps. Article pages go to the item pipelines as raw bytes, to be extracted there.

Re-crawls are incremental: article pages already stored are not fetched again, pagination
stops at a listing page whose stories are mostly known, and listings, feeds and sitemaps are
fetched conditionally (ETag / Last-Modified), a 304 meaning nothing new there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import scrapy
from courlan import get_base_url
from lxml import html
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from sqlalchemy.exc import SQLAlchemyError
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from aggregator.exceptions import StoreError
from aggregator.faults import fetch_fault
from aggregator.profiles import PageData, detect_profile
from aggregator.registry import Site, load_registry
from aggregator.store import StoryStore, Validators
from aggregator.store.database import one_line
from aggregator.urls import same_site, site_host
from spiders import discovery
from spiders.items import FoundIn, PageItem
from spiders.store_access import given_store, own_store

logger = logging.getLogger("tinlaodong.crawl")
# Request meta: where an article page was found (``spiders.items.FoundIn``).
FOUND_IN_META = "tinlaodong_found_in"

# Pages fetched on every crawl, whose validators are kept for conditional requests.
CONDITIONAL_KINDS = frozenset({"start", "listing", "feed", "sitemap"})
# Listings are newest first: a page whose last (oldest) link is stored, or whose links are at
# least this share stored, ends the pagination. A share, not "any": one pinned old story at
# the top must not stop it.
KNOWN_SHARE_TO_STOP = 0.5


class SiteSpider(scrapy.Spider):
    """Crawl one site of the registry: ``scrapy crawl site -a site=ID [-a sites=FILE]``."""

    name = "site"
    site: Site
    store: StoryStore
    owns_store: bool
    max_listing_pages: int
    max_articles: int
    max_sitemaps: int
    # Pages a crawl since then took for no article are not fetched (aggregator.store.not_articles).
    not_articles_since: datetime

    def __init__(self, site: Site | str | None = None, sites: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._site_arg = site
        self._sites_file = sites
        self.article_count = 0
        self.sitemap_count = 0
        self.moved_hosts: set[str] = set()
        # A feed or a sitemap listed pages of the site, or answered "not modified" (it lists
        # what it listed last time): the site's articles come from there.
        self.listed_elsewhere = False
        self.pending_validators: dict[str, Validators] = {}
        self.resume = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.site = spider._resolve_site(crawler)
        spider.max_listing_pages = crawler.settings.getint("TINLAODONG_MAX_LISTING_PAGES")
        spider.max_articles = crawler.settings.getint("TINLAODONG_MAX_ARTICLES")
        spider.max_sitemaps = crawler.settings.getint("TINLAODONG_MAX_SITEMAPS")
        recheck = timedelta(days=crawler.settings.getfloat("TINLAODONG_NOT_ARTICLE_RECHECK_DAYS"))
        spider.not_articles_since = datetime.now(UTC) - recheck
        given = given_store(spider)
        spider.store = given[0] if given is not None else own_store(crawler.settings)
        spider.owns_store = given is None
        crawler.signals.connect(spider.closed_with, signal=signals.spider_closed)
        return spider

    def closed_with(self, reason: str) -> None:
        """Keep the pages' validators only if the crawl ended normally and stored what it
        found: a crawl killed or stopped halfway, or whose writes failed (a locked database, a
        full disk), has not stored every article its listings linked, and a 304 next time
        would hide them for good. Its in-progress mark stays, so the next crawl paginates in
        full."""
        self._listings_measured()
        try:
            if reason == "finished" and not self._stats_value("store_failed"):
                for url, validators in self.pending_validators.items():
                    self.store.validators.save(url, validators)
                self.store.flags.end_crawl(self.site.id)
        except (SQLAlchemyError, StoreError) as exc:
            self._write_failed("cannot save the listings' validators", exc)
        finally:
            if self.owns_store:
                self.store.close()

    def _listings_measured(self) -> None:
        """A site without a profile whose pages link no article, while its feeds or sitemaps
        list them, reads as healthy: its pages are read by generic rules that no redesign
        outdates, and its articles come from the feeds and sitemaps. The health rule "listing
        pages yield no article links" (:mod:`aggregator.health`) is for the page objects of a
        profile, whose listings are how their sites are crawled."""
        if self.site.profile or not self.listed_elsewhere or self._stats_value("listing_links"):
            return
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("tinlaodong/listing_pages", 0)

    def _write_failed(self, what: str, exc: BaseException) -> None:
        self._stat("store_failed")
        self._stat("faults/write_failed")
        cause = exc.__cause__ if isinstance(exc, StoreError) and exc.__cause__ else exc
        logger.error("site %s: %s: %s", self.site.id, what, one_line(cause))

    def _stats_value(self, key: str) -> int:
        assert self.crawler.stats is not None
        return int(self.crawler.stats.get_value(f"tinlaodong/{key}", 0))

    def registry_file(self, settings: BaseSettings) -> Path | None:
        """The registry the site comes from (None: the one shipped with the package)."""
        path = self._sites_file or settings.get("TINLAODONG_SITES_FILE") or None
        return Path(path) if path else None

    def _resolve_site(self, crawler: Crawler) -> Site:
        if isinstance(self._site_arg, Site):
            return self._site_arg
        if not self._site_arg:
            raise ValueError(
                "which site? use: scrapy crawl site -a site=ID (see: tinlaodong sites list)"
            )
        return load_registry(self.registry_file(crawler.settings)).get(self._site_arg)

    async def start(self) -> AsyncIterator[Any]:
        # After a crawl that never finished, stored stories do not mean that the older pages
        # of a listing are stored too: paginate in full this time.
        try:
            self.resume = self.store.flags.begin_crawl(self.site.id)
        except (SQLAlchemyError, StoreError) as exc:
            # The store cannot be written to: crawl all the same (each article that cannot be
            # stored says so), in full, since nothing marks this crawl as running.
            self._write_failed("cannot mark the crawl as running", exc)
            self.resume = True
        for url in self.site.start_urls:
            yield self._request(url, self.parse_listing, kind="start", page=1)
        if not self.site.profile:
            robots = get_base_url(self.site.start_urls[0]) + "/robots.txt"
            yield self._request(robots, self.parse_robots, kind="robots")

    def _request(self, url: str, callback: Any, kind: str, **cb_kwargs: Any) -> scrapy.Request:
        meta: dict[str, Any] = {"tinlaodong_kind": kind, "tinlaodong_site": self.site.id}
        headers: dict[str, str] = {}
        if kind in CONDITIONAL_KINDS:
            meta["handle_httpstatus_list"] = [304]
            known = self.store.validators.get(url)
            headers = known.headers() if known is not None else {}
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            cb_kwargs=cb_kwargs,
            meta=meta,
            headers=headers,
        )

    def _fresh(self, response: Response) -> bool:
        """Count a successful fetch; False for a 304 (nothing changed since last time)."""
        self._stat("pages_ok")
        if response.status == 304:
            self._stat("not_modified")
            return False
        self.pending_validators[response.url] = Validators(
            _header(response, b"ETag"), _header(response, b"Last-Modified")
        )
        return True

    # -- listings -------------------------------------------------------------------------
    def parse_listing(self, response: Response, page: int) -> Iterator[Any]:
        if response.meta.get("tinlaodong_kind") == "start":
            self._note_redirect(response)
        if not self._fresh(response):
            return
        tree = _parse(response)
        if tree is None:
            return
        page_data = PageData(tree, response.url)
        listing = detect_profile(page_data, self.site.profile).listing_page(page_data)
        links = [u for u in discovery.unique(listing.article_links()) if self._on_site(u)]
        self._stat("listing_pages")
        self._stat("listing_links", len(links))
        skipped = self._known(links)
        yield from self._article_requests([u for u in links if u not in skipped], "listing")
        if page == 1:
            feeds = discovery.feed_links(tree, response.url)
            feeds += discovery.rss_page_links(response)
            for feed in discovery.unique(feeds):
                if self._on_site(feed):
                    yield self._request(feed, self.parse_feed, kind="feed")
        next_url = listing.next_page()
        mostly_known = bool(links) and (
            links[-1] in skipped or len(skipped) >= KNOWN_SHARE_TO_STOP * len(links)
        )
        if mostly_known and not self.resume:
            self._stat("pagination_stopped")
            return  # the rest of the listing is older and already stored
        if not next_url or not self._on_site(next_url):
            return
        if page < self.max_listing_pages:
            yield self._request(next_url, self.parse_listing, kind="listing", page=page + 1)
        else:
            # INFO, not a warning: a first crawl of a long archive stops here by design.
            self._stat("faults/page_limit")
            logger.info(
                "site %s: listing page limit: stopped at %s, page %d of at most %d "
                "(TINLAODONG_MAX_LISTING_PAGES); not following %s",
                self.site.id,
                response.url,
                page,
                self.max_listing_pages,
                next_url,
            )

    def parse_feed(self, response: Response, index: bool = False) -> Iterator[Any]:
        if not self._fresh(response):
            self.listed_elsewhere = True
            return
        if discovery.is_feed(response.body):
            yield from self._new_article_requests(
                "feed", discovery.links_in_feed(response.body, response.url)
            )
            return
        tree = _parse(response)
        if tree is None or index:
            return
        # An HTML "RSS" page: the feeds it lists, one level deep.
        for feed in discovery.feed_links(tree, response.url) + discovery.rss_page_links(response):
            if self._on_site(feed) and feed != response.url:
                yield self._request(feed, self.parse_feed, kind="feed", index=True)

    def parse_robots(self, response: Response) -> Iterator[Any]:
        yield from self._sitemap_requests(
            discovery.sitemaps_in_robots(response.text, response.url), response.url
        )

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if not self._fresh(response):
            self.listed_elsewhere = True
            return
        pages, nested = discovery.read_sitemap(response.body)
        yield from self._sitemap_requests(nested, response.url)
        yield from self._new_article_requests("sitemap", pages)

    def _sitemap_requests(self, urls: list[str], listed_in: str) -> Iterator[scrapy.Request]:
        """The sitemaps a robots.txt or a sitemap index names, on the site's own hosts and up
        to ``TINLAODONG_MAX_SITEMAPS`` a crawl: either may name any number, on any host, and
        the crawler must not become a way to send requests to a third party."""
        urls = list(discovery.unique(urls))
        elsewhere = [url for url in urls if not self._on_site(url)]
        if elsewhere:
            self._stat("sitemaps_off_site", len(elsewhere))
            logger.info(
                "site %s: %s names %d sitemap(s) on other hosts, not followed: %s%s",
                self.site.id,
                listed_in,
                len(elsewhere),
                elsewhere[0],
                ", ..." if len(elsewhere) > 1 else "",
            )
        own = [url for url in urls if self._on_site(url)]
        room = max(self.max_sitemaps - self.sitemap_count, 0)
        for url in own[:room]:
            self.sitemap_count += 1
            yield self._request(url, self.parse_sitemap, kind="sitemap")
        if len(own) > room:
            self._stat("sitemaps_skipped", len(own) - room)
            if not self._stats_value("sitemap_limit"):  # said once; later ones are counted
                self._stat("sitemap_limit")
                logger.info(
                    "site %s: sitemap limit: %d followed (TINLAODONG_MAX_SITEMAPS); not "
                    "following %d more named in %s, from %s",
                    self.site.id,
                    self.max_sitemaps,
                    len(own) - room,
                    listed_in,
                    own[room],
                )

    def _new_article_requests(self, found_in: FoundIn, urls: list[str]) -> Iterator[scrapy.Request]:
        """Requests for the links of a feed or a sitemap not stored yet."""
        links = [u for u in discovery.unique(urls) if self._on_site(u)]
        if links:
            self.listed_elsewhere = True  # see _listings_measured
        skipped = self._known(links)
        yield from self._article_requests([u for u in links if u not in skipped], found_in)

    def _known(self, links: list[str]) -> set[str]:
        """Those of ``links`` not to fetch: stored articles (counted as known), and pages a
        recent crawl took for no article (``aggregator.store.not_articles``)."""
        known = self.store.known_urls(links)
        self._stat("known_skipped", len(known))
        rest = [u for u in links if u not in known]
        remembered = self.store.not_articles.seen_since(rest, self.not_articles_since)
        self._stat("not_article_skipped", len(remembered))
        return known | remembered

    def _article_requests(self, urls: list[str], found_in: FoundIn) -> Iterator[scrapy.Request]:
        """Requests for article pages, found in one of the site's listing pages, feeds or
        sitemaps."""
        for url in urls:
            if self.article_count >= self.max_articles:
                return
            self.article_count += 1
            request = self._request(url, self.parse_article, kind="article")
            request.meta[FOUND_IN_META] = found_in
            yield request

    # -- articles -------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[PageItem]:
        self._stat("pages_ok")
        why = _not_html(response)
        if why:
            self._stat("not_html")
            self._stat("faults/" + ("empty" if why == EMPTY_PAGE else "not_html"))
            self._stat("page_errors")
            logger.warning("site %s: not an HTML page: %s (%s)", self.site.id, response.url, why)
            return
        yield PageItem(
            site_id=self.site.id,
            url=response.url,
            body=response.body,
            http_charset=_declared_charset(response),
            profile=self.site.profile,
            found_in=response.meta.get(FOUND_IN_META, "listing"),
        )

    # -- moves and errors -----------------------------------------------------------------
    def _note_redirect(self, response: Response) -> None:
        """A start URL that redirects to another host: the site moved; follow it there."""
        host = site_host(response.url)
        if host not in self.site.hosts and host not in self.moved_hosts:
            self.moved_hosts.add(host)
            assert self.crawler.stats is not None
            self.crawler.stats.set_value("tinlaodong/redirected_to", response.url)
            original = (response.meta.get("redirect_urls") or [response.url])[0]
            logger.warning(
                "site %s: moved: %s now redirects to %s", self.site.id, original, response.url
            )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("tinlaodong_kind", "page")
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
            self._stat(f"http_error/{status}")
            reason = f"HTTP {status}"
        else:
            reason = _short_reason(failure)
            self._stat("fetch_failed")
        if kind in ("robots", "feed", "sitemap"):  # optional pages: their absence is no fault
            logger.debug("site %s: no %s (%s)", self.site.id, request.url, reason)
            return
        self._stat("faults/" + fetch_fault(failure.value))
        if kind == "start":
            self._stat("start_failed")
            logger.error("site %s: unreachable: %s (%s)", self.site.id, request.url, reason)
        else:
            self._stat("page_errors")
            logger.warning("site %s: cannot fetch %s (%s)", self.site.id, request.url, reason)

    def _stat(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        if count:
            self.crawler.stats.inc_value(f"tinlaodong/{key}", count)

    def _on_site(self, url: str) -> bool:
        return same_site(url, self.site.hosts | self.moved_hosts)


def _parse(response: Response) -> html.HtmlElement | None:
    if not _is_html(response) or _blank(response.body):
        return None
    encoding = getattr(response, "encoding", None) or "utf-8"
    parser = html.HTMLParser(encoding=encoding)
    try:
        return html.document_fromstring(response.body, parser=parser, base_url=response.url)
    except (ValueError, TypeError):
        return None


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _is_html(response: Response) -> bool:
    return _not_html(response) is None


def _not_html(response: Response) -> str | None:
    """Why ``response`` is not an HTML page (its Content-Type, or bytes that say otherwise)."""
    ctype = (response.headers.get(b"Content-Type") or b"text/html").decode("latin-1").lower()
    ctype = ctype.split(";")[0].strip()
    if not ("html" in ctype or "xml" in ctype and b"<html" in response.body[:2048].lower()):
        return f"served as {ctype}"
    if _blank(response.body):
        return EMPTY_PAGE
    kind = _sniff(response.body)
    return f"{kind} served as {ctype}" if kind else None


def _blank(body: bytes) -> bool:
    """Nothing but whitespace (``isspace`` stops at the first other byte, where ``strip``
    copied the whole page, on every page)."""
    return not body or body.isspace()


EMPTY_PAGE = "an empty page"
# Files that portals serve as text/html (attachments behind a download script, mostly).
_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP file (docx, xlsx...)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (doc, xls...)"),
    (b"\x1f\x8b", "a gzip file"),
    (b"Rar!", "a RAR file"),
    (b"\x00\x00\x00", "a binary file"),
)


def _sniff(body: bytes) -> str | None:
    """What the first bytes of ``body`` say it is, when they say it is not text."""
    head = body[:16].lstrip(b" \t\r\n")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _declared_charset(response: Response) -> str | None:
    """The Content-Type header's charset, as the codec Python and browsers read it by."""
    return http_content_type_encoding(_header(response, b"Content-Type"))


def _short_reason(failure: Failure) -> str:
    """One line for a network failure, naming its fault (``aggregator.faults``) in plain
    words where it is known; otherwise the exception's class and its message's first line."""
    value = failure.value
    text = str(value).strip().splitlines()[0] if str(value).strip() else ""
    fault = fetch_fault(value)
    if isinstance(value, IgnoreRequest):  # our middlewares' and Scrapy's own reasons
        bomb = _DECOMPRESSED.search(text)
        if bomb:
            return f"response larger than {_megabytes(int(bomb[1]))} once decompressed"
        if fault == "too_many_redirects":
            first = _redirected_from(failure)
            return "too many redirects (REDIRECT_MAX_TIMES)" + (f" from {first}" if first else "")
        return text or "refused"
    if fault == "timeout":
        request = getattr(failure, "request", None)
        timeout = request.meta.get("download_timeout") if request is not None else None
        return f"timed out after {timeout:g} s" if timeout else "timed out"
    if fault == "too_large":
        size = _MAXSIZE.search(text)
        if size:
            return f"response larger than {_megabytes(int(size[2]))} ({int(size[1]):,} bytes)"
        # Scrapy cancels a body without Content-Length once it outgrows DOWNLOAD_MAXSIZE.
        return "download cancelled: response larger than DOWNLOAD_MAXSIZE"
    return _PLAIN_WORDS.get(fault) or (
        f"{type(value).__name__}: {text}" if text else type(value).__name__
    )


_PLAIN_WORDS = {
    "truncated": "response cut short: fewer bytes than its Content-Length announced",
    "connection_reset": "connection reset by the server before a complete answer",
    "connection_refused": "connection refused",
    "dns": "host name not found (DNS)",
}


def _redirected_from(failure: Failure) -> str | None:
    """The URL a failed request was first made for, before redirects."""
    request = getattr(failure, "request", None)
    urls = request.meta.get("redirect_urls") if request is not None else None
    return str(urls[0]) if urls else None


_DECOMPRESSED = re.compile(r"exceeded DOWNLOAD_MAXSIZE \((\d+) B\) during decompression")
_MAXSIZE = re.compile(r"receive (\d+) bytes which is larger than download max size \((\d+)\)")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"
