"""Liferay 6.2 department portals (asset publisher and web content portlets).

Article URLs look like ``/<category>/-/view_content/<id>-<slug>.html``. On an article page
the headline is ``.asset-full-content-title`` (the ``<title>`` is the generic
"Chi tiết - <department>"), the date ``.assetPublishDate`` ("21/12/2012 | 12:00 AM"), the body
``.journal-content-article`` inside ``.asset-content`` after an optional ``.sapo``, and the
author a short right-aligned or bold last paragraph. Listings are ``.asset-abstract`` items
(or a ``table-data`` table of documents) with a ``lfr-pagination-buttons`` pager.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml.html import HtmlElement
from w3lib.url import url_query_cleaner

from aggregator.profiles.base import ListingPage, Profile, SelectorArticle, drop
from aggregator.profiles.markers import markers
from aggregator.profiles.pagedata import PageData
from aggregator.text import clean_line

_TITLE = (
    "//div[contains(@class,'asset-full-content-title')]"
    " | //*[contains(@class,'asset-full-content')]//h1[contains(@class,'header-title')]"
)
# The first date line after the headline: the page may show others (related assets).
_DATE = f"({_TITLE})[1]/following::*[contains(@class,'assetPublishDate')][1]"
# The asset's full content; a page showing one web content article has only the journal.
_ASSET_CONTENT = (
    "//div[contains(@class,'asset-full-content')]//div[contains(@class,'asset-content')]"
)
_COLUMN_JOURNAL = "//*[@id='column-1']//div[contains(@class,'journal-content-article')]"
# The web content's text, after an optional lead: where the signature closes the article.
JOURNAL = ".//div[contains(@class,'journal-content-article')]"
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


class LiferayArticle(SelectorArticle):
    TITLE = _TITLE
    DATE = _DATE
    SIGNATURE_IN = JOURNAL
    CHROME = _CHROME
    LIST_MARK = _LISTING_MARKS
    LISTING_REASON = "a Liferay listing page, not an article"

    def find_content(self) -> HtmlElement | None:
        found = self.first(_ASSET_CONTENT)
        return found if found is not None else self.first(_COLUMN_JOURNAL)

    def remove_chrome(self) -> None:
        if self._root is not None:
            for sapo in self._root.xpath(".//*[contains(@class,'sapo')]"):
                if not clean_line(sapo.text_content()):
                    drop(sapo)  # an empty lead (<p class="sapo"><strong></strong></p>)
        super().remove_chrome()


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
    """``url`` without Liferay's ``redirect=`` back-link, which makes every link unique; the
    other parameters as written."""
    if "redirect" not in urlsplit(url).query:
        return url
    return url_query_cleaner(url, ("redirect",), remove=True, unique=False, keep_fragments=True)


def recognise(page: PageData) -> bool:
    """Liferay names every portlet wrapper ``p_p_id_<portlet>_``; 6.2 serves its scripts and
    styles from ``/html/`` and the theme WAR, Liferay 7 from OSGi modules under ``/o/``."""
    found = markers(page)
    return found.portlet and not found.osgi


PROFILE = Profile("liferay", LiferayArticle, LiferayListing, recognise)
