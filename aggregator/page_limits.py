"""Pathological pages cut down to a size no news page reaches, right after parsing and before
the expensive steps (the page objects, trafilatura).

trafilatura's cost grows faster than the page on some shapes: thousands of inline elements in
one paragraph, one enormous text, a page of millions of elements. A page under the download
cap (5 MB) could cost minutes of CPU. The limits below are several times what the largest real
pages of the development sets hold (``bench/hostile_pages.py --corpus`` checks that none of
them is cut), so a real article is not touched; what lies beyond them is dropped:

- an element's children past :data:`MAX_CHILDREN`;
- the page's elements past :data:`MAX_ELEMENTS`, in document order;
- a text (or an element's tail) past :data:`MAX_TEXT` characters; scripts and styles keep
  theirs (JSON-LD is read from them, trafilatura drops them);
- the page's text past :data:`MAX_PAGE_TEXT` characters in all, in document order (scripts and
  styles again excluded): trafilatura's memory grows with the text it reads, by hundreds of
  bytes a character, so a page of many paragraphs each under :data:`MAX_TEXT` took a worker
  to gigabytes.

The article text stored and published is bounded too (:func:`cut_article_text`, past
:data:`MAX_ARTICLE_TEXT` characters), so one page cannot fill the store and every feed.

A page within the limits may still cost seconds (tens of thousands of inline elements): the
extraction's CPU deadline (``TINLAODONG_EXTRACT_DEADLINE``) covers what these miss.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

MAX_CHILDREN = 1_000
MAX_ELEMENTS = 25_000
MAX_TEXT = 100_000
MAX_PAGE_TEXT = 400_000
MAX_ARTICLE_TEXT = 200_000
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")
_RAW_TEXT = frozenset({"script", "style"})
# Whether a tree is surely within every limit, asked of libxml2: the walks below touch every
# element from Python, a sizeable share of a real page's extraction, and cut nothing on real
# pages. Each count is at least what its walk counts (text nodes counted as nodes too), so a
# tree within them has nothing to cut.
# A script's or style's own text (its first child), which neither limit on texts counts.
_RAW_TEXT_NODE = "(parent::script or parent::style) and not(preceding-sibling::node())"
_WITHIN_BUT_PAGE_TEXT = etree.XPath(
    f"count(descendant-or-self::node()) <= {MAX_ELEMENTS}"
    f" and not(descendant-or-self::*[count(node()) > {MAX_CHILDREN}])"
    f" and not((descendant::text() | descendant::comment() | descendant::processing-instruction())"
    f"[string-length() > {MAX_TEXT}][not({_RAW_TEXT_NODE})])"
)
_ALL_TEXT_WITHIN = etree.XPath(f"string-length(.) <= {MAX_PAGE_TEXT}")  # scripts' too
_PAGE_TEXTS = etree.XPath(f"descendant::text()[not({_RAW_TEXT_NODE})]", smart_strings=False)


def cut_down(tree: HtmlElement) -> str:
    """Cut ``tree`` to the limits, in place; what was cut, in words ("" when nothing was)."""
    if _surely_within(tree):
        return ""
    cuts = [
        _cut_children(tree),
        _cut_elements(tree),
        _cut_texts(tree),
        _cut_page_text(tree),
    ]
    return "; ".join(cut for cut in cuts if cut)


def _surely_within(tree: HtmlElement) -> bool:
    if tree.tail or not _WITHIN_BUT_PAGE_TEXT(tree):
        return False
    return bool(_ALL_TEXT_WITHIN(tree)) or sum(map(len, _PAGE_TEXTS(tree))) <= MAX_PAGE_TEXT


def _cut_children(tree: HtmlElement) -> str:
    crowded = [element for element in tree.iter() if len(element) > MAX_CHILDREN]
    for element in crowded:
        del element[MAX_CHILDREN:]
    if not crowded:
        return ""
    return f"{len(crowded)} element(s) with more than {MAX_CHILDREN:,} children"


def _cut_elements(tree: HtmlElement) -> str:
    total = 0
    last = None
    for element in tree.iter():
        total += 1
        if total == MAX_ELEMENTS:
            last = element
        elif total > MAX_ELEMENTS:
            break
    if last is None or total <= MAX_ELEMENTS:
        return ""
    # Everything after ``last`` in document order: its descendants, then the following
    # siblings of it and of each of its ancestors.
    del last[:]
    node: HtmlElement | None = last
    while node is not None:
        parent = node.getparent()
        if parent is not None:
            del parent[parent.index(node) + 1 :]
        node = parent
    return f"more than {MAX_ELEMENTS:,} elements"


def _cut_texts(tree: HtmlElement) -> str:
    cut = 0
    for element in tree.iter():
        if element.tail is not None and len(element.tail) > MAX_TEXT:
            element.tail = element.tail[:MAX_TEXT]
            cut += 1
        text = element.text
        if text is not None and len(text) > MAX_TEXT and element.tag not in _RAW_TEXT:
            element.text = text[:MAX_TEXT]
            cut += 1
    if not cut:
        return ""
    return f"{cut} text(s) longer than {MAX_TEXT:,} characters"


def _cut_page_text(tree: HtmlElement) -> str:
    left = MAX_PAGE_TEXT
    total = 0
    # In document order: an element's text on entering it, its tail on leaving it.
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        if event == "start":
            if element.tag in _RAW_TEXT or not isinstance(element.tag, str):
                continue
            text = element.text
            if text:
                total += len(text)
                element.text = _within(text, left)
        else:
            text = element.tail
            if text:
                total += len(text)
                element.tail = _within(text, left)
        if text:
            left = max(0, left - len(text))
    if total <= MAX_PAGE_TEXT:
        return ""
    return f"text of more than {MAX_PAGE_TEXT:,} characters in all: {total:,}"


def _within(text: str, left: int) -> str | None:
    if len(text) <= left:
        return text
    return text[:left] or None


def cut_article_text(text: str) -> tuple[str, str]:
    """``text`` within :data:`MAX_ARTICLE_TEXT` characters, ended at the last paragraph (else
    sentence, else word) before the limit; and what was cut, in words ("" when nothing was)."""
    if len(text) <= MAX_ARTICLE_TEXT:
        return text, ""
    kept = text[:MAX_ARTICLE_TEXT]
    end = kept.rfind("\n\n")
    if end < MAX_ARTICLE_TEXT // 2:
        sentences = [match.end() for match in _SENTENCE_END.finditer(kept)]
        end = sentences[-1] if sentences else kept.rfind(" ")
    if end < MAX_ARTICLE_TEXT // 2:
        end = MAX_ARTICLE_TEXT
    kept = kept[:end].rstrip()
    return kept, f"article text of {len(text):,} characters cut to {len(kept):,}"
