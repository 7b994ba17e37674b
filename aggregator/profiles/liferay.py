"""Liferay 6.2 department portals (asset publisher and web content portlets).

Article URLs look like ``/<category>/-/view_content/<id>-<slug>.html``. On an article page
the headline is ``.asset-full-content-title`` (the ``<title>`` is the generic
"Chi tiết - <department>"), the date ``.assetPublishDate`` ("21/12/2012 | 12:00 AM"), the body
``.journal-content-article`` inside ``.asset-content`` after an optional ``.sapo``, and the
author a short right-aligned or bold last paragraph. Listings are ``.asset-abstract`` items
(or a ``table-data`` table of documents) with a ``lfr-pagination-buttons`` pager.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml.html import HtmlElement

from aggregator.dates import parse_vietnamese_date
from aggregator.models import Image
from aggregator.profiles.base import (
    ArticlePage,
    ListingPage,
    Profile,
    captions_as_paragraphs,
    drop,
    images_in,
    signature_line,
)
from aggregator.text import clean_line, clean_or_none

_TITLE = (
    "//div[contains(@class,'asset-full-content-title')]"
    " | //*[contains(@class,'asset-full-content')]//h1[contains(@class,'header-title')]"
)
_DATE_AFTER_TITLE = "following::*[contains(@class,'assetPublishDate')][1]"
_CONTENT = (
    "//div[contains(@class,'asset-full-content')]//div[contains(@class,'asset-content')]",
    "//*[@id='column-1']//div[contains(@class,'journal-content-article')]",
)
# An asset list, a document table or a pager, and no article headline: a category page.
_LISTING_MARKS = (
    "//div[contains(@class,'asset-abstract')][1]"
    " | //tbody[contains(@class,'table-data')][1]"
    " | //ul[contains(@class,'lfr-pagination-buttons')][1]"
)
_CHROME = (
    ".//div[contains(@class,'asset-control-detail')]",
    ".//div[contains(@class,'related_asset')]",
    ".//div[contains(@class,'asset-metadata')]",
    ".//div[contains(@class,'taglib-social-bookmarks')]",
)
# Who an article is "by" when nobody signed it.
_PLACEHOLDER_AUTHORS = {"admin", "admin admin", "administrator", "quản trị", "quản trị viên"}


class LiferayArticle(ArticlePage):
    def __init__(self, tree: HtmlElement, url: str | None = None) -> None:
        super().__init__(tree, url)
        self._title = self.first(_TITLE)
        self._root: HtmlElement | None = None
        for xpath in _CONTENT:
            self._root = self.first(xpath)
            if self._root is not None:
                break
        self._author_line = signature_line(self._root)

    def not_an_article(self) -> str | None:
        if self._title is None and self.tree.xpath(_LISTING_MARKS):
            return "a Liferay listing page, not an article"
        return None

    def title(self) -> str | None:
        return None if self._title is None else clean_or_none(self._title.text_content())

    def published(self) -> datetime | None:
        if self._title is None:
            return None
        dates = self._title.xpath(_DATE_AFTER_TITLE)
        return parse_vietnamese_date(dates[0].text_content()) if dates else None

    def author(self) -> str | None:
        if self._author_line is None:
            return None
        name = clean_line(self._author_line.text_content())
        return None if name.casefold() in _PLACEHOLDER_AUTHORS else name

    def images(self) -> list[Image]:
        return images_in(self._root, self)

    def remove_chrome(self) -> None:
        drop(self._author_line)
        if self._root is None:
            return
        for xpath in _CHROME:
            for element in self._root.xpath(xpath):
                drop(element)
        for sapo in self._root.xpath(".//*[contains(@class,'sapo')]"):
            if not clean_line(sapo.text_content()):
                drop(sapo)  # an empty lead (<p class="sapo"><strong></strong></p>)
        captions_as_paragraphs(self._root)

    def content_root(self) -> HtmlElement | None:
        return self._root


class LiferayListing(ListingPage):
    _ITEMS = (
        "//div[contains(@class,'asset-abstract')]//*[contains(@class,'asset-title')]//a/@href"
        " | //tbody[contains(@class,'table-data')]//a[contains(@href,'/-/view_content/')]/@href"
    )
    # A home page has no asset list: its portlets link articles directly.
    _ANY_ARTICLE = (
        "//a[contains(@href,'/-/view_content/')"
        " and not(ancestor::*[contains(@class,'related_asset')])]/@href"
    )
    _PAGER = "//ul[contains(@class,'lfr-pagination-buttons')]/li"

    def article_links(self) -> list[str]:
        hrefs = self.tree.xpath(self._ITEMS) or self.tree.xpath(self._ANY_ARTICLE)
        return [_without_redirect(link) for link in self.absolute_links(hrefs)]

    def next_page(self) -> str | None:
        # The pager is [first, previous, next, last]; a disabled button links "javascript:;".
        items = self.tree.xpath(self._PAGER)
        for index, item in enumerate(items):
            if "last" in (item.get("class") or "").split() and index > 0:
                links = self.absolute_links(items[index - 1].xpath(".//a/@href"))
                return links[0] if links else None
        return None


def _without_redirect(url: str) -> str:
    """``url`` without Liferay's ``redirect=`` back-link, which makes every link unique."""
    parts = urlsplit(url)
    if "redirect" not in parts.query:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "redirect"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def recognise(tree: HtmlElement) -> bool:
    """Liferay names every portlet wrapper ``p_p_id_<portlet>_``; 6.2 serves its scripts and
    styles from ``/html/`` and the theme WAR, Liferay 7 from OSGi modules under ``/o/``."""
    return bool(tree.xpath("//*[starts-with(@id,'p_p_id_')][1]")) and not osgi_resources(tree)


def osgi_resources(tree: HtmlElement) -> bool:
    """Whether the page loads a script or stylesheet from ``/o/`` (Liferay 7 / DXP modules)."""
    for ref in tree.xpath("//link[contains(@rel,'stylesheet')]/@href | //script/@src"):
        path = urlsplit(ref.strip()).path
        if path.startswith("/o/") or (path.startswith("/combo") and "/o/" in ref):
            return True
    return False


PROFILE = Profile("liferay", LiferayArticle, LiferayListing, recognise)
