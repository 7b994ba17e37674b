"""The lead (sapo, standfirst): the summary Vietnamese news sets apart above the body.

It is marked one of two ways on every kind of portal seen: a block classed as the lead
(``p.sapo``, ``h2.sapo``, ``div.brief``, ``div.brief-detail``, ``p.description``,
``.article-summary``, ``p.txt-head``), or, where the CMS has no slot for it, the body's
opening block set wholly in bold (pasted from a newspaper: ``<p><strong>TT - …``, a second
``h1``, an inline ``font-weight: bold``). Either way it is a sentence or more, not a label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml.html import HtmlElement

from aggregator.profiles.chrome import in_chrome
from aggregator.profiles.classes import ClassWords, classed_with
from aggregator.text import clean_line

_LEAD_TOKEN = re.compile(
    r"(?:^|[-_])(?:sapo|brief|lead|summary|chap+eau|standfirst|description|desc|excerpt|intro|"
    r"teaser|abstract|head|tom-?tat|trich-?yeu)(?:$|[-_])",
    re.IGNORECASE,
)
# Tokens naming something else that happens to share a part: an image's description, a
# page header, a wrapper of the whole post.
_OTHER_TOKEN = re.compile(
    r"image|img|photo|caption|avatar|thumb|header|heading|title|post-desc|hidden|item|list",
    re.IGNORECASE,
)
# Any of _LEAD_TOKEN's words anywhere in a class attribute: one scan of the page's classes
# rules out most classed elements before their tokens are each searched.
_LEAD_WORD = ClassWords(
    "sapo", "brief", "lead", "summary", "chap", "standfirst", "desc", "excerpt", "intro",
    "teaser", "abstract", "head", "tom", "trich",
)  # fmt: skip
_MIN_CHARS = 20
_MAX_CHARS = 1500
_BOLD_MIN_CHARS = 60
_BOLD_MIN_WORDS = 10
_OPENING_BLOCKS = 3  # the bold lead opens the body: the first blocks with text only
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)
_PRECEDING_SCANNED = 30  # elements before the body: the date line, a share bar, the lead
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = ("p", "div", "span", "font", "strong", "b", *_HEADINGS)
# The outlet's credit opening a lead: "TT - ", "(Dân trí) - ", "HNP - ", "GD&TĐ - ", "PTĐT- ".
_CREDIT = re.compile(r"^\(?[\w&.]+(?: [\w&.]+)?\)?\s*[-–—]\s")


def find_lead(
    tree: HtmlElement, headline: HtmlElement | None, body: HtmlElement | None
) -> HtmlElement | None:
    """The element holding the page's lead, or None."""
    marked = _marked_lead(tree, headline, body)
    if marked is not None:
        return marked
    return _bold_opening(body, headline) if body is not None else None


def lead_text(element: HtmlElement | None) -> str | None:
    if element is None:
        return None
    return clean_line(element.text_content()) or None


def _marked_lead(
    tree: HtmlElement, headline: HtmlElement | None, body: HtmlElement | None
) -> HtmlElement | None:
    for element, classes in classed_with(tree, _LEAD_WORD):
        if element.tag in ("a", "img", "meta", "li", "ul"):
            continue
        tokens = classes.split()
        if not any(_LEAD_TOKEN.search(t) for t in tokens):
            continue
        if any(_OTHER_TOKEN.search(t) for t in tokens):
            continue
        if headline is not None and _before(element, headline):
            continue  # the lead follows the headline
        if body is not None and _contains(element, body):
            continue  # a wrapper of the whole article
        text = clean_line(element.text_content())
        if not _MIN_CHARS <= len(text) <= _MAX_CHARS or element.xpath(".//img"):
            continue
        if headline is not None and _repeats(text, headline):
            continue
        if element.xpath("ancestor::a | ancestor::li | .//a[@href][string-length() > 40]"):
            continue  # a teaser in a list of other stories
        if in_chrome(element):
            continue
        return element
    return None


def _bold_opening(body: HtmlElement, headline: HtmlElement | None) -> HtmlElement | None:
    """A bold sentence just before the body container, or opening it: within the body only
    a heading, or a bold paragraph opening with the outlet's credit ("TT - ", "(Dân trí) -"),
    since a pasted document's first paragraph is often bold without being a lead."""
    heading = clean_line(headline.text_content()).casefold() if headline is not None else ""
    preceding = body.xpath(f"preceding::*[position() <= {_PRECEDING_SCANNED}]")[::-1]
    if headline is not None:
        preceding = [e for e in preceding if not _before(e, headline) and e is not headline]
    before = _nearest_block(iter(preceding), heading)
    if before is not None and not in_chrome(before) and _is_bold_lead(before, inside=False):
        return before
    opening = _nearest_block(iter(body), heading)
    if opening is not None and _is_bold_lead(opening, inside=True):
        return opening
    return None


def _nearest_block(blocks: Iterator[HtmlElement], heading: str) -> HtmlElement | None:
    """The first of ``blocks`` with text, past the headline, its repeats and short lines
    (a date line, a share bar)."""
    for block in blocks:
        if not isinstance(block.tag, str) or block.tag not in _BLOCK_TAGS:
            continue
        text = clean_line(block.text_content())
        if not text or block.xpath(".//img | ancestor::a | ancestor::li"):
            continue
        if heading and (text.casefold() in heading or heading in text.casefold()):
            continue
        if len(text) < _BOLD_MIN_CHARS:
            continue
        return block
    return None


def _is_bold_lead(block: HtmlElement, *, inside: bool) -> bool:
    text = clean_line(block.text_content())
    if len(text.split()) < _BOLD_MIN_WORDS or len(text) > _MAX_CHARS or _capitals(text):
        return False
    if inside and block.tag not in _HEADINGS and not _CREDIT.match(text):
        return False
    return _wholly_bold(block, text)


def _capitals(text: str) -> bool:
    """A heading in capitals, not a sentence."""
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) > 0.6 * len(letters) if letters else False


def _repeats(text: str, headline: HtmlElement) -> bool:
    return text.casefold() in clean_line(headline.text_content()).casefold()


def _wholly_bold(block: HtmlElement, text: str) -> bool:
    if block.tag in (*_HEADINGS, "strong", "b"):
        return True
    if _BOLD_STYLE.search(block.get("style") or ""):
        return True
    letters = "".join(text.split())
    bold = _outermost_text(block, lambda e: e.tag in ("strong", "b", "h2", "h3"))
    styled = _outermost_text(block, lambda e: bool(_BOLD_STYLE.search(e.get("style") or "")))
    return letters in (bold, styled)


def _outermost_text(block: HtmlElement, marked: Callable[[HtmlElement], bool]) -> str:
    """The letters of the outermost descendants of ``block`` that are ``marked``."""
    parts = []
    for element in block.iterdescendants():
        if not isinstance(element.tag, str) or not marked(element):
            continue
        inside = False
        for ancestor in element.iterancestors():
            if ancestor is block:
                break
            if marked(ancestor):
                inside = True
                break
        if not inside:
            parts.append(element.text_content())
    return "".join("".join(parts).split())


def _before(element: HtmlElement, reference: HtmlElement) -> bool:
    """Whether ``element`` comes before ``reference`` in the page (and is not one of its
    ancestors): where their lines of ancestors part, which of the two branches comes first
    under that parent. A few candidates are asked: no order of the whole page is made."""
    if _contains(element, reference):
        return False
    ours = [element, *element.iterancestors()][::-1]
    theirs = [reference, *reference.iterancestors()][::-1]
    root = element.getroottree().getroot()
    if ours[0] is not root or theirs[0] is not root:
        return theirs[0] is root  # what is no longer in the page counts as before it
    depth = 1
    while depth < min(len(ours), len(theirs)) and ours[depth] is theirs[depth]:
        depth += 1
    if depth == len(theirs):
        return False  # ``reference`` holds ``element``: it comes first
    parent = ours[depth - 1]
    return parent.index(ours[depth]) < parent.index(theirs[depth])


def _contains(element: HtmlElement, other: HtmlElement) -> bool:
    return element is other or any(a is element for a in other.iterancestors())
