"""Page-object interfaces: what a CMS family's pages are asked, apart from any crawling.

An :class:`ArticlePage` reads the fields it knows from the parsed page and strips the chrome
trafilatura would otherwise keep; trafilatura then reads the body. A :class:`ListingPage`
finds article links and the next page of a category listing. A :class:`Profile` groups both
with a test recognising the family from markup alone (host matching is the site registry's job).
All three are handed the same :class:`~aggregator.profiles.pagedata.PageData`, parsed once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from aggregator.dates import parse_shown_date
from aggregator.models import Image
from aggregator.profiles.bylines import find_bylines, site_names, text_blocks
from aggregator.profiles.captions import captions_in_place, image_caption
from aggregator.profiles.leads import find_lead
from aggregator.profiles.pagedata import PageData
from aggregator.text import clean_or_none


class ArticlePage:
    """An article page. The defaults know nothing: trafilatura reads every field.

    :func:`aggregator.extraction.extract_article` calls :meth:`not_an_article`, the field
    methods, then :meth:`remove_chrome`, then :meth:`content_root`; a subclass may rely on
    that order.
    """

    def __init__(self, page: PageData) -> None:
        self.page = page
        self.tree = page.tree
        self.url = page.url

    def not_an_article(self) -> str | None:
        """Why this page is surely no article (a listing, a login form), or None."""
        return None

    def title(self) -> str | None:
        return None

    def published(self) -> date | None:
        """When the page says the story was published: a datetime when it shows a time of
        day, a plain ``date`` when it shows only the day."""
        return None

    def lead_element(self) -> HtmlElement | None:
        """The element holding the lead (sapo) set apart above the body, if any: extraction
        takes it out of the body and makes its text the text's first paragraph."""
        return None

    def author(self) -> str | None:
        return None

    def images(self) -> list[Image]:
        return []

    def remove_chrome(self) -> None:
        """Drop what must not reach the text (author line, duplicated captions, related box)."""

    def content_root(self) -> HtmlElement | None:
        """The body container to hand to trafilatura, or None for the whole page."""
        return None

    def captions_root(self) -> HtmlElement | None:
        """Where the body's captioned images are (extraction puts each caption in place
        there): the content root unless the page object knows better."""
        return self.content_root()

    # Helpers for subclasses.

    def first(self, xpath: str) -> HtmlElement | None:
        found = self.tree.xpath(xpath)
        return found[0] if found else None

    def text_of(self, xpath: str) -> str | None:
        element = self.first(xpath)
        return None if element is None else clean_or_none(element.text_content())

    def absolute(self, href: str) -> str:
        return urljoin(self.url, href.strip()) if self.url else href.strip()


class SelectorArticle(ArticlePage):
    """An article page read by XPath selectors: a CMS family's page object sets them.

    ``CONTENT`` is the body container handed to trafilatura; ``TITLE`` and ``DATE`` are read
    as text; ``CHROME`` (relative to the body) is dropped; a page without ``TITLE`` but with
    ``LIST_MARK`` is a listing. The author is the person an author slot in the content, a
    line under the headline or the signature closing the body (in the last ``SIGNATURE_IN``
    element of the body, when set) credits (:mod:`aggregator.profiles.bylines`); each credit
    leaves the text. A family overrides only what its markup does differently.
    """

    CONTENT = ""
    SIGNATURE_IN = ""
    TITLE = ""
    DATE = ""
    CHROME: tuple[str, ...] = ()
    LIST_MARK = ""
    LISTING_REASON = "a listing page, not an article"

    def __init__(self, page: PageData) -> None:
        super().__init__(page)
        self._root = self.find_content()
        signed = self._signed()
        self._bylines = find_bylines(
            slots_in=self._root,
            headline=self.headline,
            closing=text_blocks(signed) if signed is not None else [],
            plain_names=False,  # a family's markup sets its signature apart
            site_names=site_names(page),
        )

    @cached_property
    def headline(self) -> HtmlElement | None:
        """The first ``TITLE`` match: found once, as the credits, the listing test, the title
        and the lead all ask for it before the chrome goes."""
        return self.first(self.TITLE) if self.TITLE else None

    def find_content(self) -> HtmlElement | None:
        """The body container: the first ``CONTENT`` match."""
        return self.first(self.CONTENT) if self.CONTENT else None

    def body(self) -> HtmlElement | None:
        """Where the text proper is (images, signature); the content root by default."""
        return self._root

    def _signed(self) -> HtmlElement | None:
        body = self.body()
        found = body.xpath(self.SIGNATURE_IN) if body is not None and self.SIGNATURE_IN else []
        return found[-1] if found else body

    def not_an_article(self) -> str | None:
        if self.LIST_MARK and self.headline is None and self.tree.xpath(self.LIST_MARK):
            return self.LISTING_REASON
        return None

    def title(self) -> str | None:
        headline = self.headline
        return None if headline is None else clean_or_none(headline.text_content())

    def published(self) -> date | None:
        shown = self.text_of(self.DATE) if self.DATE else None
        return parse_shown_date(shown) if shown else None

    def lead_element(self) -> HtmlElement | None:
        return find_lead(self.tree, self.headline, self.body())

    def author(self) -> str | None:
        return self._bylines.name

    def images(self) -> list[Image]:
        return images_in(self.body(), self)

    def remove_chrome(self) -> None:
        self._bylines.remove()
        if self._root is None:
            return
        for xpath in self.CHROME:
            for element in self._root.xpath(xpath):
                drop(element)

    def content_root(self) -> HtmlElement | None:
        return self._root


class ListingPage:
    """A category listing: article links and the next page, as absolute URLs."""

    def __init__(self, page: PageData) -> None:
        self.page = page
        self.tree = page.tree
        self.url = page.url or ""

    def article_links(self) -> list[str]:
        return []

    def next_page(self) -> str | None:
        return None

    def absolute_links(self, hrefs: Iterable[str]) -> list[str]:
        """``hrefs`` made absolute, without fragments, javascript: or duplicates, in order."""
        seen: dict[str, None] = {}
        for href in hrefs:
            href = href.strip()
            if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
                continue
            link = urljoin(self.url, href).split("#", 1)[0]
            if urlsplit(link).scheme in ("http", "https"):
                seen.setdefault(link, None)
        return list(seen)


class SelectorListing(ListingPage):
    """A listing read by two XPath selectors (``@href`` results): items and the next page."""

    ITEMS = ""
    NEXT = ""

    def article_links(self) -> list[str]:
        return self.absolute_links(self.tree.xpath(self.ITEMS)) if self.ITEMS else []

    def next_page(self) -> str | None:
        links = self.absolute_links(self.tree.xpath(self.NEXT)) if self.NEXT else []
        return links[0] if links else None


@dataclass(frozen=True)
class Profile:
    """A CMS family: its page objects and how to recognise its markup."""

    name: str
    article_page: type[ArticlePage]
    listing_page: type[ListingPage]
    recognise: Callable[[PageData], bool]


def images_in(root: HtmlElement | None, page: ArticlePage) -> list[Image]:
    """The body images under ``root`` with absolute sources: http(s) only (or relative, when
    the page's URL is unknown) — no data:, javascript: or other schemes reach the store."""
    if root is None:
        return []
    found: dict[str, Image] = {}
    for img in root.iter("img"):
        src = (img.get("src") or img.get("data-src") or "").strip()
        absolute = page.absolute(src) if src else ""
        if not absolute or urlsplit(absolute).scheme.lower() not in ("", "http", "https"):
            continue
        found.setdefault(absolute, Image(absolute, image_caption(img)))
    return list(found.values())


def drop(element: HtmlElement | None) -> None:
    """Remove ``element`` from its tree, keeping the text that follows it."""
    if element is not None and element.getparent() is not None:
        element.drop_tree()


# Page objects that put captions in place themselves (before their own tree surgery).
captions_as_paragraphs = captions_in_place
