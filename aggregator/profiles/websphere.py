"""IBM WebSphere Portal 8.5 with Web Content Manager (WCM) department portals.

Modelled from the family's known conventions (the Portal 8.5 theme's ``wpthemeFrame`` /
``ibmPortalControl`` markup, WCM presentation templates), not from a saved department page:
the real sites could not be reached.

Articles live at ``/wps/wcm/connect/<library>/<site>/<category>/<slug>``, or at portal URLs
``/wps/portal/<site>/<page>/...`` which carry a long navigational state segment
(``/!ut/p/z1/<state>/dz/d5/<state>/``) that changes from one page view to the next. The
content is a WCM rendering portlet holding ``div.wcm-content``: ``h1.wcm-title``,
``.wcm-date`` ("Ngày đăng: 24/07/2024 12:55:00 CH", SA = AM, CH = PM), an optional
``.wcm-summary`` lead and the rich-text ``.wcm-body`` closed by a signature paragraph.
Listings: ``ul.wcm-list`` items and a ``.wcm-pager`` with a "next" link.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

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

_CONTENT = "//div[contains(concat(' ',normalize-space(@class),' '),' wcm-content ')]"
_TITLE = _CONTENT + "//*[contains(@class,'wcm-title')]"
_DATE = _CONTENT + "//*[contains(@class,'wcm-date')]"
_LIST = "//ul[contains(concat(' ',normalize-space(@class),' '),' wcm-list ')]"
_CHROME = (
    ".//*[contains(@class,'wcm-title')]",
    ".//*[contains(@class,'wcm-date')]",
    ".//*[contains(@class,'wcm-tools')]",
    ".//*[contains(@class,'wcm-related')]",
)
# The portal's navigational state: from "/!ut/p/" to the end of the path.
_STATE_MARK = "/!ut/p/"


class WebSphereArticle(ArticlePage):
    def __init__(self, tree: HtmlElement, url: str | None = None) -> None:
        super().__init__(tree, url)
        self._root = self.first(_CONTENT)
        body = self._body()
        self._author_line = signature_line(body)

    def _body(self) -> HtmlElement | None:
        if self._root is None:
            return None
        found = self._root.xpath(".//*[contains(@class,'wcm-body')]")
        return found[0] if found else self._root

    def not_an_article(self) -> str | None:
        if self.first(_TITLE) is None and self.tree.xpath(_LIST):
            return "a WebSphere WCM list, not an article"
        return None

    def title(self) -> str | None:
        return self.text_of(_TITLE)

    def published(self) -> datetime | None:
        shown = self.text_of(_DATE)
        return parse_vietnamese_date(shown) if shown else None

    def author(self) -> str | None:
        return None if self._author_line is None else clean_line(self._author_line.text_content())

    def images(self) -> list[Image]:
        return images_in(self._body(), self)

    def remove_chrome(self) -> None:
        drop(self._author_line)
        if self._root is None:
            return
        for xpath in _CHROME:
            for element in self._root.xpath(xpath):
                drop(element)
        captions_as_paragraphs(self._root)

    def content_root(self) -> HtmlElement | None:
        return self._root


class WebSphereListing(ListingPage):
    _ITEMS = _LIST + "/li//*[contains(@class,'wcm-list-title')]//a/@href"
    _NEXT = "//*[contains(@class,'wcm-pager')]//a[contains(@class,'next') or @rel='next']/@href"

    def article_links(self) -> list[str]:
        return [article_url(link) for link in self.absolute_links(self.tree.xpath(self._ITEMS))]

    def next_page(self) -> str | None:
        links = self.absolute_links(self.tree.xpath(self._NEXT))
        return links[0] if links else None


def article_url(url: str) -> str:
    """The stable address of an article link: a WCM path passed as ``urile=wcm:path:...``
    becomes its ``/wps/wcm/connect`` URL; a portal URL loses its navigational state, which
    would make every visit's link to the same article a new one."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key == "urile" and value.startswith("wcm:path:"):
            path = "/wps/wcm/connect/" + unquote(value[len("wcm:path:") :]).lstrip("/")
            return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    if _STATE_MARK in parts.path:
        path = parts.path.split(_STATE_MARK, 1)[0]
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    return url


def recognise(tree: HtmlElement) -> bool:
    """The Portal theme's frame and portlet controls, or WCM content under ``/wps/``."""
    return bool(
        tree.xpath("//*[contains(@class,'wpthemeFrame') or contains(@class,'ibmPortalControl')][1]")
    )


PROFILE = Profile("websphere", WebSphereArticle, WebSphereListing, recognise)
