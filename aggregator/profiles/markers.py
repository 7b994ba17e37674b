"""The markup every profile recognises its CMS family by, found in one walk of the page.

Each family's test (``recognise`` in its module) asks about a few kinds of node: Liferay's
portlet wrappers, SharePoint's workspace, WebSphere's theme frame, scripts and stylesheets by
where they load from, the canonical link. Asked one XPath each, libxml2 walked every element
of the page once a question, several times a profile, for every profile tried before the
page's own (all of them on a page no profile knows). Here each kind of marker is looked for
once a page, when a test first asks, and the cheapest way: the scripts and links in one pass,
the ids by XPath on the attributes alone (testing an element's attribute in an element
predicate costs libxml2 several times more), the classes as plain strings.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from aggregator.profiles.classes import class_values
from aggregator.profiles.pagedata import PageData

_SCRIPT_MARKS = ("Liferay.ThemeDisplay", "_spPageContextInfo")
_STRING_VALUE = etree.XPath("string(.)")
_MARKED_IDS = etree.XPath("//@id[starts-with(.,'p_p_id_') or .='s4-workspace']")
_FRAME_MARKS = ("wpthemeFrame", "ibmPortalControl")


class Markers:
    """What of each family's markup a page holds, each read on first use."""

    def __init__(self, tree: HtmlElement) -> None:
        self._tree = tree

    @cached_property
    def portlet(self) -> bool:
        """An element whose id starts "p_p_id_": Liferay's portlet wrappers."""
        return any(value.startswith("p_p_id_") for value in self._ids)

    @property
    def sharepoint_workspace(self) -> bool:
        """An element with id "s4-workspace"."""
        return "s4-workspace" in self._ids

    @cached_property
    def portal_frame(self) -> bool:
        """WebSphere Portal's theme frame or portlet controls."""
        classes = "\n".join(class_values(self._tree))  # no mark runs from one into the next
        return any(mark in classes for mark in _FRAME_MARKS)

    @property
    def osgi(self) -> bool:
        """A script or stylesheet loaded from /o/: Liferay 7 / DXP modules."""
        return self._heads.osgi

    @property
    def canonical(self) -> tuple[str, ...]:
        """The hrefs of ``<link rel="canonical">``."""
        return self._heads.canonical

    @property
    def wp_content(self) -> bool:
        """A ``<link>`` to a file under /wp-content/."""
        return self._heads.wp_content

    def script_holds(self, mark: str) -> bool:
        """Whether a script's text holds ``mark`` (one of ``_SCRIPT_MARKS``)."""
        return mark in self._heads.scripts

    @cached_property
    def _ids(self) -> list[str]:
        return [str(value) for value in _MARKED_IDS(self._tree)]

    @cached_property
    def _heads(self) -> _Heads:
        return _Heads(self._tree)


class _Heads:
    """The page's scripts and links, read in one pass."""

    def __init__(self, tree: HtmlElement) -> None:
        self.osgi = self.wp_content = False
        self.scripts: set[str] = set()
        canonical: list[str] = []
        for node in tree.getroottree().iter("script", "link"):  # all of them, as "//script"
            if node.tag == "script":
                src = node.get("src")
                self.osgi = self.osgi or (src is not None and _from_osgi(src))
                # XPath's string value, as the tests asked it; a script's text when it has
                # no children, as parsed pages' scripts have none.
                text = (node.text or "") if len(node) == 0 else _STRING_VALUE(node)
                self.scripts.update(mark for mark in _SCRIPT_MARKS if mark in text)
                continue
            href = node.get("href")
            if href is None:
                continue
            rel = node.get("rel") or ""
            if rel == "canonical":
                canonical.append(href)
            self.osgi = self.osgi or ("stylesheet" in rel and _from_osgi(href))
            self.wp_content = self.wp_content or "/wp-content/" in href
        self.canonical = tuple(canonical)


def markers(page: PageData) -> Markers:
    """The page's markers (kept on it: every profile tried asks)."""
    return page.remembered(markers, lambda read: Markers(read.tree))


def _from_osgi(ref: str) -> bool:
    path = urlsplit(ref.strip()).path
    return path.startswith("/o/") or (path.startswith("/combo") and "/o/" in ref)
