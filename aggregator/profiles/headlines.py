"""The headline of a page whose CMS nobody described: found by the page's structure.

Portals set the headline as an ``h1``, but also as an ``h2``/``h3``, a block classed as the
title (``div.title``, ``h1.title-detail``, ``p.article-title``) or, on old portals, a
``<font><b>``. The ``<title>`` and ``og:title`` confirm a candidate when they repeat it (often
truncated, "…", or followed by the site's name); without that, only an ``h1`` or a block
classed as the title is trusted, and a bold line is taken only where a date line follows it
(a lone ``h2`` is as often a sidebar's heading). Where the page's markup shows no headline,
the ``<title>`` minus the site's name stands in, unless it is the site's generic title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml.html import HtmlElement

from aggregator.profiles.chrome import in_chrome
from aggregator.profiles.classes import ClassWords, classed_with
from aggregator.profiles.pagedata import PageData
from aggregator.text import clean_line

_MIN_CHARS = 8
_MAX_CHARS = 300
_TITLE_TOKEN = re.compile(r"(?:^|[-_])(?:title|headline|tieu-?de|tieude)(?:$|[-_])", re.I)
# Any of _TITLE_TOKEN's words anywhere in a class attribute.
_TITLE_WORD = ClassWords("title", "headline", "tieu")
_TITLE_CLASSED_TAGS = frozenset(("h2", "h3", "h4", "div", "p", "span", "td"))
_NOT_TITLE_TOKEN = re.compile(
    r"sub|site|page|section|box|block|cate|widget|module|panel|header|menu|logo", re.I
)
_TRUNCATION = re.compile(r"\s*(?:\.\.\.|…)\s*$")
# "Headline - Section - Site", "Headline | Site Mobile", "Site :: Headline".
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—-]|::|»|›)\s+")
_MIN_CONFIRMING_CHARS = 20  # a truncated <title> must keep this much to confirm a headline
# "Chi tiết - Sở ...", "Trang chủ": the portal's name, not the article's headline.
GENERIC_TITLE = re.compile(r"^(?:chi tiết|tin chi tiết|chi tiết tin|trang chủ)\b", re.I)


# The owner's name closing a <title>: a department, ministry, newspaper, portal or school.
_ORGANISATION = re.compile(
    r"^(?:sở|bộ|báo|tạp chí|cổng (?:thông tin|ttđt)|trang (?:thông tin|tin)|đài|ubnd|"
    r"ủy ban|uỷ ban|trường|website|cục|tổng cục)\b",
    re.IGNORECASE,
)
_MAX_SITE_NAME_WORDS = 12


@dataclass(frozen=True)
class Headline:
    """The element showing the headline (None when the markup shows none), and whether the
    page's ``<title>`` or ``og:title`` repeats it."""

    element: HtmlElement | None
    confirmed: bool = False

    @property
    def text(self) -> str | None:
        if self.element is None:
            return None
        return clean_line(self.element.text_content()) or None


def find_headline(page: PageData, followed_by_date: object = None) -> Headline:
    """The page's headline element.

    ``followed_by_date`` (a callable taking an element) says whether a date line follows an
    element closely; it lets a bold line without a heading tag count as the headline. Found
    once a page for each ``followed_by_date`` (the generic page object and the extraction's
    fallbacks both ask), before any tree surgery.
    """
    return page.remembered(
        (find_headline, followed_by_date), lambda _: _find(page, followed_by_date)
    )


def _find(page: PageData, followed_by_date: object) -> Headline:
    titles = _page_titles(page)
    tiers = (_h1s, _title_classed, _headings, _bold_lines)
    for tier in tiers:
        for element in tier(page):
            if _repeated_in(clean_line(element.text_content()), titles):
                return Headline(element, True)
    h1s = [(len(clean_line(h.text_content())), h) for h in _h1s(page)]
    if h1s:
        return Headline(max(h1s, key=lambda pair: pair[0])[1])
    classed = next(_title_classed(page), None)
    if classed is not None:
        return Headline(classed)
    if callable(followed_by_date):
        for tier in tiers[2:]:
            for element in tier(page):
                if followed_by_date(element):
                    return Headline(element)
    return Headline(None)


def title_from_head(page: PageData) -> str | None:
    """The headline the ``og:title`` or ``<title>`` gives, without the site's name; None for
    a portal's generic title."""
    site_names = {name.casefold() for name in (page.meta.get("og:site_name", ())) if name.strip()}
    for value in (*page.meta.get("og:title", ()), *page.tree.xpath("//title/text()")):
        title = clean_line(value)
        if not title or GENERIC_TITLE.match(title) or title.casefold() in site_names:
            continue
        parts = _TITLE_SEPARATOR.split(title)
        kept = [p for p in parts if p.casefold() not in site_names]
        while len(kept) > 1 and _names_an_organisation(kept[-1]):
            kept.pop()  # "Phòng Thanh tra - Sở Thông Tin Và Truyền Thông"
        longest = max(kept, key=len) if kept else ""
        if len(parts) > 1 and (len(longest.split()) >= 3 or len(kept) == 1):
            title = longest
        return _TRUNCATION.sub("", title) if title.endswith(("...", "…")) else title
    return None


def _names_an_organisation(part: str) -> bool:
    """Whether a part of the ``<title>`` names the site's owner rather than the story: an
    agency's or newspaper's name, or words all capitalised as names are (headlines are
    written in sentence case)."""
    words = part.split()
    if not words or len(words) > _MAX_SITE_NAME_WORDS:
        return False
    if _ORGANISATION.match(part):
        return True
    capitalised = all(word[:1].isupper() or not word[:1].isalpha() for word in words)
    return len(words) >= 2 and capitalised and not part.isupper()  # a headline in capitals


def prefer_visible(visible: str | None, structured: str | None) -> str | None:
    """The visible headline unless markup gives one and the visible one is not merely its
    longer form: JSON-LD's headline is often cut short ("…") by the CMS."""
    if structured is None:
        return visible
    if visible is None:
        return structured
    stem = _TRUNCATION.sub("", structured).casefold()
    return visible if visible.casefold().startswith(stem) else structured


def _page_titles(page: PageData) -> list[str]:
    values = [*page.tree.xpath("//title/text()"), *page.meta.get("og:title", ())]
    return [clean_line(v).casefold() for v in values if clean_line(v)]


def _repeated_in(text: str, titles: list[str]) -> bool:
    if len(text) < _MIN_CHARS:
        return False
    folded = text.casefold()
    for title in titles:
        if folded in title:
            return True
        stem = _TRUNCATION.sub("", title)
        if stem != title and len(stem) >= _MIN_CONFIRMING_CHARS and folded.startswith(stem):
            return True
    return False


def _usable(element: HtmlElement) -> bool:
    text = clean_line(element.text_content())
    if not _MIN_CHARS <= len(text) <= _MAX_CHARS:
        return False
    if element.xpath("ancestor::a | ancestor::li | ancestor::nav"):
        return False  # a list of other stories, a menu
    return not in_chrome(element)


def _h1s(page: PageData) -> Iterator[HtmlElement]:
    for h1 in page.tree.iter("h1"):
        if not _is_logo(h1) and _usable(h1):
            yield h1


def _title_classed(page: PageData) -> Iterator[HtmlElement]:
    # Asked up to three times a page (each tier, then for the first): the scan is kept.
    found = page.remembered(_title_classed, lambda _: list(classed_with(page.tree, _TITLE_WORD)))
    for element, classes in found:
        if element.tag not in _TITLE_CLASSED_TAGS:
            continue
        tokens = classes.split()
        if not any(_TITLE_TOKEN.search(t) and not _NOT_TITLE_TOKEN.search(t) for t in tokens):
            continue
        if element.xpath(".//a[@href]") or element.xpath(".//p | .//div[.//p]"):
            continue  # a linked teaser, or a container of the whole article
        if _usable(element):
            yield element


def _headings(page: PageData) -> Iterator[HtmlElement]:
    for element in page.tree.xpath("//h2 | //h3"):
        if not element.xpath(".//a[@href]") and _usable(element):
            yield element


def _bold_lines(page: PageData) -> Iterator[HtmlElement]:
    """Old portals' ``<font size="+1"><b>Headline</b></font>``."""
    for element in page.tree.xpath("//font[@size]/b | //font[@size]/strong | //b/font[@size]"):
        if not element.xpath(".//a[@href]") and _usable(element):
            yield element


def _is_logo(h1: HtmlElement) -> bool:
    """A site name set as ``h1``: marked as a logo, or a link home."""
    marks = " ".join(
        f"{e.get('class') or ''} {e.get('id') or ''}" for e in (h1, *h1.iterancestors())
    ).lower()
    if any(word in marks for word in _SITE_HEADER_MARKS):
        return True  # in the page's banner or header: the site's name
    return bool(h1.xpath(".//a[@href='/'] | .//img"))


# Where a site shows its name: a heading inside one of these is no story's headline.
_SITE_HEADER_MARKS = ("logo", "brand", "banner", "site-name", "sitename", "masthead")
