"""Diacritic folding: "lao dong" finds "lao động", "lao động" does not find "lão đồng".

A query's term (a word or a phrase, of a search or a rule) without diacritics is compared with
the text folded: no case, no diacritics, "đ" read as "d". A term with any diacritic is compared
exactly, case aside: a Vietnamese keyboard typed it, and "lao" then means "lao", not "lão".
Both sides are first put in :func:`canonical` form, so that the old and new tone placements
("hòa"/"hoà", "ủy"/"uỷ") and composed/decomposed input compare equal.

Matching is on whole words: "nam" is found in "Việt Nam" but not in "Namibia".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "canonical",
    "exact_word",
    "fold",
    "find",
    "has_diacritics",
    "matches",
    "word_strings",
    "words",
]

_WORD_RE = re.compile(r"\w+")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
# The old style puts the tone on the first vowel of "oa", "oe", "uy" (hòa, khỏe, thủy); the new
# one on the second (hoà, khoẻ, thuỷ). Both are in use, often on the same site.
_OLD_TONE_RE = re.compile(r"([oOuU])([" + _TONES + r"])([aAeEyY])")


def canonical(text: str) -> str:
    """NFC with tones placed the new way: what is indexed and compared."""
    decomposed = unicodedata.normalize("NFD", text)
    # In NFD a plain o/u is followed directly by its tone mark (no other mark sits between),
    # so only "oa"/"oe"/"uy" with the tone on their first, unmarked vowel move.
    moved = _OLD_TONE_RE.sub(_move_tone, decomposed)
    return unicodedata.normalize("NFC", moved)


def _move_tone(match: re.Match[str]) -> str:
    first, tone, second = match.groups()
    if first in "uU" and second not in "yY" or first in "oO" and second in "yY":
        return match[0]  # "ùa", "òy": not a diphthong whose tone moves
    return first + second + tone


class _WithoutMarks(dict[int, int | None]):
    """A ``str.translate`` table that drops the combining characters (diacritics in NFD),
    filled as characters are met."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _WithoutMarks()


def fold(text: str) -> str:
    """Lowercase, without diacritics, "đ" as "d": the form of a query typed without them."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = decomposed.translate(_WITHOUT_MARKS)
    return unicodedata.normalize("NFC", bare).lower()


def has_diacritics(text: str) -> bool:
    """Whether ``text`` carries any diacritic (tone, hat, horn, breve) or "đ"."""
    return fold(text) != unicodedata.normalize("NFC", text).lower()


def words(text: str) -> list[re.Match[str]]:
    """The words of ``canonical(text)`` with their positions in it."""
    return list(_WORD_RE.finditer(canonical(text)))


def word_strings(text: str) -> list[str]:
    """The words of ``canonical(text)``: :func:`words` without their positions, at a fifth
    of the cost (no match object per word; every stored story is tagged)."""
    return _WORD_RE.findall(canonical(text))


# Texts are matched word by word, many times over (each phrase set, each rule, each story), and
# the vocabulary is small (Vietnamese syllables, names): the per-word forms are remembered.
_WORD_CACHE = 1 << 16


@lru_cache(maxsize=_WORD_CACHE)
def fold_word(word: str) -> str:
    """:func:`fold` of one word, remembered."""
    return fold(word)


@lru_cache(maxsize=_WORD_CACHE)
def exact_word(word: str) -> str:
    """Lowercase :func:`canonical` of one word, remembered."""
    return canonical(word).lower()


def key(word: str, exact: bool) -> str:
    """The form a word is compared in: lowercase canonical (exact) or folded."""
    return exact_word(word) if exact else fold_word(word)


def find(query_term: str, text: str, *, exact: bool | None = None) -> tuple[int, int] | None:
    """The span of the first whole-word match of ``query_term`` (a word or a phrase) in
    ``canonical(text)`` (which has the length of NFC ``text``), or None. ``exact``: compare
    diacritics; by default, if the term has any."""
    if exact is None:
        exact = has_diacritics(query_term)
    wanted = [key(m[0], exact) for m in words(query_term)]
    if not wanted:
        return None
    found = words(text)
    keys = [key(m[0], exact) for m in found]
    for start in range(len(keys) - len(wanted) + 1):
        if keys[start : start + len(wanted)] == wanted:
            return found[start].start(), found[start + len(wanted) - 1].end()
    return None


def matches(query_term: str, text: str) -> bool:
    """Whether ``text`` contains ``query_term`` as whole words (folded unless it has
    diacritics)."""
    return find(query_term, text) is not None
