"""What every profile reads of one page, parsed once, and the generic readings of it.

Like Fundus's ``Precomputed``: the tree, its URL, its ``<meta>`` tags and its JSON-LD article
object are built once a page and handed to every profile (recognising the markup, then the
chosen page object), so machine-readable markup is read in one place. The generic readings
of that markup (a structured date, a structured author) live here too, for any page object
to fall back on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from lxml.html import HtmlElement

from aggregator.dates import zero_date
from aggregator.text import clean_line, clean_or_none

_T = TypeVar("_T")

_META_KEYS = ("name", "property", "itemprop", "http-equiv")
_ARTICLE_TYPES = {"newsarticle", "article", "blogposting", "reportagenewsarticle", "report"}
# Publication dates in meta tags, most trusted first.
_META_DATES = (
    ("article:published_time",),
    ("datePublished",),
    ("pubdate", "publishdate", "PublishDate"),
    ("dc.date.issued", "DC.date.issued"),
)


@dataclass(frozen=True)
class PageData:
    """A parsed page and its URL; ``meta`` and ``ld`` are read on first use, then kept."""

    tree: HtmlElement
    url: str | None = None

    @cached_property
    def _remembered(self) -> dict[object, Any]:
        return {}

    def remembered(self, key: object, read: Callable[[PageData], _T]) -> _T:
        """``read(self)``, worked out on the first call with ``key`` and kept: a reading
        several page objects or steps ask for (the headline, the profiles' markers) is made
        once a page. Readings of the page as parsed: ask before changing the tree."""
        found = self._remembered
        if key not in found:
            found[key] = read(self)
        return found[key]  # type: ignore[no-any-return]

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """``<meta>`` contents by their ``name``, ``property``, ``itemprop`` or
        ``http-equiv`` (as written), in page order."""
        found: dict[str, list[str]] = {}
        for node in self.tree.iter("meta"):
            content = node.get("content")
            if content is None:
                continue
            for attribute in _META_KEYS:
                key = node.get(attribute)
                if key:
                    found.setdefault(key, []).append(content)
        return found

    def meta_value(self, *keys: str) -> str | None:
        """The first non-blank content of the first of ``keys`` the page has, cleaned."""
        for key in keys:
            for value in self.meta.get(key, ()):
                cleaned = clean_or_none(value)
                if cleaned:
                    return cleaned
        return None

    @cached_property
    def ld(self) -> dict[str, Any]:
        """The page's JSON-LD article object (the first with a ``datePublished`` if none is
        typed as an article), or an empty dict."""
        fallback: dict[str, Any] = {}
        for script in self.tree.xpath("//script[@type='application/ld+json']"):
            try:
                data = json.loads(script.text or "", strict=False)
            except ValueError:
                continue
            for item in _ld_objects(data):
                types = item.get("@type")
                names = {t.lower() for t in (types if isinstance(types, list) else [types]) if t}
                if names & _ARTICLE_TYPES:
                    return item
                if not fallback and "datePublished" in item:
                    fallback = item
        return fallback


def _ld_objects(data: object) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _ld_objects(data["@graph"])


def structured_date(page: PageData) -> str | None:
    """The publication date machine-readable markup gives, as written: JSON-LD
    ``datePublished``, else the meta tags and microdata ``datetime`` that carry one. A zero
    value (Go's and .NET's year 1, written where the CMS had no date) is skipped for the next."""
    value = page.ld.get("datePublished")
    if isinstance(value, str) and value.strip() and not zero_date(value):
        return value.strip()
    for keys in _META_DATES:
        found = page.meta_value(*keys)
        if found is None and keys[0] == "datePublished":
            found = _first_clean(page.tree.xpath("//*[@itemprop='datePublished']/@datetime"))
        if found and not zero_date(found):
            return found
    return None


def structured_author(page: PageData) -> str | None:
    """The author JSON-LD names (several joined by commas), else ``<meta name="author">``.
    Not ``article:author``: a profile URL more often than a name."""
    authors = page.ld.get("author")
    names = []
    for author in authors if isinstance(authors, list) else [authors]:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and clean_or_none(name):
            names.append(clean_line(name))
    return ", ".join(names) or page.meta_value("author")


def _first_clean(values: list[Any]) -> str | None:
    for value in values:
        cleaned = clean_or_none(str(value))
        if cleaned:
            return cleaned
    return None
