"""Searching the stories: FTS5 on SQLite, ranked by bm25; text search on PostgreSQL (GIN
indexes, ``unaccent`` on the folded side), ranked by ``ts_rank``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    column,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from aggregator.dates import VIETNAM
from aggregator.exceptions import ConfigError
from aggregator.folding import find
from aggregator.search.query import Query, Term, fts5_match, parse, single
from aggregator.store.schema import Source, Story
from aggregator.store.search_schema import (
    BM25_WEIGHTS,
    EXACT_COLUMNS,
    FOLDED_COLUMNS,
    FTS_TABLE,
    PG_UNACCENT,
    SearchDocument,
    pg_tsvector,
)
from aggregator.story_provinces import ProvinceRule

_FTS = table(FTS_TABLE, column("rowid"))
_BM25 = f"bm25({FTS_TABLE}, {', '.join(map(str, BM25_WEIGHTS))})"  # lower is better
# bm25 ranks a query whose phrases each have a word in at most this many stories (its newest
# this many matches, those stored last): a search's cost then stays flat as the store grows
# (bench/scale_bench.py).
RANK_WINDOW = 5000
# A query with more matches (a common word) ranks its newest this many by where they match
# (hits._fts_recent): bm25 would count every match, a pass that grows with the store.
RECENT_WINDOW = 1000
_SPACE_RE = re.compile(r"\s+")
# ts_rank's weights of D, C, B (body), A (title): a title word counts five times, as in bm25.
_TS_RANK_WEIGHTS = (0.1, 0.2, 0.2, 1.0)


@dataclass(frozen=True)
class Hit:
    story_id: int
    title: str
    snippet: str  # the body around the first match, the match between « and »
    published: datetime | None  # aware, Vietnam time
    # Higher is better: bm25 negated on SQLite (a common query's newest matches: 5 a group of
    # its words in the title, 1 in the body; hits._fts_recent), ts_rank on PostgreSQL.
    score: float
    url: str  # the first source's
    site_ids: tuple[str, ...]  # the sources' sites, first first


def search(
    engine: Engine,
    query: str,
    *,
    provinces: Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    site_ids: Sequence[str] | None = None,
    limit: int = 50,
    rule: ProvinceRule | None = None,
    snippets: bool = True,
) -> list[Hit]:
    """Stories matching ``query`` (see ``search.query``), best first.

    ``snippets``: False leaves each hit's snippet empty, for a caller that shows none (a
    search feed) or only a page of the hits (:func:`snippet` makes those): finding the
    matches in every body was most of a 200-hit search.

    ``provinces``: ids or names; a story matches when it belongs to one of them by the rule of
    ``aggregator.story_provinces`` (``rule``: over the registered sites; without it, by the
    provinces its tags name alone): it names one or a site of one published it.
    ``since``: published (else first seen) at or after; ``until``: before. ``site_ids``: those
    with a source on one of these sites.
    """
    parsed = parse(query)
    filters: list[ColumnElement[bool]] = []
    if since is not None:
        moment = since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
        filters.append(func.coalesce(Story.published, Story.first_seen) >= moment)
    if until is not None:
        moment = until.astimezone(UTC).replace(tzinfo=None) if until.tzinfo else until
        filters.append(func.coalesce(Story.published, Story.first_seen) < moment)
    if site_ids:
        on_sites = select(Source.story_id).where(Source.site_id.in_(list(site_ids)))
        filters.append(Story.id.in_(on_sites))
    if provinces is not None:
        rule = rule or ProvinceRule(())
        filters.append(rule.clause([rule.resolve(name) for name in provinces]))
    try:
        with Session(engine) as session:
            if engine.dialect.name == "sqlite":
                rows = _fts_rows(session, parsed, filters, limit)
            else:
                statement = _pg_text_search(parsed).where(*filters).limit(limit)
                rows = session.execute(statement).all()
            sources = _sources(session, [row.id for row in rows])
    except OperationalError as exc:
        # parse() leaves nothing FTS5 could misread; this is a last resort, still one line.
        raise ConfigError(f"bad query {query!r}: {exc.orig}") from exc
    return [_hit(row, parsed, sources.get(row.id, []), snippets) for row in rows]


def _fts_rows(
    session: Session, query: Query, filters: list[ColumnElement[bool]], limit: int
) -> Sequence[Any]:
    """The best ``limit`` matches: (id, title, text, published, score) rows.

    bm25 costs a pass over every story holding each word or phrase of the query (it counts
    them, for their weights), whatever the LIMIT: at a million stories a common word's pass
    alone cost more than a search should. So bm25 ranks a query whose phrases each have a
    word in at most ``RANK_WINDOW`` stories (:func:`_bm25_is_bounded`); any other query's
    newest ``RECENT_WINDOW`` matches are ranked by where they match, newest first among
    equals (:func:`_fts_recent`). Either way a search costs what its window costs, not what
    the store holds."""
    if _bm25_is_bounded(session, query):
        return session.execute(_fts(query, filters, limit)).all()
    return session.execute(_fts_recent(query, filters, limit)).all()


def _match(expression: str, name: str = "match") -> ColumnElement[bool]:
    clause = sql_text(f"{FTS_TABLE} MATCH :{name}").bindparams(**{name: expression})
    return clause  # type: ignore[return-value]


def _bm25_is_bounded(session: Session, query: Query) -> bool:
    """Whether bm25's pass over each term of ``query`` (the excluded ones too) is short:
    FTS5 finds a phrase by walking the doclists of its words together, so each term needs
    one word in at most ``RANK_WINDOW`` stories. Each word is counted no further than that
    (reading one word's doclist is the cheapest thing FTS5 does)."""
    for term in query.terms:
        if not any(
            _at_most(session, Term((word,), term.exact)) for word in dict.fromkeys(term.words)
        ):
            return False
    return True


def _at_most(session: Session, word: Term) -> bool:
    alone = fts5_match(single(word), EXACT_COLUMNS, FOLDED_COLUMNS)
    # Newest first, as the window reads: the same pages, the ones most likely cached.
    newest = select(_FTS.c.rowid).where(_match(alone)).order_by(_FTS.c.rowid.desc())
    found = newest.limit(RANK_WINDOW + 1).subquery()
    return (session.scalar(select(func.count()).select_from(found)) or 0) <= RANK_WINDOW


def _fts_recent(
    query: Query, filters: list[ColumnElement[bool]], limit: int
) -> Select[int, str, str, datetime | None, float]:
    """The newest ``RECENT_WINDOW`` matches (by rowid: those stored last), ranked: each
    wanted term of the query scores 5 in the title, 1 elsewhere or nowhere
    (bm25's column weights, without its word counts, lengths and rarity); then the latest
    published, the latest stored. FTS5 reads the doclists from the newest story back and
    stops at the window's end; the title's matches are looked for in the window's range."""
    newest = select(_FTS.c.rowid.label("id")).select_from(_FTS)
    if filters:
        newest = newest.join(Story, Story.id == _FTS.c.rowid).where(*filters)
    newest = newest.where(_match(fts5_match(query, EXACT_COLUMNS, FOLDED_COLUMNS)))
    window = newest.order_by(_FTS.c.rowid.desc()).limit(RECENT_WINDOW).cte("window")
    lowest = select(func.min(window.c.id)).scalar_subquery()
    score: ColumnElement[float] = literal(0.0, Float)
    for number, term in enumerate(query.wanted):
        # title or title_folded: the first of each pair (store.search_schema)
        in_title = fts5_match(single(term), EXACT_COLUMNS[:1], FOLDED_COLUMNS[:1])
        titled = select(_FTS.c.rowid).where(
            _match(in_title, f"title_{number}"), _FTS.c.rowid >= lowest
        )
        score = score + case((window.c.id.in_(titled), 5.0), else_=1.0)
    scored = score.label("score")  # ORDER BY names it: its subqueries run once
    best = (
        select(window.c.id, scored, Story.published)
        .join(Story, Story.id == window.c.id)
        .order_by(scored.desc(), Story.published.desc(), Story.id.desc())
        .limit(limit)
        .subquery()
    )
    return (
        select(Story.id, Story.title, Story.text, Story.published, best.c.score)
        .join(best, best.c.id == Story.id)
        .order_by(best.c.score.desc(), best.c.published.desc(), Story.id.desc())
    )


def _fts(
    query: Query, filters: list[ColumnElement[bool]], limit: int
) -> Select[int, str, str, datetime | None, float]:
    """Ranked in two steps: the newest ``RANK_WINDOW`` matches (FTS5 walks its doclists by
    rowid, newest first, and stops there), ranked by bm25 (bounded only where
    :func:`_bm25_is_bounded`); then the bodies of the best ``limit`` only."""
    match = _match(fts5_match(query, EXACT_COLUMNS, FOLDED_COLUMNS))
    newest = select(_FTS.c.rowid.label("id"), literal_column(_BM25, Float).label("bm25"))
    newest = newest.select_from(_FTS)
    if filters:
        newest = newest.join(Story, Story.id == _FTS.c.rowid).where(*filters)
    window = newest.where(match).order_by(_FTS.c.rowid.desc()).limit(RANK_WINDOW).subquery()
    best = (
        select(window.c.id, window.c.bm25, Story.published)
        .join(Story, Story.id == window.c.id)
        .order_by(window.c.bm25, Story.published.desc(), Story.id.desc())
        .limit(limit)
        .subquery()
    )
    return (
        select(Story.id, Story.title, Story.text, Story.published, (-best.c.bm25).label("score"))
        .join(best, best.c.id == Story.id)
        .order_by(best.c.bm25, best.c.published.desc(), Story.id.desc())
    )


def _pg_text_search(query: Query) -> Select[int, str, str, datetime | None, float]:
    """PostgreSQL: each term as ``phraseto_tsquery`` ('simple': no stemming, no stop words)
    against the exact vector or the folded one (``unaccent`` on both sides), as the term asks;
    ranked by both vectors' ``ts_rank`` of the wanted terms, the title weighted as in bm25."""
    qualifier = f"{SearchDocument.__tablename__}."
    vectors: dict[bool, ColumnElement[Any]] = {
        exact: literal_column(pg_tsvector(not exact, qualifier)) for exact in (True, False)
    }

    def tsquery(term: Term) -> ColumnElement[Any]:
        words: ColumnElement[Any] = literal(term.text)
        if not term.exact:
            words = getattr(func, PG_UNACCENT)(words)
        return func.phraseto_tsquery(literal_column("'simple'::regconfig"), words)

    def has(term: Term) -> ColumnElement[bool]:
        return vectors[term.exact].op("@@")(tsquery(term))  # type: ignore[no-any-return]

    wanted = or_(
        *(and_(*map(has, a.all_of), *(not_(has(t)) for t in a.none_of)) for a in query.any_of)
    )
    array = "{" + ", ".join(map(str, _TS_RANK_WEIGHTS)) + "}"
    weights: ColumnElement[Any] = literal_column(f"'{array}'::float4[]")
    rank: ColumnElement[Any] = literal(0.0, Float)
    for exact in (True, False):
        if terms := [t for t in query.wanted if t.exact is exact]:
            either = reduce(func.tsquery_or, map(tsquery, terms))
            rank = rank + func.ts_rank(weights, vectors[exact], either)
    return (
        select(Story.id, Story.title, Story.text, Story.published, rank.label("score"))
        .join(SearchDocument, SearchDocument.story_id == Story.id)
        .where(wanted)
        .order_by(rank.desc(), Story.published.desc(), Story.id.desc())
    )


def _sources(session: Session, story_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    query = (
        select(Source.story_id, Source.site_id, Source.url)
        .where(Source.story_id.in_(story_ids))
        .order_by(Source.id)
    )
    for story_id, site_id, url in session.execute(query):
        found.setdefault(story_id, []).append((site_id, url))
    return found


def _hit(row: Any, query: Query, sources: list[tuple[str, str]], with_snippet: bool) -> Hit:
    published = row.published.replace(tzinfo=UTC).astimezone(VIETNAM) if row.published else None
    return Hit(
        story_id=row.id,
        title=row.title,
        snippet=snippet(row.text, query) if with_snippet else "",
        published=published,
        score=float(row.score),
        url=sources[0][1] if sources else "",
        site_ids=tuple(dict.fromkeys(site for site, _ in sources)),
    )


def snippet(text: str, query: Query, before: int = 80, after: int = 160) -> str:
    """The body around the first match of the wanted phrases, each marked «so»; the body's
    start if none is in it (a title match)."""
    body = unicodedata.normalize("NFC", text)
    spans = sorted(
        span
        for term in query.wanted
        if (span := find(term.text, body, exact=term.exact)) is not None
    )
    if not spans:
        return _squash(body[: before + after]) + ("…" if len(body) > before + after else "")
    start = spans[0][0]
    left = body.rfind(" ", 0, start - before) + 1 if start > before else 0
    right = body.find(" ", spans[0][1] + after)
    right = len(body) if right < 0 else right
    marked, cursor = [], left
    for span_start, span_end in spans:
        if span_start >= cursor and span_end <= right:  # in the window, not overlapping
            marked += [body[cursor:span_start], "«", body[span_start:span_end], "»"]
            cursor = span_end
    marked.append(body[cursor:right])
    return ("…" if left else "") + _squash("".join(marked)) + ("…" if right < len(body) else "")


def _squash(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()
