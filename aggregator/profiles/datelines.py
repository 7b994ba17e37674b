"""The date line a page shows beside its headline, and how it meets the page's metadata.

Portals print the date in a short line just after the headline, or just before it
("Thứ 5, 04/10/2018 | 09:18" above an ``h1``): the nearest such line wins, searched
until the body is well under way or a related-stories heading begins. What the page shows
wins over its metadata (a ``datePublished`` may be when it was last saved, weeks later);
metadata only refines it: the seconds of the same minute, or the time of a day shown alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

from lxml.html import HtmlElement

from aggregator.dates import VIETNAM, parse_shown_date
from aggregator.profiles.chrome import in_chrome
from aggregator.text import clean_line

# A date read off a page: a datetime when it shows a time of day, a plain date otherwise.
Shown = datetime | date

_NEAR_FOLLOWING = 40
_NEAR_PRECEDING = 60
_PRECEDING_TEXT_CHARS = 80  # about one date line and a label
_BODY_CHARS_SCANNED = 800  # a date line sits above the body, not deep inside it
_DATE_LINE_MAX_CHARS = 100
_DATE_LINE_MAX_WORDS = 6  # words besides the date: "Ngày đăng:", "Cập nhật lúc", "Thứ Tư,"
_DATE_TOKEN = re.compile(
    r"\d[\d/.:-]*|\b(?:AM|PM|SA|CH|GMT|UTC|ngày|tháng|năm|giờ|lúc)\b|[+|(),-]", re.IGNORECASE
)
# A heading opening a related-stories box: everything after it is other stories.
RELATED_HEADING = re.compile(
    r"^(?:các |những )?(?:tin|bài|bài viết|tin bài)(?: đã đưa)? (?:liên quan|khác|cùng chuyên mục)"
    r"|^(?:xem|đọc) thêm|^tin mới|^related|^more (?:stories|news)|^read more",
    re.IGNORECASE,
)
_FOLLOWING_CLOSELY = 6


def find_date_line(
    tree: HtmlElement, headline: HtmlElement | None, body: HtmlElement | None = None
) -> tuple[HtmlElement, Shown] | None:
    """The date line nearest the headline (the element, what it shows), or None. A page
    showing no headline is read from its ``body`` (the element holding the text): the date
    line just before it, or opening it."""
    for element in near_headline(tree, headline, body):
        text = date_line_text(element)
        if text is None:
            continue
        found = parse_shown_date(text)
        if found is not None:
            return element, found
    return None


def followed_by_date(element: HtmlElement) -> bool:
    """Whether a date line follows ``element`` closely (a headline without a heading tag)."""
    for following in element.xpath(f"following::*[position() <= {_FOLLOWING_CLOSELY}]"):
        text = date_line_text(following)
        if text is not None and parse_shown_date(text) is not None:
            return True
    return False


def combine(shown: Shown | None, structured: Shown | None) -> Shown | None:
    """The date the page shows, refined by its metadata where both give the same day."""
    if shown is None:
        return structured
    if structured is None:
        return shown
    marked = _local(structured)
    if not isinstance(shown, datetime):
        # A day shown alone: the metadata's time of that day, when it has one.
        if isinstance(marked, datetime) and marked.date() == shown:
            return marked
        return shown
    local = _local(shown)
    if (
        isinstance(marked, datetime)
        and isinstance(local, datetime)
        and _minute(marked) == _minute(local)
    ):
        return marked
    return shown


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _local(value: Shown) -> Shown:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(VIETNAM)
    return value


def near_headline(
    tree: HtmlElement, headline: HtmlElement | None, body: HtmlElement | None = None
) -> Iterator[HtmlElement]:
    """Elements where a date line may be: after the headline until the body is well under
    way or a related-stories heading, then just before it (nearest first)."""
    if headline is None:
        containers = tree.xpath("//article | //main | //*[@id='content']")
        if containers:
            following = containers[0].xpath(f".//*[position() <= {_NEAR_FOLLOWING}]")
            preceding = []
        elif body is not None:
            following = body.xpath(f".//*[position() <= {_NEAR_FOLLOWING}]")
            preceding = _just_before(body)
        else:
            return
    else:
        following = headline.xpath(f"following::*[position() <= {_NEAR_FOLLOWING}]")
        preceding = _just_before(headline)
    body_chars = 0
    for element in following:
        if element.tag == "p":
            body_chars += len(element.text_content())
            if body_chars > _BODY_CHARS_SCANNED:
                break
        if element.tag in ("h2", "h3", "h4", "div", "span", "strong", "b"):
            heading = (element.text or "").strip()
            if heading and RELATED_HEADING.match(heading):
                break
        yield element
    yield from preceding


def _just_before(headline: HtmlElement) -> list[HtmlElement]:
    """Elements before the headline, nearest first, until a little text has gone by: a
    share bar or font-size buttons between the date line and the headline add elements,
    not text."""
    found = []
    text_chars = 0
    for element in headline.xpath(f"preceding::*[position() <= {_NEAR_PRECEDING}]")[::-1]:
        found.append(element)
        if element.tag != "a" and not element.xpath("ancestor::a"):
            text_chars += len((element.text or "").strip())
            if text_chars > _PRECEDING_TEXT_CHARS:
                break
    return found


def _pieces_apart(element: HtmlElement, enough: int) -> str:
    """``element``'s text, with a space where a tag alone parts a word from a number
    ("2:15 PM</span><span>1.234 lượt xem" is not "PM1.234"); cut short once longer than
    ``enough`` (a container of the whole body is no date line, however long)."""
    text = ""
    for piece in element.itertext():
        touching = text and piece and text[-1].isalnum() and piece[0].isalnum()
        if touching and text[-1].isdigit() != piece[0].isdigit():
            text += " "
        text += piece
        if len(text) > enough:
            break
    return text


def date_line_text(element: HtmlElement) -> str | None:
    """``element``'s text when it reads as a date line: short, mostly the date itself, and
    neither chrome nor a list of other stories' links."""
    if not isinstance(element.tag, str) or element.tag in (
        "script", "style", "a", "option", "title", "meta", "link", "noscript"
    ):  # fmt: skip
        return None
    if element.tag == "time" and element.get("datetime"):
        return element.get("datetime")
    text = _pieces_apart(element, 4 * _DATE_LINE_MAX_CHARS)
    if len(text) > 4 * _DATE_LINE_MAX_CHARS:
        return None
    if element.xpath(".//time/@datetime"):
        return None  # the <time> inside is read next, by its machine-readable datetime
    text = clean_line(text)
    if not text or len(text) > _DATE_LINE_MAX_CHARS or not any(c.isdigit() for c in text):
        return None
    if text.endswith(".") or len(_DATE_TOKEN.sub(" ", text).split()) > _DATE_LINE_MAX_WORDS:
        return None
    if element.xpath(".//a") or element.xpath("ancestor::a | ancestor::li[.//a]"):
        return None  # "Headline (24/07/2024)": a list of stories
    return None if in_chrome(element) else text
