"""Where a Vietnamese article page credits its writer, and the line that leaves the text.

Three places, in the order they are trusted:

- a slot the CMS marks as the author's (a class naming "author" or "byline"): Liferay's
  ``p.view-content-author``, the VHV/vnEdu engine's ``div.author`` ("Tác giả: …"), a
  newspaper's ``span.author``;
- a line between the headline and the lead: a labelled credit ("Bài, ảnh: …") or a name set
  apart (bold, italic, right-aligned);
- the signature closing the article: a short name alone in its last paragraph, set apart
  (right-aligned, wholly bold) or, on Vietnamese pages, plain; possibly after a ``<br>`` in
  that paragraph, and above "Nguồn: …" or "Theo …" lines, which are no signature.

Each credit found is a :class:`Byline`: the element holding it, which leaves the text, and the
person it names (:func:`aggregator.profiles.credits.person`), None for a CMS account or a unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from aggregator.profiles.chrome import CHROME_WORDS, in_chrome
from aggregator.profiles.credits import (
    labelled,
    names_a_unit,
    names_an_account,
    person,
    photo_credit,
    short_enough,
    source_line,
    theo_person,
)
from aggregator.profiles.pagedata import PageData
from aggregator.text import clean_line
from aggregator.urls import site_host

# Classes marking the writer's slot ("view-content-author", "pauthor", "byline", "tac-gia").
_SLOT = (
    "contains(@class,'author') or contains(@class,'byline') or contains(@class,'tac-gia')"
    " or contains(@class,'tacgia') or @itemprop='author'"
)
_SLOT_CLASSES = ("author", "byline", "tac-gia", "tacgia")


def _slots_on(axis: str) -> etree.XPath:
    """The elements on ``axis`` that are author slots (``_SLOT``), in page order: found by
    their attributes (libxml2 tests an attribute several times faster than an element's
    predicate on it, asked of every element of the page)."""
    classed = " or ".join(f"contains(.,'{name}')" for name in _SLOT_CLASSES)
    return etree.XPath(f"{axis}::*/@class[{classed}]/.. | {axis}::*/@itemprop[.='author']/..")


_SLOTS = _slots_on("descendant")
_SLOTS_AFTER = _slots_on("following")  # of the headline
_SLOT_MAX_CHARS = 80  # longer: an author's biography box, no credit line
# Text blocks a closing signature may be.
# A bold name straight inside a container ("<div><div>share</div><strong>XUÂN LONG</strong>")
# is a line of its own.
_BLOCKS = (
    ".//p | .//div[not(.//p or .//div)] | .//td[not(.//p or .//div)]"
    " | .//*[self::strong or self::b][parent::div[div or p]]"
)
_UNDER_HEADLINE = (
    "following::*[self::p or self::div or self::span or self::address or self::h5 or self::h6]"
)
# A line of the article's facts (writer, date, views) set as spans side by side.
_META_LINE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}|lượt xem|ngày đăng|lượt đọc", re.IGNORECASE)
_UNDER_HEADLINE_LINES = 4  # text lines looked at between the headline and the lead
_NAVIGATION = re.compile(r"^\[?(?:quay lại|trở về|in trang|in bài|chia sẻ|gửi email|lên đầu)", re.I)
_SCOPE_LEVELS = 3  # how far above the text's container the article's own may be
_ARTICLE_MARKS = re.compile(r"article|content|detail|entry|post\b|story", re.IGNORECASE)
_RIGHT = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)
_BOLD = "self::strong or self::b"
_ITALIC = "self::em or self::i"


@dataclass(frozen=True)
class Byline:
    """A credit on the page: the element holding it and the person it names, if any."""

    element: HtmlElement
    name: str | None
    # The credit is the element's last line, after this <br>; the lines above are text.
    after: HtmlElement | None = None

    def remove(self) -> None:
        """Take the credit out of the page (only its line, when it follows a ``<br>``)."""
        if self.after is None:
            if self.element.getparent() is not None:
                self.element.drop_tree()
            return
        _cut_after(self.element, self.after)


@dataclass(frozen=True)
class Bylines:
    """Every credit a page shows, most trusted first."""

    found: tuple[Byline, ...] = ()

    @property
    def name(self) -> str | None:
        """The first person credited."""
        return next((b.name for b in self.found if b.name), None)

    @property
    def elements(self) -> tuple[HtmlElement, ...]:
        return tuple(byline.element for byline in self.found)

    def remove(self) -> None:
        for byline in self.found:
            byline.remove()


def find_bylines(
    *,
    slots_in: HtmlElement | None,
    headline: HtmlElement | None,
    closing: Sequence[HtmlElement],
    plain_names: bool,
    site_names: frozenset[str] = frozenset(),
) -> Bylines:
    """The credits of an article: author slots under ``slots_in`` (after ``headline``), a line
    under ``headline``, the signature closing the ``closing`` blocks (given in page order).
    ``plain_names``: a name not set apart may sign (on Vietnamese pages)."""
    found = [
        *author_slots(slots_in, headline, site_names),
        *_optional(headline_byline(headline, site_names)),
        *_optional(closing_signature(closing, plain_names=plain_names, site_names=site_names)),
    ]
    return Bylines(tuple(found))


def author_slots(
    root: HtmlElement | None, headline: HtmlElement | None, site_names: frozenset[str]
) -> list[Byline]:
    """The author slots under ``root`` after the headline, outside sidebars and related boxes
    (the outermost of nested slots: its text holds the label too)."""
    if root is None:
        return []
    found: list[Byline] = []
    in_order = _SLOTS(root)
    slots = set(in_order)
    # The slots after the headline, not every element after it: a page's worth of proxies.
    after = set(_SLOTS_AFTER(headline)) if headline is not None else slots
    for slot in in_order:
        if slot.tag in ("meta", "link") or slot not in after:
            continue
        if any(a in slots for a in slot.iterancestors()):
            continue
        text = clean_line(slot.text_content())
        if not text or len(text) > _SLOT_MAX_CHARS or in_chrome(slot):
            continue
        found.append(Byline(slot, person(text, site_names)))
    return found


def headline_byline(headline: HtmlElement | None, site_names: frozenset[str]) -> Byline | None:
    """A credit between the headline and the lead: labelled, or a name set apart."""
    if headline is None:
        return None
    seen = 0
    for block in headline.xpath(_UNDER_HEADLINE):
        if block.xpath(".//p | .//div") or in_chrome(block):
            continue
        text = clean_line(block.text_content())
        if not text:
            continue
        if not short_enough(text):
            if _META_LINE.search(text) and block.xpath("./span"):
                continue  # "Người viết: … - Ngày đăng: … - Lượt xem: …": its parts come next
            return None  # the lead or the body: no byline above it
        name = person(text, site_names)
        if name and (labelled(text) or _set_apart(block, text, italic=True)):
            return Byline(block, name)
        seen += 1
        if seen >= _UNDER_HEADLINE_LINES:
            return None
    return None


def closing_signature(
    blocks: Sequence[HtmlElement], *, plain_names: bool, site_names: frozenset[str] = frozenset()
) -> Byline | None:
    """The signature closing ``blocks``: the last text line, above any source line ("Nguồn:",
    "Theo …") or photo credit, when it is a short credit, a name or a unit's name."""
    theo: Byline | None = None  # "Theo Lê An" closing the text: the writer, unless signed above
    for block in reversed(blocks):
        text = clean_line(block.text_content())
        if not text or _NAVIGATION.match(text) or _links_only(block, text) or _chrome(block):
            continue
        if _is_slot(block):
            continue  # the CMS's author slot: read as one
        after, line = _last_line(block, text)
        if theo is None and theo_person(line, site_names):
            theo = Byline(block, person(line, site_names), after)
            if after is None:
                continue
            return theo
        if source_line(line) or photo_credit(line):
            if after is None:
                continue
            return theo  # a source line closing a paragraph of text
        if not _signature_shaped(block, line, plain_names=plain_names and after is None):
            return theo
        return Byline(block, person(line, site_names), after)
    return theo


def trailing_blocks(body: HtmlElement, scope: HtmlElement) -> list[HtmlElement]:
    """The short credit lines after ``body`` in ``scope`` (a signature some pages set after
    the text's container), up to the first line that is none."""
    found = []
    after = _following(body)
    for block in scope.xpath(_BLOCKS):
        if block not in after:
            continue
        text = clean_line(block.text_content())
        if not text:
            continue
        if not short_enough(text) or _chrome(block) or in_chrome(block) or not _credit(text):
            break
        found.append(block)
    return found


def article_scope(body: HtmlElement) -> HtmlElement:
    """The article's container around ``body`` (the element holding its text): the nearest
    ``article`` or element marked as the article's a few levels up, else ``body``."""
    for level, ancestor in enumerate(body.iterancestors()):
        if level >= _SCOPE_LEVELS or ancestor.tag in ("body", "html"):
            break
        marks = (ancestor.get("class") or "") + " " + (ancestor.get("id") or "")
        if ancestor.tag == "article" or _ARTICLE_MARKS.search(marks):
            return ancestor
    return body


def text_blocks(root: HtmlElement) -> list[HtmlElement]:
    """The paragraphs and leaf divisions under ``root``, in page order."""
    return list(root.xpath(_BLOCKS))


def site_names(page: PageData) -> frozenset[str]:
    """What the site calls itself (its host, ``og:site_name``): a credit to it is no author's."""
    names = {clean_line(name) for name in page.meta.get("og:site_name", ())}
    if page.url:
        names.add(site_host(page.url))
    return frozenset(name for name in names if name)


def _optional(byline: Byline | None) -> Iterable[Byline]:
    return () if byline is None else (byline,)


def _following(anchor: HtmlElement) -> set[HtmlElement]:
    """The elements after ``anchor`` in the page, not inside it."""
    return set(anchor.xpath("following::*"))


def _credit(text: str) -> bool:
    """A line that credits someone or something: a source, the pictures, a writer, a unit."""
    if source_line(text) or photo_credit(text) or labelled(text):
        return True
    return person(text) is not None or names_a_unit(text)


def _signature_shaped(block: HtmlElement, text: str, *, plain_names: bool) -> bool:
    """A short credit: labelled ("Tác giả: …"), or a person's or a unit's name set apart
    (plain, on Vietnamese pages)."""
    if not short_enough(text):
        return False
    if labelled(text):
        return True
    if person(text) is None and not names_a_unit(text) and not names_an_account(text):
        return False
    return plain_names or _set_apart(block, text)


def _set_apart(block: HtmlElement, text: str, *, italic: bool = False) -> bool:
    """Classed as the author, right-aligned (by attribute, style or class) or wholly bold;
    wholly italic too when ``italic``. At the end of an article not italics: a letter's or a
    caption's closing line is italic as often as a signature."""
    classes = block.get("class") or ""
    if "author" in classes or "right" in classes or block.get("align") == "right":
        return True
    if _RIGHT.search(block.get("style") or ""):
        return True
    marks = f"{_BOLD} or {_ITALIC}" if italic else _BOLD
    return _wholly(block, text, marks)


def _wholly(block: HtmlElement, text: str, marks: str) -> bool:
    """Whether the ``marks`` elements in ``block`` hold all its text ("<b>Lê</b> <b>An</b>")."""
    outside = int(block.xpath(f"count(ancestor-or-self::*[{marks}])"))
    marked = block.xpath(f".//*[{marks}][count(ancestor::*[{marks}]) = {outside}]")
    inner = "".join(e.text_content() for e in marked)
    if outside and not marked:
        return True  # the block itself sits in a <b>
    return "".join(clean_line(inner).split()) == "".join(text.split())


def _last_line(block: HtmlElement, text: str) -> tuple[HtmlElement | None, str]:
    """The block's last line: after its last ``<br>`` with text on both sides (and that
    ``<br>``), else the whole text (and None)."""
    for br in reversed(block.xpath(".//br")):
        after = clean_line("".join(_text_after(br, block)))
        if after and after != text:
            return br, after
    return None, text


def _text_after(br: HtmlElement, block: HtmlElement) -> Iterable[str]:
    for piece in br.xpath("following::text()"):
        holder = piece.getparent()
        if holder is block or (holder is not None and block in holder.iterancestors()):
            yield str(piece)


def _cut_after(block: HtmlElement, br: HtmlElement) -> None:
    """Remove from ``block`` everything from ``br`` on."""
    following = {e for e in br.xpath("following::*") if block in e.iterancestors()}
    for element in following:
        parent = element.getparent()
        if parent is not None and not any(a in following for a in element.iterancestors()):
            parent.remove(element)
    for ancestor in br.iterancestors():
        if ancestor is block:
            break
        ancestor.tail = None
    br.tail = None
    parent = br.getparent()
    if parent is not None:
        parent.remove(br)


def _is_slot(block: HtmlElement) -> bool:
    return block in block.xpath(f"self::*[{_SLOT}]")


def _links_only(block: HtmlElement, text: str) -> bool:
    linked = clean_line(" ".join(a.text_content() for a in block.iter("a")))
    return len(linked) >= len(text)


def _chrome(block: HtmlElement) -> bool:
    marks = f"{block.get('class') or ''} {block.get('id') or ''}"
    return bool(marks.strip()) and bool(CHROME_WORDS.search(marks))
