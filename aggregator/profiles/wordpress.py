"""WordPress magazines of the sector (the standard theme markup most magazine themes keep).

Modelled from the family's known conventions (WordPress core and underscores-based themes,
Jetpack related posts and sharing), not from a saved page: the real sites could not be reached.

Article: ``article.post`` holding ``h1.entry-title``, ``time.entry-date[datetime]`` (ISO 8601),
the byline ``.byline .author.vcard`` and ``.entry-content``; figures are
``figure.wp-caption`` with ``figcaption.wp-caption-text`` (the caption is also the ``alt``).
Jetpack injects ``.jp-relatedposts`` and ``.sharedaddy`` into ``.entry-content``; the body
ends with the writer's signature, which repeats the byline. Listings: ``article.post`` items
with ``.entry-title a`` and ``a.next.page-numbers``; every page links ``/feed/``.
"""

from __future__ import annotations

from datetime import datetime

from lxml.html import HtmlElement

from aggregator.dates import parse_vietnamese_date
from aggregator.models import Image
from aggregator.profiles.base import (
    ArticlePage,
    Profile,
    SelectorListing,
    captions_as_paragraphs,
    drop,
    images_in,
)
from aggregator.profiles.bylines import Byline, closing_signature, site_names
from aggregator.profiles.credits import person
from aggregator.profiles.leads import find_lead
from aggregator.profiles.markers import markers
from aggregator.profiles.pagedata import PageData
from aggregator.text import clean_or_none

_POST = "//article[contains(concat(' ',normalize-space(@class),' '),' post ')]"
_SINGLE = "//body[contains(concat(' ',normalize-space(@class),' '),' single ')]"
_CONTENT = ".//div[contains(concat(' ',normalize-space(@class),' '),' entry-content ')]"
_CHROME = (
    ".//*[contains(@class,'jp-relatedposts') or contains(@class,'related-posts')]",
    ".//*[contains(@class,'sharedaddy') or contains(@class,'share-buttons')]",
    ".//*[contains(@class,'entry-meta') or contains(@class,'entry-footer')]",
)


class WordPressArticle(ArticlePage):
    def __init__(self, page: PageData) -> None:
        super().__init__(page)
        self._post = self.first(_POST)
        found = self._post.xpath(_CONTENT) if self._post is not None else []
        self._content: HtmlElement | None = found[0] if found else None
        self._signature = self._signature_paragraph()

    def _signature_paragraph(self) -> Byline | None:
        """The last paragraph of the text proper (Jetpack's boxes come after it) when it is
        a signature: the writer's name, in bold, as magazines sign."""
        if self._content is None:
            return None
        paragraphs = self._content.xpath("./p[normalize-space()]")
        return closing_signature(paragraphs[-1:], plain_names=False)

    def not_an_article(self) -> str | None:
        if not self.tree.xpath(_SINGLE) and len(self.tree.xpath(_POST)) > 1:
            return "a WordPress archive page, not an article"
        return None

    def _in_post(self, xpath: str) -> HtmlElement | None:
        found = self._post.xpath(xpath) if self._post is not None else []
        return found[0] if found else None

    def title(self) -> str | None:
        heading = self._in_post(".//*[contains(@class,'entry-title')]")
        return None if heading is None else clean_or_none(heading.text_content())

    def published(self) -> datetime | None:
        stamp = self._in_post(".//time[contains(@class,'entry-date')]")
        if stamp is None:
            return None
        return parse_vietnamese_date(stamp.get("datetime") or stamp.text_content())

    def lead_element(self) -> HtmlElement | None:
        """Magazine themes open ``.entry-content`` with the sapo (``p.sapo``, a bold line)."""
        headline = self._in_post(".//*[contains(@class,'entry-title')]")
        return find_lead(self.tree, headline, self._content)

    def author(self) -> str | None:
        byline = self._in_post(".//*[contains(@class,'author') and contains(@class,'vcard')]")
        name = None if byline is None else person(byline.text_content(), site_names(self.page))
        return name or (None if self._signature is None else self._signature.name)

    def images(self) -> list[Image]:
        return images_in(self._content, self)

    def remove_chrome(self) -> None:
        if self._signature is not None:
            self._signature.remove()
        if self._content is None:
            return
        for xpath in _CHROME:
            for element in self._content.xpath(xpath):
                drop(element)
        captions_as_paragraphs(self._content)

    def content_root(self) -> HtmlElement | None:
        return self._content


class WordPressListing(SelectorListing):
    ITEMS = _POST + "//*[contains(@class,'entry-title')]//a/@href"
    NEXT = (
        "//a[contains(@class,'next') and contains(@class,'page-numbers')]/@href"
        " | //link[@rel='next']/@href"
    )


def recognise(page: PageData) -> bool:
    """WordPress's generator tag, or theme and plugin files under ``/wp-content/``."""
    for generator in page.meta.get("generator", ()):
        if generator.strip().casefold().startswith("wordpress"):
            return True
    return markers(page).wp_content


PROFILE = Profile("wordpress", WordPressArticle, WordPressListing, recognise)
