"""RFC 5005 paged feeds: the newest entries in ``<slug>.<ext>``, older ones on further pages.

Page 1 is the feed readers subscribe to; page ``k`` is ``<slug>.page-<k>.<ext>``. Every page of
a feed with more than one links to the ``first`` and ``last`` pages and to its ``previous``
(newer) and ``next`` (older) neighbours (RFC 5005 section 3, "Paged Feeds"): a reader that
missed entries, or one importing the history, walks ``next`` until there is none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from feeds.model import FeedEntry

FIRST, LAST, NEXT, PREVIOUS = "first", "last", "next", "previous"
# RFC 5005 section 4, archived feeds: the subscription document links the newest archive,
# each archive the one before it and the subscription document.
CURRENT, PREV_ARCHIVE = "current", "prev-archive"
_PAGE_SUFFIX = re.compile(r"\.page-([1-9][0-9]*)$")


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    count: int  # pages of the feed
    entries: tuple[FeedEntry, ...]

    def links(self, href: Callable[[int], str]) -> list[tuple[str, str]]:
        """(rel, href) of the paging links; none for a feed of one page."""
        if self.count <= 1:
            return []
        links = [(FIRST, href(1)), (LAST, href(self.count))]
        if self.number > 1:
            links.append((PREVIOUS, href(self.number - 1)))
        if self.number < self.count:
            links.append((NEXT, href(self.number + 1)))
        return links


@dataclass(frozen=True)
class Document:
    """One file stem of a feed, in each format: its entries and its links to the feed's other
    documents, by stem (the writer makes them URLs per format)."""

    stem: str
    entries: tuple[FeedEntry, ...]
    links: tuple[tuple[str, str], ...] = ()  # (rel, stem)
    archive: bool = False  # an RFC 5005 archive document: marked fh:archive
    older: str | None = None  # the stem JSON Feed's next_url names: the older entries

    @classmethod
    def of_page(cls, slug: str, page: Page) -> Document:
        stems = lambda n: page_stem(slug, n)  # noqa: E731
        links = tuple((rel, href) for rel, href in page.links(stems))
        older = page_stem(slug, page.number + 1) if page.number < page.count else None
        return cls(page_stem(slug, page.number), page.entries, links, older=older)


def page_stem(slug: str, number: int) -> str:
    """The file name stem of a page: the slug itself for page 1."""
    return slug if number == 1 else f"{slug}.page-{number}"


def page_number(stem: str, slug: str) -> int | None:
    """The page number a file name stem of ``slug`` stands for, or None if it is not one."""
    if stem == slug:
        return 1
    if not stem.startswith(slug):
        return None
    found = _PAGE_SUFFIX.fullmatch(stem[len(slug) :])
    return int(found.group(1)) if found and found.group(1) != "1" else None


def paginate(ordered: Sequence[FeedEntry], size: int, pages: int) -> list[Page]:
    """``ordered`` (newest first) cut into at most ``pages`` pages of ``size``; always one page,
    if empty; what does not fit on the last page is left out."""
    size, pages = max(size, 0), max(pages, 1)
    if size == 0:
        return [Page(1, 1, ())]
    chunks = [tuple(ordered[i : i + size]) for i in range(0, min(len(ordered), size * pages), size)]
    chunks = chunks or [()]
    return [Page(n, len(chunks), chunk) for n, chunk in enumerate(chunks, 1)]
