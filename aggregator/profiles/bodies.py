"""The text's container on a page nobody described, and what leaves it before trafilatura.

The container is the block whose own paragraphs (or loose text, where the body is plain text
split by ``<br>``) hold the most text, never a footer or a comment box. Around and inside it,
what real portals add to an article is taken out or reshaped: related-stories boxes and
sidebars after it, the article's tool links ("In bài | Gửi email"), layout tables (rendered
as tables of one cell otherwise), and boxes of prose that trafilatura would drop as furniture.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from aggregator.profiles.base import drop
from aggregator.profiles.chrome import CHROME_WORDS, in_chrome
from aggregator.profiles.datelines import RELATED_HEADING
from aggregator.text import clean_line


def holds_a_story(body: HtmlElement | None) -> bool:
    """Whether ``body`` holds a story's worth of text (not a date line or a caption)."""
    return body is not None and len(clean_line(body.text_content())) >= _MIN_BODY_CHARS


def tidy_body(body: HtmlElement) -> None:
    """Take out of and around ``body`` what is no part of the article; reshape layout tables
    and prose boxes so that trafilatura keeps them as paragraphs."""
    for block in _trailing_chrome(body) + _chrome_after(body):
        drop(block)
    _layout_tables_as_blocks(body)
    _text_boxes_as_paragraphs(body)
    for link in body.xpath(f"following::a[position() <= {_TOOL_LINKS_SCANNED}]"):
        if _TOOL_LINK.fullmatch(clean_line(link.text_content())):
            if link.tail and not link.tail.strip(" |·-–\n\t\xa0"):
                link.tail = None  # the " | " between "In bài" and "Gửi email"
            drop(link)


def drop_leftover_lines(lines: list[HtmlElement | None]) -> None:
    """Drop the lines of facts left with only separators and a view count once their date
    and credit have gone."""
    for line in lines:
        if line is not None and _LEFTOVER.fullmatch(clean_line(line.text_content())):
            drop(line)


def body_container(tree: HtmlElement) -> HtmlElement | None:
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
# Elements with text of their own first: the few then have their ancestors looked through.
_LOOSE_TEXT = "//body//*[text()[normalize-space()]][not(ancestor-or-self::p)]"
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
    if marks.strip() and CHROME_WORDS.search(marks):
        return True
    return bool(RELATED_HEADING.match(_opening(block.text_content(), 40)))


def _opening(text: str, size: int) -> str:
    """``clean_line(text)[:size]``, cleaning no more of ``text`` than that needs: a block
    after the body may hold the rest of the page (a footer of thousands of characters)."""
    end = 4 * size
    while True:
        head = clean_line(text[:end])
        # A margin past ``size``: NFC may join the last characters of a cut with the next.
        if len(head) > size + 8 or end >= len(text):
            return head[:size]
        end *= 4
