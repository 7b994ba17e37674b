"""The query language of searches (CLI, web page, search feeds) and alert rules: one grammar.

Syntax::

    lao động việc làm          words side by side: all of them, anywhere (AND may be written)
    "bảo hiểm xã hội"          a phrase: these words in this order
    Hàn Quốc OR Nhật Bản       alternatives, each made of the words around it:
                               (Hàn Quốc) OR (Nhật Bản); OR binds loosest
    -hội nghị   NOT hội nghị   without this word or phrase (in its alternative)

Each term (a word or a phrase) decides for itself: without diacritics it matches with or
without them ("tre em" finds "trẻ em"), with them it matches them ("lao động" does not find
"lão đồng"); see ``aggregator.folding``. ``A OR B`` finds exactly what ``A`` finds and what
``B`` finds. User input never reaches FTS5 or PostgreSQL as syntax: every term is re-quoted,
and whatever is not a word (``*``, ``:``, brackets) is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from aggregator.exceptions import QueryError
from aggregator.folding import has_diacritics, key, words
from aggregator.phrases import Mode, PhraseSet

_TOKEN_RE = re.compile(r'(-?)"([^"]*)("?)|(\S+)')
_OPERATORS = ("OR", "NOT", "AND")
# Every alternative of a query is matched against every story a crawl stores: a rule of the 34
# provinces' names joined by OR is a few hundred characters, a rules file's query of a million
# ORs cost a crawl 40 s and a GB.
MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class Term:
    """A word or a phrase: ``words`` in the form compared (folded, or lowercase canonical
    when ``exact``)."""

    words: tuple[str, ...]
    exact: bool

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Alternative:
    """Terms that must all appear (``all_of``) and none of which may (``none_of``)."""

    all_of: tuple[Term, ...]
    none_of: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Query:
    """Alternatives (``any_of``): a story matches when it satisfies one."""

    text: str
    any_of: tuple[Alternative, ...]

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every term once: each alternative's wanted terms, then its unwanted ones."""
        return tuple(dict.fromkeys(t for a in self.any_of for t in a.all_of + a.none_of))

    @property
    def wanted(self) -> tuple[Term, ...]:
        """The terms some alternative needs (what a snippet marks, what ranks)."""
        return tuple(dict.fromkeys(t for a in self.any_of for t in a.all_of))

    def phrases(self) -> PhraseSet:
        """The terms as a phrase set, each labelled with its number in :attr:`terms`."""
        found = PhraseSet()
        for number, term in enumerate(self.terms):
            found.add(term.text, str(number), Mode.EXACT if term.exact else Mode.FOLDED)
        return found

    def satisfied_by(self, found: Iterable[int]) -> bool:
        """Whether a text in which the terms numbered ``found`` appear matches."""
        present = {self.terms[n] for n in found}
        return any(set(a.all_of) <= present and not set(a.none_of) & present for a in self.any_of)

    def matches(self, *texts: str) -> bool:
        """Whether a story of these texts (title, body) matches: what a search finds."""
        phrases = self.phrases()
        return self.satisfied_by({int(n) for text in texts for n in phrases.labels_in(text)})


def single(term: Term) -> Query:
    """The query of one term alone."""
    return Query(term.text, (Alternative((term,)),))


def parse(text: str) -> Query:
    """``text`` read by the grammar above; a :class:`QueryError` says what is wrong with it."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(text, f"longer than {MAX_QUERY_CHARS:,} characters ({len(text):,})")
    alternatives: list[Alternative] = []
    wanted: list[Term] = []
    unwanted: list[Term] = []
    negate = False

    def close(at_or: bool) -> None:
        if not wanted:
            raise QueryError(
                text,
                "OR needs a word on each side"
                if at_or or alternatives
                else "nothing to look for (a word, not only -word)",
            )
        alternatives.append(Alternative(tuple(wanted), tuple(unwanted)))
        wanted.clear()
        unwanted.clear()

    for item, is_phrase, dash in _tokens(text):
        if not is_phrase and not dash and item in _OPERATORS:
            if item == "OR":
                if negate:
                    raise QueryError(text, "NOT needs a word after it")
                close(at_or=True)
            negate = negate or item == "NOT"
            continue
        term = _term(item)
        if term is None:
            continue  # punctuation alone: nothing to look for
        (unwanted if negate or dash else wanted).append(term)
        negate = False
    if negate:
        raise QueryError(text, "it ends with NOT")
    close(at_or=False)
    return Query(text, tuple(alternatives))


def _term(item: str) -> Term | None:
    exact = has_diacritics(item)
    found = tuple(key(m[0], exact) for m in words(item))
    return Term(found, exact) if found else None


def _tokens(text: str) -> list[tuple[str, bool, bool]]:
    """(word or phrase, is_phrase, negated by '-') in order; an unclosed quote is an error,
    not a guess."""
    found = []
    for match in _TOKEN_RE.finditer(text):
        if match[4] is not None:
            word = match[4]
            if word in _OPERATORS:
                found.append((word, False, False))
            else:
                found.append((word.removeprefix("-"), False, word.startswith("-")))
        elif not match[3]:
            raise QueryError(text, "a quote is not closed")
        else:
            found.append((match[2], True, bool(match[1])))
    return found


def fts5_match(query: Query, exact: tuple[str, ...], folded: tuple[str, ...]) -> str:
    """The FTS5 MATCH expression of ``query``: each term over the ``exact`` columns or the
    ``folded`` ones, as it asks."""

    def term(t: Term) -> str:
        # Words are \w+ runs, so they hold no '"'; quoting makes each a literal FTS5 string.
        columns = exact if t.exact else folded
        return "{" + " ".join(columns) + "} : " + f'"{t.text}"'

    def alternative(a: Alternative) -> str:
        expression = "(" + " AND ".join(map(term, a.all_of)) + ")"
        if a.none_of:
            expression += " NOT (" + " OR ".join(map(term, a.none_of)) + ")"
        return "(" + expression + ")"

    return " OR ".join(map(alternative, query.any_of))
