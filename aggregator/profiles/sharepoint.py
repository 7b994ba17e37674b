"""Microsoft SharePoint 2013 / 2016 publishing portals with a custom news web part.

Modelled from the family's known conventions (the ``s4-workspace`` master page, ASP.NET
``ctl00_PlaceHolderMain_...`` control ids, the ``ms-rtestate-field`` rich-text field), not from
a saved department page: the real sites could not be reached.

Articles: ``/Pages/tintuc/baiviet.aspx?ItemID=<id>`` (or a rewritten ``/baiviet/<id>``). The
news web part renders ``div.news-detail``: ``h1.news-title``, ``.news-date`` ("Cập nhật lúc
08:30 ngày 24/07/2024" or "24/07/2024 12:55 CH"), an optional ``.news-sapo`` lead and the
``ms-rtestate-field`` body closed by a signature paragraph. Listings:
``/Pages/tintuc/chuyenmuc.aspx?ChuyenMucID=<n>&page=<n>``, ``div.news-list`` items and a
``.news-paging`` pager (GET links; a pager of ``__doPostBack`` links would not be followable).
"""

from __future__ import annotations

import re
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
from aggregator.profiles.liferay import _author_line as signature_line
from aggregator.text import clean_line

_DETAIL = "//div[contains(concat(' ',normalize-space(@class),' '),' news-detail ')]"
_TITLE = _DETAIL + "//*[contains(@class,'news-title')]"
_DATE = _DETAIL + "//*[contains(@class,'news-date')]"
_SAPO = _DETAIL + "//*[contains(@class,'news-sapo')]"
_BODY = _DETAIL + "//div[contains(@class,'ms-rtestate-field')]"
_LIST = "//div[contains(concat(' ',normalize-space(@class),' '),' news-list ')]"
_ARTICLE_HREF = re.compile(r"baiviet\.aspx\?(?:.*&)?ItemID=\d+|/baiviet/\d+", re.IGNORECASE)


class SharePointArticle(ArticlePage):
    def __init__(self, tree: HtmlElement, url: str | None = None) -> None:
        super().__init__(tree, url)
        self._root = self.first(_DETAIL)
        self._body = self.first(_BODY)
        self._author_line = signature_line(self._body)

    def not_an_article(self) -> str | None:
        if self._root is None and self.tree.xpath(_LIST):
            return "a SharePoint news list, not an article"
        return None

    def title(self) -> str | None:
        return self.text_of(_TITLE)

    def published(self) -> datetime | None:
        shown = self.text_of(_DATE)
        return parse_vietnamese_date(shown) if shown else None

    def author(self) -> str | None:
        return None if self._author_line is None else clean_line(self._author_line.text_content())

    def images(self) -> list[Image]:
        return images_in(self._body, self)

    def remove_chrome(self) -> None:
        drop(self._author_line)
        if self._body is None:
            return
        sapo = self.first(_SAPO)
        if sapo is not None:
            # The lead is a label control outside the rich-text field: move it in, first.
            lead = self._body.makeelement("p", {})
            lead.text = clean_line(sapo.text_content())
            self._body.insert(0, lead)
        captions_as_paragraphs(self._body)

    def content_root(self) -> HtmlElement | None:
        return self._body


class SharePointListing(ListingPage):
    _ITEMS = _LIST + "//*[contains(@class,'news-item')]//h3//a/@href"
    _NEXT = "//*[contains(@class,'news-paging')]//a[contains(@class,'next')]/@href"

    def article_links(self) -> list[str]:
        hrefs = [h for h in self.tree.xpath(self._ITEMS) if _ARTICLE_HREF.search(h)]
        return self.absolute_links(hrefs)

    def next_page(self) -> str | None:
        links = self.absolute_links(self.tree.xpath(self._NEXT))
        return links[0] if links else None


def recognise(tree: HtmlElement) -> bool:
    """The SharePoint master page's workspace, or its page context script."""
    return bool(
        tree.xpath("//*[@id='s4-workspace'][1]")
        or tree.xpath("//script[contains(.,'_spPageContextInfo')][1]")
    )


PROFILE = Profile("sharepoint", SharePointArticle, SharePointListing, recognise)
