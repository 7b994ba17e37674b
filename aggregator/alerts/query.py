"""A rule's query: words and phrases with AND, OR and NOT, each term folded or exact.

Syntax::

    thi dua khen thuong        words: all of them (AND; the word AND may be written)
    "giao ước thi đua"         a phrase: these words in this order
    thi dua OR "giao ước"      either side: (thi AND dua) OR "giao ước"
    -hoi nghi   NOT hoi nghi   without this word or phrase (in its side of an OR)

OR binds loosest, as in boolean algebra: a query is alternatives, each a conjunction. (The
search box binds OR tighter, ``tinlaodong search``; a rule reads the way the issue writes them.)
Unlike a search, where one diacritic makes the whole query exact, a rule decides term by term:
in ``thi dua OR "giao ước"``, "thi dua" also finds "thi đua" and "giao ước" only itself (see
``aggregator.folding``). Terms match whole words, in the title or in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aggregator.folding import words
from aggregator.phrases import PhraseSet

_TOKEN_RE = re.compile(r'(-?)"([^"]*)("?)|(\S+)')
_OPERATORS = ("OR", "NOT", "AND")


class QueryError(ValueError):
    """A query that cannot be read; the message says why."""


@dataclass(frozen=True)
class Clause:
    """Term numbers that must all appear (``all_of``) and none of which may (``none_of``)."""

    all_of: tuple[int, ...]
    none_of: tuple[int, ...] = ()


@dataclass(frozen=True)
class RuleQuery:
    """Alternatives (``any_of``): a text matches if it satisfies one. ``terms[n]`` is term n
    as written."""

    text: str
    terms: tuple[str, ...]
    any_of: tuple[Clause, ...]

    def phrases(self) -> PhraseSet:
        found = PhraseSet()
        for number, term in enumerate(self.terms):
            found.add(term, str(number))
        return found

    def satisfied_by(self, found: set[int]) -> bool:
        """Whether a text in which the terms ``found`` appear matches."""
        return any(set(c.all_of) <= found and not set(c.none_of) & found for c in self.any_of)


def parse_query(text: str) -> RuleQuery:
    terms: list[str] = []
    clauses: list[Clause] = []
    positive: list[int] = []
    negative: list[int] = []
    negate = False

    def close(at_or: bool) -> None:
        if not positive:
            raise QueryError(
                "OR needs a word on each side"
                if at_or or clauses
                else "nothing to look for (a word, not only -word)"
            )
        clauses.append(Clause(tuple(positive), tuple(negative)))
        positive.clear()
        negative.clear()

    for item, is_phrase, dash in _tokens(text):
        if not is_phrase and not dash and item in _OPERATORS:
            if item == "OR":
                if negate:
                    raise QueryError("NOT needs a word after it")
                close(at_or=True)
            negate = negate or item == "NOT"
            continue
        term = item.strip()
        if not words(term):
            continue  # punctuation alone: nothing to look for
        terms.append(term)
        (negative if negate or dash else positive).append(len(terms) - 1)
        negate = False
    if negate:
        raise QueryError("it ends with NOT")
    close(at_or=False)
    return RuleQuery(text, tuple(terms), tuple(clauses))


def _tokens(text: str) -> list[tuple[str, bool, bool]]:
    """(word or phrase, is_phrase, negated by '-') in order; an unclosed quote is an error."""
    found = []
    for match in _TOKEN_RE.finditer(text):
        if match[4] is not None:
            word = match[4]
            if word in _OPERATORS:
                found.append((word, False, False))
            else:
                found.append((word.removeprefix("-"), False, word.startswith("-")))
        elif not match[3]:
            raise QueryError("a quote is not closed")
        else:
            found.append((match[2], True, bool(match[1])))
    return found
