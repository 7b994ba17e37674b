"""Text clean-up shared by extraction and the page objects.

Vietnamese pages mix NFC and NFD (decomposed tone marks, common in windows-1258 and in text
pasted from Word), non-breaking spaces and zero-width characters; everything leaving
extraction goes through :func:`clean_line` or :func:`join_paragraphs` so that equal words
compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Zero-width and BOM characters: invisible, but they split words for search and dedup.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Any run of whitespace, Unicode spaces (NBSP, thin space, ideographic space) included.
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """``text`` in Unicode NFC, skipping the copy when it already is."""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def clean_line(text: str) -> str:
    """One line: NFC, invisible characters dropped, whitespace runs collapsed, trimmed."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", nfc(text))).strip()


def clean_or_none(text: str | None) -> str | None:
    """:func:`clean_line`, or None when nothing is left."""
    if text is None:
        return None
    return clean_line(text) or None


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Paragraphs cleaned, empty ones dropped, separated by one blank line."""
    return "\n\n".join(p for p in map(clean_line, paragraphs) if p)


def clean_text(text: str) -> str:
    """A multi-line text (one paragraph a line) as blank-line separated paragraphs."""
    return join_paragraphs(text.splitlines())
