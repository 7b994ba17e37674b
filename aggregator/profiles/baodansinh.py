"""Báo Dân sinh, the labour sector's newspaper (baodansinh.vn).

Article, in either of the two markups the paper's pages are read in: ``<article
class="article-detail">`` holding ``.article-date`` ("THỨ TƯ, NGÀY 24 THÁNG 07 NĂM 2024
12:55"), ``h1.article-title``, an optional ``h2.article-sapo`` and ``.article-content``, whose
last child ``p.article-author`` is the signature; or the VCCorp-built detail page
(``.info-time``, ``h1.title``, ``h2.detail-sapo``, ``div.entry-body`` closing with a bold,
right-aligned signature in capitals, photos as ``div[type=Photo]`` boxes with
``.PhotoCMS_Caption``). Photos carry their caption twice (``alt`` and caption): extraction
keeps it once, in place. Related news ("CÙNG CHUYÊN MỤC"), "Xem theo ngày" and footer links
sit outside the article. Listing: ``.category-list`` of ``article.story`` with
``h3.story-title`` links; ``.pagination a[rel=next]``.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from aggregator.dates import parse_shown_date, parse_vietnamese_date
from aggregator.models import Image
from aggregator.profiles.base import (
    ArticlePage,
    ListingPage,
    Profile,
    drop,
    images_in,
)
from aggregator.profiles.bylines import Bylines, find_bylines, site_names, text_blocks
from aggregator.profiles.datelines import Shown, combine
from aggregator.profiles.markers import markers
from aggregator.profiles.pagedata import PageData
from aggregator.text import clean_or_none

SITE_NAME = "báo dân sinh"
_ARTICLE = "//article[contains(concat(' ',normalize-space(@class),' '),' article-detail ')]"


def _classed(*names: str) -> str:
    """An XPath union of descendants carrying any of the class tokens ``names``."""
    return " | ".join(
        f".//*[contains(concat(' ',normalize-space(@class),' '),' {name} ')]" for name in names
    )


_TITLE = _classed("article-title", "title", "detail-title")
_DATE = _classed("article-date", "info-time", "detail-time", "date-time")
_SAPO = _classed("article-sapo", "detail-sapo", "sapo")
_BODY = _classed("article-content", "entry-body", "detail-content", "detail__content")


class BaoDanSinhArticle(ArticlePage):
    def __init__(self, page: PageData) -> None:
        super().__init__(page)
        article = self.first(_ARTICLE)
        self._root: HtmlElement = article if article is not None else page.tree
        body = self._body()
        self._bylines = self._find_bylines(page, body)

    def _find_bylines(self, page: PageData, body: HtmlElement | None) -> Bylines:
        """The author slot (``p.article-author``, ``.detail-author``) or the bold signature
        closing ``.entry-body``; never the paper's own name."""
        return find_bylines(
            slots_in=self._root,
            headline=self._in_article(_TITLE.replace(".//*[", ".//h1[")),
            closing=text_blocks(body) if body is not None else [],
            plain_names=True,
            site_names=site_names(page) | {SITE_NAME},
        )

    def _in_article(self, xpath: str) -> HtmlElement | None:
        for element in self._root.xpath(xpath):
            if clean_or_none(element.text_content()) or element.find(".//p") is not None:
                return element
        return None

    def title(self) -> str | None:
        headline = self._in_article(_TITLE.replace(".//*[", ".//h1["))
        return clean_or_none(headline.text_content()) if headline is not None else None

    def published(self) -> Shown | None:
        """The date line shown; ``article:published_time`` refines it (seconds) or stands
        in where the page shows none."""
        structured = None
        for value in self.page.meta.get("article:published_time", ()):
            structured = parse_vietnamese_date(value)
            if structured:
                break
        line = self._in_article(_DATE)
        text = clean_or_none(line.text_content()) if line is not None else None
        return combine(parse_shown_date(text) if text else None, structured)

    def lead_element(self) -> HtmlElement | None:
        """The sapo (``h2``): extraction makes it the text's first paragraph."""
        return self._in_article(_SAPO)

    def author(self) -> str | None:
        return self._bylines.name

    def images(self) -> list[Image]:
        return images_in(self._body(), self)

    def remove_chrome(self) -> None:
        self._bylines.remove()
        for xpath in (_TITLE.replace(".//*[", ".//h1["), _DATE):
            for element in self._root.xpath(xpath):
                drop(element)

    def _body(self) -> HtmlElement | None:
        return self._in_article(_BODY)

    def content_root(self) -> HtmlElement | None:
        body = self._body()
        if body is not None:
            return body
        return self._root if self._root is not self.tree else None


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
    urls = [*page.meta.get("og:url", ()), *markers(page).canonical]
    return any("baodansinh.vn" in u for u in urls)


PROFILE = Profile("baodansinh", BaoDanSinhArticle, BaoDanSinhListing, recognise)
