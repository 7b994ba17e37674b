"""Báo Dân sinh, the labour sector's newspaper (baodansinh.vn).

Article: ``<article class="article-detail">`` holding ``.article-date``
("THỨ TƯ, NGÀY 24 THÁNG 07 NĂM 2024 12:55"), ``h1.article-title``, an optional
``h2.article-sapo`` and ``.article-content``, whose last child ``p.article-author`` is the
signature. Figures carry the caption twice (``alt`` and ``figcaption``). Related news,
"Xem theo ngày" and footer links sit outside the article. Listing: ``.category-list`` of
``article.story`` with ``h3.story-title`` links; ``.pagination a[rel=next]``.
"""

from __future__ import annotations

from datetime import datetime

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
from aggregator.profiles.credits import person
from aggregator.profiles.pagedata import PageData

SITE_NAME = "báo dân sinh"
_ARTICLE = "//article[contains(concat(' ',normalize-space(@class),' '),' article-detail ')]"


class BaoDanSinhArticle(ArticlePage):
    def __init__(self, page: PageData) -> None:
        super().__init__(page)
        self._root = self.first(_ARTICLE)

    def _in_article(self, xpath: str) -> HtmlElement | None:
        if self._root is None:
            return None
        found = self._root.xpath(xpath)
        return found[0] if found else None

    def title(self) -> str | None:
        return self.text_of(_ARTICLE + "//h1[contains(@class,'article-title')]")

    def published(self) -> datetime | None:
        for value in self.page.meta.get("article:published_time", ()):
            found = parse_vietnamese_date(value)
            if found:
                return found
        shown = self.text_of(_ARTICLE + "//*[contains(@class,'article-date')]")
        return parse_vietnamese_date(shown) if shown else None

    def author(self) -> str | None:
        return person(self.text_of(_ARTICLE + "//*[contains(@class,'article-author')]"))

    def images(self) -> list[Image]:
        return images_in(self._body(), self)

    def remove_chrome(self) -> None:
        if self._root is None:
            return
        for xpath in (
            ".//*[contains(@class,'article-author')]",
            ".//h1[contains(@class,'article-title')]",
            ".//*[contains(@class,'article-date')]",
        ):
            for element in self._root.xpath(xpath):
                drop(element)
        captions_as_paragraphs(self._root)
        self._lead_into_body(self._root)

    def _lead_into_body(self, article: HtmlElement) -> None:
        """Make the sapo the body's first paragraph: trafilatura keeps to ``.article-content``
        and would drop an ``h2`` opening the text anyway."""
        body = self._body()
        for sapo in article.xpath(".//*[contains(@class,'article-sapo')]"):
            sapo.tag = "p"
            if body is not None:
                sapo.tail = None
                body.insert(0, sapo)

    def _body(self) -> HtmlElement | None:
        return self._in_article(".//*[contains(@class,'article-content')]")

    def content_root(self) -> HtmlElement | None:
        return self._body() if self._body() is not None else self._root


class BaoDanSinhListing(ListingPage):
    def article_links(self) -> list[str]:
        return self.absolute_links(
            self.tree.xpath(
                "//div[contains(@class,'category-list')]"
                "//article[contains(@class,'story')]//*[contains(@class,'story-title')]//a/@href"
            )
        )

    def next_page(self) -> str | None:
        links = self.absolute_links(
            self.tree.xpath(
                "//div[contains(@class,'pagination')]"
                "//a[@rel='next' or contains(@class,'next')]/@href"
            )
        )
        return links[0] if links else None


def recognise(page: PageData) -> bool:
    """By ``og:site_name``, or a canonical / og:url on baodansinh.vn."""
    for name in page.meta.get("og:site_name", ()):
        if " ".join(name.split()).casefold() == SITE_NAME:
            return True
    urls = [*page.meta.get("og:url", ()), *page.tree.xpath("//link[@rel='canonical']/@href")]
    return any("baodansinh.vn" in u for u in urls)


PROFILE = Profile("baodansinh", BaoDanSinhArticle, BaoDanSinhListing, recognise)
