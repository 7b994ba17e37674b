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

from aggregator.profiles.base import (
    Profile,
    SelectorArticle,
    SelectorListing,
)
from aggregator.profiles.markers import markers
from aggregator.profiles.pagedata import PageData
from aggregator.text import clean_line

_DETAIL = "//div[contains(concat(' ',normalize-space(@class),' '),' news-detail ')]"
_TITLE = _DETAIL + "//*[contains(@class,'news-title')]"
_DATE = _DETAIL + "//*[contains(@class,'news-date')]"
_SAPO = _DETAIL + "//*[contains(@class,'news-sapo')]"
_BODY = _DETAIL + "//div[contains(@class,'ms-rtestate-field')]"
_LIST = "//div[contains(concat(' ',normalize-space(@class),' '),' news-list ')]"
_ARTICLE_HREF = re.compile(r"baiviet\.aspx\?(?:.*&)?ItemID=\d+|/baiviet/\d+", re.IGNORECASE)


class SharePointArticle(SelectorArticle):
    # The news web part's wrapper holds title, date and lead; the rich-text field the body.
    CONTENT = _BODY
    TITLE = _TITLE
    DATE = _DATE
    LIST_MARK = _LIST
    LISTING_REASON = "a SharePoint news list, not an article"

    def not_an_article(self) -> str | None:
        if self.first(_DETAIL) is None and self.tree.xpath(_LIST):
            return self.LISTING_REASON
        return None

    def remove_chrome(self) -> None:
        sapo = self.first(_SAPO)
        if self._root is not None and sapo is not None:
            # The lead is a label control outside the rich-text field: move it in, first.
            lead = self._root.makeelement("p", {})
            lead.text = clean_line(sapo.text_content())
            self._root.insert(0, lead)
        super().remove_chrome()


class SharePointListing(SelectorListing):
    ITEMS = _LIST + "//*[contains(@class,'news-item')]//h3//a/@href"
    NEXT = "//*[contains(@class,'news-paging')]//a[contains(@class,'next')]/@href"

    def article_links(self) -> list[str]:
        return [link for link in super().article_links() if _ARTICLE_HREF.search(link)]


def recognise(page: PageData) -> bool:
    """The SharePoint master page's workspace, or its page context script."""
    found = markers(page)
    return found.sharepoint_workspace or found.script_holds("_spPageContextInfo")


PROFILE = Profile("sharepoint", SharePointArticle, SharePointListing, recognise)
