"""Elements picked by their class attribute, the page's class attributes read in one go.

The headline and lead heuristics look for a word in the class of any element of the page,
and most pages name hundreds of classes. Here the class attributes come back from libxml2 as
plain strings, joined, and one regex scan, case-sensitive on the lowered text, finds the few
holding the word; the elements (and their Python proxies) are made only when one does. A
regex search ignoring case in each class attribute, or a Python object for each classed
element, cost more than all the rest of the question.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate

from lxml import etree
from lxml.html import HtmlElement

# Both in page order, one class attribute an element: the n-th value is the n-th element's.
_VALUES = etree.XPath("//@class", smart_strings=False)
_CLASSED = etree.XPath("//*[@class]")
_SEPARATOR = "\n"  # in no word searched for: no match runs from one value into the next


class ClassWords:
    """Words looked for in class attributes, whatever their case (lower-case ASCII words)."""

    def __init__(self, *words: str) -> None:
        if not all(word.isascii() and word == word.lower() for word in words):
            raise ValueError(f"not lower-case ASCII: {words}")
        pattern = "|".join(re.escape(word) for word in words)
        # An ASCII text lowered, searched case-sensitively: the same matches as a search
        # ignoring case, and several times faster in Python's re.
        self.lowered = re.compile(pattern)
        self.any_case = re.compile(pattern, re.IGNORECASE)  # for other texts

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if text.isascii():
            return self.lowered.finditer(text.lower())
        return self.any_case.finditer(text)


def class_values(tree: HtmlElement) -> list[str]:
    """Every class attribute of ``tree``'s page, as plain strings, in page order."""
    values: list[str] = _VALUES(tree)
    return values


def classed_with(tree: HtmlElement, words: ClassWords) -> Iterator[tuple[HtmlElement, str]]:
    """The elements of ``tree``'s page whose class attribute holds one of ``words``, with
    that attribute, in page order."""
    values = class_values(tree)
    ends = list(accumulate(len(value) + len(_SEPARATOR) for value in values))
    hits: dict[int, None] = {}
    for match in words.finditer(_SEPARATOR.join(values)):
        hits.setdefault(bisect_right(ends, match.start()), None)
    if not hits:
        return
    elements = _CLASSED(tree)
    for index in hits:
        yield elements[index], values[index]
