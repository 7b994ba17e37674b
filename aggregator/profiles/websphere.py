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

from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from lxml.html import HtmlElement

from aggregator.profiles.base import Profile, SelectorArticle, SelectorListing
from aggregator.profiles.markers import markers
from aggregator.profiles.pagedata import PageData

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


class WebSphereArticle(SelectorArticle):
    CONTENT = _CONTENT
    TITLE = _TITLE
    DATE = _DATE
    CHROME = _CHROME
    LIST_MARK = _LIST
    LISTING_REASON = "a WebSphere WCM list, not an article"

    def body(self) -> HtmlElement | None:
        # The rich-text element, inside the content wrapper with its title and tools.
        if self._root is None:
            return None
        found = self._root.xpath(".//*[contains(@class,'wcm-body')]")
        return found[0] if found else self._root


class WebSphereListing(SelectorListing):
    ITEMS = _LIST + "/li//*[contains(@class,'wcm-list-title')]//a/@href"
    NEXT = "//*[contains(@class,'wcm-pager')]//a[contains(@class,'next') or @rel='next']/@href"

    def article_links(self) -> list[str]:
        return [article_url(link) for link in super().article_links()]


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


def recognise(page: PageData) -> bool:
    """The Portal theme's frame and portlet controls, or WCM content under ``/wps/``."""
    return markers(page).portal_frame


PROFILE = Profile("websphere", WebSphereArticle, WebSphereListing, recognise)
