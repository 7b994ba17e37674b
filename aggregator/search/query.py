"""The search query language, parsed once and rendered for FTS5 (or LIKE, elsewhere).

Syntax::

    lao động việc làm          words: all of them (AND)
    "bảo hiểm xã hội"          a phrase: these words in this order
    thất nghiệp OR việc làm    either side; OR binds tighter than the implicit AND
    -hội nghị   NOT hội nghị   without this word or phrase

A query with any diacritic is matched exactly (case aside), one without is matched folded (see
``folding``). User input never reaches FTS5 as syntax: every word and phrase is re-quoted, and
whatever is not a word (``*``, ``:``, brackets) is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aggregator.exceptions import ConfigError
from aggregator.folding import has_diacritics, key, words

_TOKEN_RE = re.compile(r'"([^"]*)("?)|(\S+)')
Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Query:
    """``all_of`` groups must each match (a group: any of its phrases); no ``none_of`` may."""

    text: str
    exact: bool
    all_of: tuple[tuple[Phrase, ...], ...]
    none_of: tuple[Phrase, ...]


def parse(text: str) -> Query:
    exact = has_diacritics(text)
    all_of: list[list[Phrase]] = []
    none_of: list[Phrase] = []
    pending_or = negate = last_negated = False
    for item, is_phrase in _tokens(text):
        if not is_phrase and item in ("OR", "NOT", "AND"):
            if item == "OR" and (pending_or or negate or last_negated or not all_of):
                raise ConfigError(f"bad query {text!r}: OR needs a word on each side")
            pending_or, negate = pending_or or item == "OR", negate or item == "NOT"
            continue
        dash = not is_phrase and item.startswith("-")
        phrase = tuple(key(m[0], exact) for m in words(item[1:] if dash else item))
        if not phrase:
            continue  # punctuation alone: nothing to look for
        last_negated = negate or dash
        if pending_or and last_negated:
            raise ConfigError(f"bad query {text!r}: OR needs a word on each side")
        if last_negated:
            none_of.append(phrase)
        elif pending_or:
            all_of[-1].append(phrase)
        else:
            all_of.append([phrase])
        pending_or = negate = False
    if pending_or or negate:
        raise ConfigError(f"bad query {text!r}: it ends with OR or NOT")
    if not all_of:
        raise ConfigError(f"bad query {text!r}: nothing to look for (a word, not only -word)")
    return Query(text, exact, tuple(tuple(g) for g in all_of), tuple(none_of))


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(word or phrase, is_phrase) in order; an unclosed quote is an error, not a guess."""
    found = []
    for match in _TOKEN_RE.finditer(text):
        if match[3] is not None:
            found.append((match[3], False))
        elif not match[2]:
            raise ConfigError(f"bad query {text!r}: a quote is not closed")
        else:
            found.append((match[1], True))
    return found


def fts5_match(query: Query, columns: tuple[str, ...]) -> str:
    """The FTS5 MATCH expression of ``query`` over ``columns`` (the exact or folded ones)."""
    spec = "{" + " ".join(columns) + "}"

    def phrase(p: Phrase) -> str:
        # Words are \w+ runs, so they hold no '"'; quoting makes each a literal FTS5 string.
        return f'{spec} : "{" ".join(p)}"'

    groups = ["(" + " OR ".join(phrase(p) for p in group) + ")" for group in query.all_of]
    expression = " AND ".join(groups)
    if query.none_of:
        expression = f"({expression}) NOT ({' OR '.join(phrase(p) for p in query.none_of)})"
    return expression
