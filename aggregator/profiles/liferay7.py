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

from aggregator.profiles.base import Profile, SelectorArticle, SelectorListing
from aggregator.profiles.liferay import JOURNAL
from aggregator.profiles.markers import markers
from aggregator.profiles.pagedata import PageData

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


class Liferay7Article(SelectorArticle):
    CONTENT = _CONTENT
    SIGNATURE_IN = JOURNAL
    TITLE = _TITLE
    DATE = _DATE
    CHROME = _CHROME
    LIST_MARK = _ABSTRACTS
    LISTING_REASON = "a Liferay 7 asset list, not an article"

    def not_an_article(self) -> str | None:
        # The asset publisher shows its list on a page without the full-content wrapper.
        if self.first(_FULL) is None and self.tree.xpath(_ABSTRACTS):
            return self.LISTING_REASON
        return None

    def remove_chrome(self) -> None:
        if self._root is not None:
            for sapo in self._root.xpath(".//div[contains(@class,'sapo')][not(.//p)]"):
                sapo.tag = "p"  # a div lead would be read as layout, not as the first paragraph
        super().remove_chrome()


class Liferay7Listing(SelectorListing):
    ITEMS = _ABSTRACTS + "//*[contains(@class,'asset-title')]//a/@href"
    # Clay pager: the item after the active page, unless it is the disabled "next" arrow.
    NEXT = (
        "//ul[contains(@class,'pagination')]/li[contains(@class,'active')]"
        "/following-sibling::li[1][not(contains(@class,'disabled'))]/a/@href"
    )


def recognise(page: PageData) -> bool:
    """A Liferay portal (portlet ids or the ``Liferay.ThemeDisplay`` bootstrap) whose static
    resources come from OSGi modules under ``/o/``."""
    found = markers(page)
    return found.osgi and (found.portlet or found.script_holds("Liferay.ThemeDisplay"))


PROFILE = Profile("liferay7", Liferay7Article, Liferay7Listing, recognise)
