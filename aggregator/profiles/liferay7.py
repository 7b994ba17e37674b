"""Liferay 7 / DXP portals (asset publisher with the Clay / Bootstrap 4 markup).

Modelled from the family's known conventions (Liferay 7.x classic theme and asset publisher
templates), not from a saved department page: the real sites could not be reached.

Article URLs look like ``/vi/news/<category>/<slug>`` (display pages) or
``/vi/web/<site>/-/<slug>`` (asset publisher "view in context"). On an article page the
headline is ``.asset-full-content .asset-title``, the date ``.metadata-publish-date`` (or
``.asset-publish-date``), the body ``.journal-content-article`` inside ``.asset-content``,
opened by an optional ``.sapo`` and closed by a signature paragraph. Listings are
``.asset-abstract`` items with a Clay pager (``ul.pagination li.page-item a.page-link``).

Liferay 6.2 pages also name portlets ``p_p_id_<portlet>_``; what only 7 has is its OSGi web
resources, served under ``/o/`` (``/o/classic-theme/css/main.css``, ``/o/frontend-js-web/``).
"""

from __future__ import annotations

from datetime import datetime

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
)

# The signature rule is the same as 6.2's: the editors and their habits did not change.
from aggregator.profiles.liferay import _author_line as signature_line
from aggregator.profiles.liferay import osgi_resources
from aggregator.text import clean_line

_FULL = "//div[contains(concat(' ',normalize-space(@class),' '),' asset-full-content ')]"
_TITLE = _FULL + "//*[contains(concat(' ',normalize-space(@class),' '),' asset-title ')]"
_DATE = (
    _FULL + "//*[contains(@class,'metadata-publish-date') or contains(@class,'asset-publish-date')]"
)
_CONTENT = _FULL + "//div[contains(concat(' ',normalize-space(@class),' '),' asset-content ')]"
_ABSTRACTS = "//div[contains(concat(' ',normalize-space(@class),' '),' asset-abstract ')]"
_CHROME = (
    ".//div[contains(@class,'asset-metadata')]",
    ".//div[contains(@class,'asset-links')]",
    ".//div[contains(@class,'asset-related-assets')]",
    ".//div[contains(@class,'asset-ratings')]",
    ".//div[contains(@class,'taglib-social-bookmarks')]",
    ".//div[contains(@class,'asset-actions')]",
)
_PLACEHOLDER_AUTHORS = {"test test", "admin", "administrator", "quản trị viên"}


class Liferay7Article(ArticlePage):
    def __init__(self, tree: HtmlElement, url: str | None = None) -> None:
        super().__init__(tree, url)
        self._root = self.first(_CONTENT)
        self._author_line = signature_line(self._root)

    def not_an_article(self) -> str | None:
        if self.first(_FULL) is None and self.tree.xpath(_ABSTRACTS):
            return "a Liferay 7 asset list, not an article"
        return None

    def title(self) -> str | None:
        return self.text_of(_TITLE)

    def published(self) -> datetime | None:
        shown = self.text_of(_DATE)
        return parse_vietnamese_date(shown) if shown else None

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
        for sapo in self._root.xpath(".//div[contains(@class,'sapo')][not(.//p)]"):
            sapo.tag = "p"  # a div lead would be read as layout, not as the first paragraph
        captions_as_paragraphs(self._root)

    def content_root(self) -> HtmlElement | None:
        return self._root


class Liferay7Listing(ListingPage):
    _ITEMS = _ABSTRACTS + "//*[contains(@class,'asset-title')]//a/@href"
    # Clay pager: the item after the active page, unless it is the disabled "next" arrow.
    _NEXT = (
        "//ul[contains(@class,'pagination')]/li[contains(@class,'active')]"
        "/following-sibling::li[1][not(contains(@class,'disabled'))]/a/@href"
    )

    def article_links(self) -> list[str]:
        return self.absolute_links(self.tree.xpath(self._ITEMS))

    def next_page(self) -> str | None:
        links = self.absolute_links(self.tree.xpath(self._NEXT))
        return links[0] if links else None


def recognise(tree: HtmlElement) -> bool:
    """A Liferay portal (portlet ids or the ``Liferay.ThemeDisplay`` bootstrap) whose static
    resources come from OSGi modules under ``/o/``."""
    if not osgi_resources(tree):
        return False
    portlets = tree.xpath("//*[starts-with(@id,'p_p_id_')][1]")
    return bool(portlets) or bool(tree.xpath("//script[contains(.,'Liferay.ThemeDisplay')][1]"))


PROFILE = Profile("liferay7", Liferay7Article, Liferay7Listing, recognise)
