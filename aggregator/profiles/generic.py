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
from aggregator.profiles.bylines import (
    Bylines,
    article_scope,
    find_bylines,
    site_names,
    text_blocks,
    trailing_blocks,
)
from aggregator.profiles.chrome import CHROME_WORDS as _CHROME_WORDS
from aggregator.profiles.chrome import in_chrome
from aggregator.profiles.credits import person
from aggregator.profiles.datelines import RELATED_HEADING as _RELATED_HEADING
from aggregator.profiles.datelines import Shown, combine, find_date_line, followed_by_date
from aggregator.profiles.headlines import find_headline, prefer_visible, title_from_head
from aggregator.profiles.leads import find_lead
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
        self._headline = find_headline(page, followed_by_date)
        self._date_line: HtmlElement | None = None
        self._body = _body_container(page.tree)
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
        body = self._body
        if body is None or len(clean_line(body.text_content())) < _MIN_BODY_CHARS:
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
        for line in lines:  # a facts line left with its separators and a view count
            if line is not None and _LEFTOVER.fullmatch(clean_line(line.text_content())):
                drop(line)
        if self._body is not None:
            for block in _trailing_chrome(self._body) + _chrome_after(self._body):
                drop(block)
            _layout_tables_as_blocks(self._body)
            _text_boxes_as_paragraphs(self._body)
            for link in self._body.xpath(f"following::a[position() <= {_TOOL_LINKS_SCANNED}]"):
                if _TOOL_LINK.fullmatch(clean_line(link.text_content())):
                    if link.tail and not link.tail.strip(" |·-–\n\t\xa0"):
                        link.tail = None  # the " | " between "In bài" and "Gửi email"
                    drop(link)


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


def _body_container(tree: HtmlElement) -> HtmlElement | None:
    """The element whose own paragraphs hold the most text: its ``<p>`` children, or its
    loose text when the body is plain text split by ``<br>``."""
    weights: dict[HtmlElement, int] = {}
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            weights[parent] = weights.get(parent, 0) + len(paragraph.text_content())
    # Text standing straight in a block, outside any paragraph (a <br>-split body).
    for element in tree.xpath(_LOOSE_TEXT):
        if element.tag in _NOT_TEXT or (element.tag in _INLINE and element.find("br") is None):
            continue  # an ASP.NET label (<span>) split by <br> is a block of text
        loose = sum(len(piece.strip()) for piece in element.xpath("text()"))
        weights[element] = weights.get(element, 0) + loose
    # Footers and comment policies hold paragraphs too: never the article's. (Sidebars are
    # not ruled out: VnExpress marks its main column "sidebar-1".)
    for element in sorted(weights, key=weights.__getitem__, reverse=True):
        if not _in_footer(element):
            return element
    return None


def _in_footer(element: HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        if node.tag == "footer":
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _FOOTER.search(marks):
            return True
    return False


_FOOTER = re.compile(r"footer|comment|binh-?luan|copyright|ban-?quyen|policy", re.IGNORECASE)


# What a line of facts holds once its date and credit are gone: separators, a view count.
_LEFTOVER = re.compile(
    r"[\s|·•–—-]*(?:(?:lượt (?:xem|đọc)|views?)\s*:?\s*[\d.,]*[\s|·•–—-]*)?", re.I
)
# The article's tools after its text ("In bài | Gửi email"): links, never the story's words.
_TOOL_LINK = re.compile(
    r"(?:in bài|in trang|bản in|gửi email|gửi bài|gửi cho bạn bè|chia sẻ|quay lại|trở về|"
    r"về đầu trang|lên đầu trang|đầu trang|print|email|share|back|top)\s*[»›]?",
    re.IGNORECASE,
)
_TOOL_LINKS_SCANNED = 12
_MIN_BODY_CHARS = 60  # less is a date line or a caption, not a story
_LOOSE_TEXT = "//body//*[not(ancestor-or-self::p)][text()[normalize-space()]]"
_NOT_TEXT = {"script", "style", "noscript", "template", "head", "title"}
_INLINE = {"a", "b", "strong", "i", "em", "span", "font", "u", "br", "img", "sup", "sub", "small"}


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


def _layout_tables_as_blocks(body: HtmlElement) -> None:
    """Old portals lay the article out in a table (headline, date and body each in a row):
    those tables, the ones holding the body, become plain blocks, or trafilatura renders
    the article as a table of one cell. Tables inside the body stay tables."""
    for table in body.iterancestors("table"):
        rows = table.xpath("./tr | ./*/tr")
        for element in [table, *table.xpath("./tbody | ./thead | ./tfoot"), *rows]:
            element.tag = "div"
        for row in rows:
            for cell in row.xpath("./td | ./th"):
                cell.tag = "div"
    if body.tag in ("td", "th"):
        body.tag = "div"


def _text_boxes_as_paragraphs(body: HtmlElement) -> None:
    """A box of prose among the body's paragraphs (an unclassed ``<div>`` holding text, a
    quote framed by inline styles, pasted with the text) becomes a paragraph: trafilatura
    drops such boxes as page furniture."""
    for box in body.iterchildren("div"):
        if box.get("class") or box.get("id") or box.xpath(_BLOCK_INSIDE) or in_chrome(box):
            continue  # a classed box is the template's (a teaser of another story)
        if len(clean_line(box.text_content())) >= _BOX_MIN_CHARS:
            box.tag = "p"


_BLOCK_INSIDE = (
    "./*[self::div or self::p or self::table or self::ul or self::ol or self::h2 or self::h3"
    " or self::figure or self::img]"
)
_BOX_MIN_CHARS = 80


def _chrome_after(body: HtmlElement) -> list[HtmlElement]:
    """Related-stories boxes and sidebars following the body container at its level or its
    parents' (trafilatura keeps a box of links after a body that has no paragraphs)."""
    found = []
    for node in [body, *body.iterancestors()]:
        if node.tag in ("body", "html"):
            break
        found += [
            sibling
            for sibling in node.itersiblings()
            if isinstance(sibling.tag, str) and _chrome_block(sibling)
        ]
    return found


def _chrome_block(block: HtmlElement) -> bool:
    """A related-stories box or share bar at the end of the body."""
    marks = f"{block.get('class') or ''} {block.get('id') or ''}"
    if marks.strip() and _CHROME_WORDS.search(marks):
        return True
    heading = clean_line(block.text_content())[:40]
    return bool(_RELATED_HEADING.match(heading))


def _vietnamese_page(tree: HtmlElement, body: HtmlElement) -> bool:
    """A plain closing name is a signature on Vietnamese pages only (elsewhere it is as
    likely a news agency's or a "Follow us" line)."""
    return article_language(body.text_content()[:2000], tree.get("lang")) == "vi"
