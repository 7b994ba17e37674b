"""Pages no profile knows: heuristics read the article's fields and listings, trafilatura the body.

An article's headline is its JSON-LD ``headline``, else the ``h1`` the ``<title>`` repeats (a
portal's logo is often an ``h1`` too), else ``og:title``. Its date is JSON-LD
``datePublished``, else ``article:published_time`` and friends, else a short visible date
line near the headline, never one inside a related-stories box, sidebar or footer; a date
line showing the time refines a structured date that gives only the day. Its author is the
person an author slot, a line under the headline or the short signature closing the body
credits (:mod:`aggregator.profiles.bylines`), else JSON-LD or ``<meta name="author">``, never a
CMS account or a unit ("Phòng Lao động - Việc làm" signs, but is no author). The date line and
the credit lines leave the body.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from aggregator.dates import parse_shown_date
from aggregator.language import article_language
from aggregator.models import Image
from aggregator.profiles.base import (
    ArticlePage,
    ListingPage,
    Profile,
    drop,
    images_in,
)
from aggregator.profiles.bodies import body_container, drop_leftover_lines, holds_a_story, tidy_body
from aggregator.profiles.bylines import (
    Bylines,
    article_scope,
    find_bylines,
    site_names,
    text_blocks,
    trailing_blocks,
)
from aggregator.profiles.chrome import in_chrome
from aggregator.profiles.credits import person
from aggregator.profiles.datelines import Shown, combine, find_date_line, followed_by_date
from aggregator.profiles.headlines import find_headline, prefer_visible, title_from_head
from aggregator.profiles.leads import find_lead
from aggregator.profiles.pagedata import PageData, structured_author, structured_date
from aggregator.text import clean_or_none
from aggregator.urls import site_host

# Links inside these are navigation, not a listing's items.
_CHROME_ANCESTOR = (
    "ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside"
    " or ancestor::*[contains(@class,'menu') or contains(@id,'menu')"
    " or contains(@class,'footer') or contains(@id,'footer')"
    " or contains(@class,'breadcrumb') or contains(@class,'pagination')]"
)
_ARTICLE_EXT = re.compile(r"\.(?:html?|aspx?|php|jsp)$", re.IGNORECASE)
_STATIC_EXT = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|pptx?|zip|rar|mp[34]|css|js|xml|rss)$",
    re.IGNORECASE,
)
_NOT_ARTICLE = re.compile(
    r"/(?:tag|tags|category|chuyen-muc|danh-muc|search|tim-kiem|login|dang-nhap|lien-he|"
    r"gioi-thieu|so-do-website|sitemap|rss|video|photo)(?:[/.?]|$)",
    re.IGNORECASE,
)
_MIN_SLUG_WORDS = 4
_NEXT_TEXTS = {"next", "tiếp", "tiếp theo", "trang sau", "sau", "»", "›", ">", ">>"}


def looks_like_article(url: str) -> bool:
    """Whether ``url``'s path reads as one article rather than a section or a file."""
    path = urlsplit(url).path
    if "/-/view_content/" in path:
        return True
    if path in ("", "/") or _STATIC_EXT.search(path) or _NOT_ARTICLE.search(path):
        return False
    slug = _ARTICLE_EXT.sub("", path.rstrip("/").rsplit("/", 1)[-1])
    words = [w for w in re.split(r"[-_]", slug) if w]
    has_id = bool(re.search(r"\d{4,}", path))
    return len(words) >= _MIN_SLUG_WORDS and (has_id or bool(_ARTICLE_EXT.search(path)))


class GenericArticle(ArticlePage):
    def __init__(self, page: PageData) -> None:
        super().__init__(page)
        self._headline = find_headline(page, followed_by_date)
        self._date_line: HtmlElement | None = None
        self._body = body_container(page.tree)
        self._bylines = self._find_bylines()

    def _find_bylines(self) -> Bylines:
        body = self._body
        closing = []
        if body is not None:
            closing = text_blocks(body) + trailing_blocks(body, article_scope(body))
        return find_bylines(
            slots_in=self.tree,
            headline=self._headline.element,
            closing=closing,
            plain_names=body is not None and _vietnamese_page(self.tree, body),
            site_names=site_names(self.page),
        )

    def not_an_article(self) -> str | None:
        if not holds_a_story(self._body):
            return "no article text on the page (only menus, sidebars or a footer)"
        return None

    def title(self) -> str | None:
        headline = self._headline
        if headline.confirmed:
            return headline.text
        ld_headline = self.page.ld.get("headline")
        structured = clean_or_none(ld_headline) if isinstance(ld_headline, str) else None
        return prefer_visible(headline.text, structured) or title_from_head(self.page)

    def published(self) -> Shown | None:
        structured = structured_date(self.page)
        found = find_date_line(self.tree, self._headline.element, self._body)
        shown = None
        if found is not None:
            self._date_line, shown = found  # the line leaves the body
        return combine(shown, parse_shown_date(structured) if structured else None)

    def lead_element(self) -> HtmlElement | None:
        return find_lead(self.tree, self._headline.element, self._body)

    def author(self) -> str | None:
        return self._bylines.name or person(structured_author(self.page), site_names(self.page))

    def images(self) -> list[Image]:
        found = images_in(self._image_scope(), self)
        if found:
            return found
        return [
            Image(self.absolute(src))
            for src in self.page.meta.get("og:image", [])[:1]
            if src.strip()
        ]

    def captions_root(self) -> HtmlElement | None:
        return self._body

    def _image_scope(self) -> HtmlElement | None:
        """The ``<article>`` holding the text (not a related story's card, which is an
        ``<article>`` too), else the text's own container."""
        body = self._body
        if body is None:
            articles = self.tree.xpath("//article")
            return articles[0] if articles else None
        outer = [a for a in body.iterancestors("article") if not in_chrome(a)]
        return outer[-1] if outer else body

    def remove_chrome(self) -> None:
        lines = [e.getparent() for e in (self._date_line, *self._bylines.elements) if e is not None]
        self._bylines.remove()
        drop(self._date_line)
        drop_leftover_lines(lines)
        if self._body is not None:
            tidy_body(self._body)


class GenericListing(ListingPage):
    def article_links(self) -> list[str]:
        host = site_host(self.url)
        hrefs = self.tree.xpath(f"//a[@href][not({_CHROME_ANCESTOR})]/@href")
        return [
            link
            for link in self.absolute_links(hrefs)
            if site_host(link) == host and link != self.url and looks_like_article(link)
        ]

    def next_page(self) -> str | None:
        links = self.absolute_links(
            self.tree.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href")
        )
        if links:
            return links[0]
        for anchor in self.tree.xpath(
            "//*[contains(@class,'pag') or contains(@id,'pag')]//a[@href]"
        ):
            text = " ".join(anchor.text_content().split()).casefold()
            if text in _NEXT_TEXTS or "next" in (anchor.get("class") or ""):
                found = self.absolute_links([anchor.get("href", "")])
                if found:
                    return found[0]
        return None


def recognise(page: PageData) -> bool:
    """Every page is generic: the last resort of detection."""
    return True


PROFILE = Profile("generic", GenericArticle, GenericListing, recognise)


def _vietnamese_page(tree: HtmlElement, body: HtmlElement) -> bool:
    """A plain closing name is a signature on Vietnamese pages only (elsewhere it is as
    likely a news agency's or a "Follow us" line)."""
    return article_language(body.text_content()[:2000], tree.get("lang")) == "vi"
