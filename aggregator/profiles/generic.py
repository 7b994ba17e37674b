"""Pages no profile knows: heuristics read the article's fields and listings, trafilatura the body.

An article's headline is its JSON-LD ``headline``, else the ``h1`` the ``<title>`` repeats (a
portal's logo is often an ``h1`` too), else ``og:title``. Its date is JSON-LD
``datePublished``, else ``article:published_time`` and friends, else a short visible date
line near the headline, never one inside a related-stories box, sidebar or footer; a date
line showing the time refines a structured date that gives only the day. Its author is the
short signature closing the body ("Lê Phương", "Phòng Lao động - Việc làm"), else JSON-LD or
``<meta name="author">``. The date line and the signature leave the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from aggregator.dates import parse_vietnamese_date, shows_time
from aggregator.language import article_language
from aggregator.models import Image
from aggregator.profiles.base import (
    ArticlePage,
    ListingPage,
    Profile,
    drop,
    images_in,
    is_signature,
)
from aggregator.profiles.pagedata import PageData, structured_author, structured_date
from aggregator.text import clean_line, clean_or_none
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
        self._headline = _headline(page)
        self._date_line: HtmlElement | None = None
        self._body = _body_container(page.tree)
        self._signature = _signature_line(self._body, page.tree)

    def title(self) -> str | None:
        headline, repeated = self._headline
        if headline is not None and repeated:
            return clean_or_none(headline.text_content())
        ld_headline = self.page.ld.get("headline")
        if isinstance(ld_headline, str):
            return clean_or_none(ld_headline)
        if headline is not None:
            return clean_or_none(headline.text_content())
        return self.page.meta_value("og:title")

    def published(self) -> datetime | None:
        structured = structured_date(self.page)
        visible = self._visible_date()  # looked for anyway: the line leaves the body
        marked = parse_vietnamese_date(structured) if structured else None
        if marked is None:
            return None if visible is None else visible[0]
        if visible is None or not visible[1] or shows_time(structured or ""):
            return marked
        # The markup gives only the day: the time the page shows for that day.
        return visible[0] if visible[0].date() == marked.date() else marked

    def author(self) -> str | None:
        if self._signature is not None:
            return clean_line(self._signature.text_content())
        return structured_author(self.page)

    def images(self) -> list[Image]:
        articles = self.tree.xpath("//article")
        if articles:
            return images_in(articles[0], self)
        return [
            Image(self.absolute(src))
            for src in self.page.meta.get("og:image", [])[:1]
            if src.strip()
        ]

    def remove_chrome(self) -> None:
        drop(self._signature)
        drop(self._date_line)
        if self._body is not None:
            for block in _trailing_chrome(self._body):
                drop(block)

    def _visible_date(self) -> tuple[datetime, bool] | None:
        """The first date line near the headline (its date, whether it shows a time)."""
        for element in _near_headline(self.tree, self._headline[0]):
            text = _date_line_text(element)
            if text is None:
                continue
            found = parse_vietnamese_date(text)
            if found is not None:
                self._date_line = element
                return found, shows_time(text)
        return None


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


# Where a date or a signature is never the article's: related stories, sidebars, footers.
_CHROME_WORDS = re.compile(
    r"related|lien-?quan|tin-?khac|other|cung-?chuyen-?muc|sidebar|widget|footer|"
    r"\bnav|menu|comment|binh-?luan|most-?read|doc-?nhieu|xem-?nhieu|tin-?moi|newest|latest",
    re.IGNORECASE,
)
_CHROME_TAGS = {"aside", "nav", "footer", "form"}
# A heading opening a related-stories box: everything after it is other stories.
_RELATED_HEADING = re.compile(
    r"^(?:các |những )?(?:tin|bài|bài viết|tin bài)(?: đã đưa)? (?:liên quan|khác|cùng chuyên mục)"
    r"|^(?:xem|đọc) thêm|^tin mới|^related|^more (?:stories|news)|^read more",
    re.IGNORECASE,
)
_NEAR_FOLLOWING = 40
_NEAR_PRECEDING = 12
_BODY_CHARS_SCANNED = 800  # a date line sits above the body, not deep inside it
_DATE_LINE_MAX_CHARS = 100
_DATE_LINE_MAX_WORDS = 6  # words besides the date: "Ngày đăng:", "Cập nhật lúc", "Thứ Tư,"
_DATE_TOKEN = re.compile(
    r"\d[\d/.:-]*|\b(?:AM|PM|SA|CH|GMT|UTC|ngày|tháng|năm|giờ|lúc)\b|[+|(),-]", re.IGNORECASE
)


def _headline(page: PageData) -> tuple[HtmlElement | None, bool]:
    """The ``h1`` the page title repeats (and True), else the longest ``h1`` outside the
    chrome (and False): the visible headline, which JSON-LD's may only paraphrase."""
    candidates = [h for h in page.tree.iter("h1") if not _in_chrome(h) and not _is_logo(h)]
    if not candidates:
        return None, False
    page_title = " ".join(
        [*page.tree.xpath("//title/text()"), *page.meta.get("og:title", ())]
    ).casefold()
    texts = [(clean_line(h.text_content()), h) for h in candidates]
    for text, h1 in texts:
        if text and text.casefold() in page_title:
            return h1, True
    text, h1 = max(texts, key=lambda pair: len(pair[0]))
    return (h1 if text else None), False


def _is_logo(h1: HtmlElement) -> bool:
    """A site name set as ``h1``: marked as a logo, or a link home."""
    marks = f"{h1.get('class') or ''} {h1.get('id') or ''}".lower()
    return "logo" in marks or "brand" in marks or bool(h1.xpath(".//a[@href='/'] | .//img"))


def _in_chrome(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in _CHROME_TAGS:
            return True
        marks = (ancestor.get("class") or "") + " " + (ancestor.get("id") or "")
        if marks.strip() and _CHROME_WORDS.search(marks):
            return True
    return False


def _near_headline(tree: HtmlElement, headline: HtmlElement | None) -> Iterator[HtmlElement]:
    """Elements where a date line may be: after the headline until the body is well under
    way or a related-stories heading, then just before it (nearest first)."""
    if headline is None:
        containers = tree.xpath("//article | //main | //*[@id='content']")
        if not containers:
            return
        following = containers[0].xpath(f".//*[position() <= {_NEAR_FOLLOWING}]")
        preceding = []
    else:
        following = headline.xpath(f"following::*[position() <= {_NEAR_FOLLOWING}]")
        preceding = headline.xpath(f"preceding::*[position() <= {_NEAR_PRECEDING}]")[::-1]
    body_chars = 0
    for element in following:
        if element.tag == "p":
            body_chars += len(element.text_content())
            if body_chars > _BODY_CHARS_SCANNED:
                break
        if element.tag in ("h2", "h3", "h4", "div", "span", "strong", "b"):
            heading = (element.text or "").strip()
            if heading and _RELATED_HEADING.match(heading):
                break
        yield element
    yield from preceding


def _date_line_text(element: HtmlElement) -> str | None:
    """``element``'s text when it reads as a date line: short, mostly the date itself, and
    neither chrome nor a list of other stories' links."""
    if element.tag in ("script", "style", "a", "option", "title", "meta", "link"):
        return None
    if element.tag == "time" and element.get("datetime"):
        return element.get("datetime")
    stamps = element.xpath(".//time/@datetime")
    if stamps:
        return None  # the <time> inside is read next, by its machine-readable datetime
    text = element.text_content()
    if len(text) > 4 * _DATE_LINE_MAX_CHARS:
        return None
    text = clean_line(text)
    if not text or len(text) > _DATE_LINE_MAX_CHARS or not any(c.isdigit() for c in text):
        return None
    if text.endswith(".") or len(_DATE_TOKEN.sub(" ", text).split()) > _DATE_LINE_MAX_WORDS:
        return None
    if element.xpath(".//a") or element.xpath("ancestor::a | ancestor::li[.//a]"):
        return None  # "Headline (24/07/2024)": a list of stories
    return None if _in_chrome(element) else text


def _body_container(tree: HtmlElement) -> HtmlElement | None:
    """The element whose own paragraphs hold the most text."""
    weights: dict[HtmlElement, int] = {}
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            weights[parent] = weights.get(parent, 0) + len(paragraph.text_content())
    if not weights:
        return None
    return max(weights, key=weights.__getitem__)


_NAVIGATION = re.compile(r"^\[?(?:quay lại|trở về|in trang|in bài|chia sẻ|gửi email|lên đầu)", re.I)


def _signature_line(body: HtmlElement | None, tree: HtmlElement) -> HtmlElement | None:
    """The body's closing block when it is a signature (a name or a unit), else None."""
    if body is None:
        return None
    for block in reversed(body):
        if not isinstance(block.tag, str) or block.tag not in ("p", "div"):
            continue
        text = clean_line(block.text_content())
        if not text or _NAVIGATION.match(text) or _links_only(block, text) or _chrome_block(block):
            continue
        if is_signature(block, text):
            return block
        plain = is_signature(block, text, plain=True)
        return block if plain and _vietnamese_page(tree, body) else None
    return None


def _trailing_chrome(body: HtmlElement) -> list[HtmlElement]:
    """The related-stories boxes closing the body, after its last text block."""
    found = []
    for block in reversed(body):
        if not isinstance(block.tag, str) or not clean_line(block.text_content()):
            continue
        if not _chrome_block(block):
            break
        found.append(block)
    return found


def _chrome_block(block: HtmlElement) -> bool:
    """A related-stories box or share bar at the end of the body."""
    marks = f"{block.get('class') or ''} {block.get('id') or ''}"
    if marks.strip() and _CHROME_WORDS.search(marks):
        return True
    heading = clean_line(block.text_content())[:40]
    return bool(_RELATED_HEADING.match(heading))


def _links_only(block: HtmlElement, text: str) -> bool:
    linked = clean_line(" ".join(a.text_content() for a in block.iter("a")))
    return len(linked) >= len(text)


def _vietnamese_page(tree: HtmlElement, body: HtmlElement) -> bool:
    """A plain closing name is a signature on Vietnamese pages only (elsewhere it is as
    likely a news agency's or a "Follow us" line)."""
    return article_language(body.text_content()[:2000], tree.get("lang")) == "vi"
