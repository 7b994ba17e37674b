"""Finding many known phrases (topic keywords, place names) in a text in one pass."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from aggregator.folding import (
    exact_word,
    fold_word,
    has_diacritics,
    key,
    word_strings,
    words,
)


class Mode(Enum):
    FOLDED = "folded"  # no case, no diacritics: a keyword written without them
    EXACT = "exact"  # diacritics as written, case aside
    # Diacritics as written and capitals where the name has them ("Nam Định", "NAM ĐỊNH"),
    # so that "Việt Nam định hướng" does not name Nam Định.
    PROPER = "proper"


@dataclass(frozen=True)
class _Entry:
    tokens: tuple[str, ...]
    capitals: tuple[bool, ...]
    mode: Mode
    label: str
    phrase: str


class PhraseSet:
    def __init__(self) -> None:
        # Phrases of several words by their first two (folded), one-word ones by their word:
        # a frequent first word ("lao", "người") leads many phrases, its second few of them.
        self._by_start: dict[tuple[str, ...], list[_Entry]] = defaultdict(list)

    def add(self, phrase: str, label: str, mode: Mode | None = None) -> None:
        """Look for ``phrase``; found, it yields ``label``. Default mode: exact if the phrase
        has diacritics, folded if not (as a query would be)."""
        found = [m[0] for m in words(phrase)]
        if not found:
            raise ValueError(f"{phrase!r} has no words")
        mode = mode or (Mode.EXACT if has_diacritics(phrase) else Mode.FOLDED)
        tokens = tuple(key(w, mode is not Mode.FOLDED) for w in found)
        capitals = tuple(w[0].isupper() for w in found)
        entries = self._by_start[tuple(map(fold_word, found[:2]))]
        entries.append(_Entry(tokens, capitals, mode, label, phrase))
        entries.sort(key=lambda entry: -len(entry.tokens))  # longest first: see occurrences

    def labels_in(self, text: str) -> set[str]:
        """The labels of the phrases found in ``text`` as whole words."""
        found, folded, exact = _tokens(text)
        labels = set()
        for start in range(len(folded)):
            for entry in self._starting(folded, start):
                if entry.label not in labels and _at(entry, start, found, folded, exact):
                    labels.add(entry.label)
        return labels

    def occurrences(self, text: str) -> list[tuple[int, str, str]]:
        """Each phrase found in ``text`` as whole words: (index of its first word among the
        words of ``text``, label, phrase). Where phrases overlap, the longest one starting
        first takes the words: "vị trí việc làm" (a post in the civil service) is not also
        "việc làm"."""
        found, folded, exact = _tokens(text)
        hits: list[tuple[int, str, str]] = []
        start = 0
        while start < len(folded):
            for entry in self._starting(folded, start):  # longest first
                if _at(entry, start, found, folded, exact):
                    hits.append((start, entry.label, entry.phrase))
                    start += len(entry.tokens)
                    break
            else:
                start += 1
        return hits

    def _starting(self, folded: _Tokens, start: int) -> list[_Entry]:
        """The phrases that may start at word ``start``, longest first."""
        single = self._by_start.get(folded[start : start + 1], [])
        pair = self._by_start.get(folded[start : start + 2])
        return pair + single if pair else single  # phrases of 2+ words are the longer


_Tokens = tuple[str, ...]


# The same text is looked through by several phrase sets in a row (topics, places, each alert
# rule's terms): it is split and folded once for all of them.
@lru_cache(maxsize=8)
def _tokens(text: str) -> tuple[_Tokens, _Tokens, _Tokens]:
    """The words of ``text`` (canonical), folded, and in exact (lowercase canonical) form."""
    found = tuple(word_strings(text))
    return found, tuple(map(fold_word, found)), tuple(map(exact_word, found))


def _at(entry: _Entry, start: int, found: _Tokens, folded: _Tokens, exact: _Tokens) -> bool:
    end = start + len(entry.tokens)
    if end > len(found):
        return False
    if entry.mode is Mode.FOLDED:
        return folded[start:end] == entry.tokens
    if exact[start:end] != entry.tokens:
        return False
    return entry.mode is Mode.EXACT or all(
        word[0].isupper() == capital
        for word, capital in zip(found[start:end], entry.capitals, strict=True)
    )
