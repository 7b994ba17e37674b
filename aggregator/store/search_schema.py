"""Tables of the search index and the tags, beside the store's (same ``Base``).

``search_documents`` holds each indexed story as searched: title and body lowercased in
``canonical`` form (for queries with diacritics) and folded (for queries without), and the
``stories.updated`` it was made from. ``search_pending`` lists the stories to index: triggers on
``stories`` (migration 0005) add a story when it is stored and when its ``updated`` moves, so
``refresh_index`` finds its work without a pass over the store. On SQLite the
FTS5 table ``story_fts`` indexes it as external content: triggers keep the two in step, so the
documents are the one thing Python writes, on any database. On PostgreSQL two GIN indexes over
text-search vectors of the documents (``unaccent`` on the folded ones) do the same work.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from aggregator.store.schema import Base

FTS_TABLE = "story_fts"
EXACT_COLUMNS = ("title", "body")
FOLDED_COLUMNS = ("title_folded", "body_folded")
# bm25 weights in the FTS column order: a word in the title counts five times one in the body.
BM25_WEIGHTS = (5.0, 1.0, 5.0, 1.0)


class SearchDocument(Base):
    __tablename__ = "search_documents"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    indexed_updated: Mapped[datetime] = mapped_column(DateTime)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    title_folded: Mapped[str] = mapped_column(Text)
    body_folded: Mapped[str] = mapped_column(Text)


class SearchPending(Base):
    """A story to index, or to index again: added by the triggers on ``stories`` (whoever
    writes), removed by ``refresh_index`` once its document is level with the story. No
    foreign key: a story deleted meanwhile is dropped from here by the next refresh."""

    __tablename__ = "search_pending"

    story_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class StoryTag(Base):
    """What a story is about: ``topic`` (topics.yaml id), ``province`` (one of the 34 current)
    or ``former_province`` (one of the 63 before 1 July 2025), named in its title or text."""

    __tablename__ = "story_tags"
    # With the story: a tag's newest stories are the end of its range (the topic and province
    # feeds), not all its stories sorted.
    __table_args__ = (Index("ix_story_tags_kind_value_story", "kind", "value", "story_id"),)

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)


_COLUMNS = ", ".join(EXACT_COLUMNS + FOLDED_COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in EXACT_COLUMNS + FOLDED_COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in EXACT_COLUMNS + FOLDED_COLUMNS)
_INSERT = f"INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) VALUES (new.story_id, {_NEW});"
# External-content FTS5 forgets a row only when told its old values.
_DELETE = (
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLUMNS}) "
    f"VALUES ('delete', old.story_id, {_OLD});"
)
_TRIGGERS = {
    "search_documents_ai": f"AFTER INSERT ON search_documents BEGIN {_INSERT} END",
    "search_documents_ad": f"AFTER DELETE ON search_documents BEGIN {_DELETE} END",
    "search_documents_au": f"AFTER UPDATE ON search_documents BEGIN {_DELETE} {_INSERT} END",
}


# PostgreSQL: a weighted tsvector over the same documents (title A, body B), diacritics kept
# for queries with them, folded for the others (``fold`` then ``unaccent``, on both sides).
# ``unaccent`` is only STABLE; an index needs an IMMUTABLE function, hence the wrapper.
PG_UNACCENT = "tld_unaccent"


def pg_tsvector(folded: bool, table: str = "") -> str:
    """The SQL of a document's weighted text-search vector (``table``: a qualifier for the
    columns, in a query; the index is on the unqualified expression, which the planner matches).
    """
    title, body = ("title_folded", "body_folded") if folded else ("title", "body")
    parts = []
    for column, weight in ((title, "A"), (body, "B")):
        value = f"{PG_UNACCENT}({table}{column})" if folded else f"{table}{column}"
        parts.append(f"setweight(to_tsvector('simple'::regconfig, {value}), '{weight}')")
    return f"({' || '.join(parts)})"


PG_INDEXES = {
    "ix_search_documents_tsv_exact": pg_tsvector(folded=False),
    "ix_search_documents_tsv_folded": pg_tsvector(folded=True),
}
# Indexes made here, not by the migrations (Alembic cannot describe them): it leaves them be.
UNMANAGED_INDEXES = frozenset(PG_INDEXES)


def create_search_tables(conn: Connection) -> None:
    """What the migrations cannot describe: SQLite's FTS5 table and triggers; PostgreSQL's
    ``unaccent``, its immutable wrapper and the GIN indexes. Idempotent."""
    if conn.dialect.name == "postgresql":
        _create_pg_search(conn)
    if conn.dialect.name != "sqlite":
        return
    exists = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": FTS_TABLE},
    ).first()
    if exists:
        return
    # Diacritics kept: the folded columns are folded by us (with "đ" -> "d", which the
    # unicode61 tokenizer would not do); the exact ones must keep them.
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_COLUMNS}, "
        "content='search_documents', content_rowid='story_id', "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    for name, body in _TRIGGERS.items():
        conn.exec_driver_sql(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    # Documents written before the FTS table existed (it was dropped): index them too.
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def _create_pg_search(conn: Connection) -> None:
    conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = conn.execute(
        text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'")
    ).scalar_one()
    # Schema-qualified, so that the index still works under any search_path (pg_dump's too).
    conn.exec_driver_sql(
        f"CREATE OR REPLACE FUNCTION {PG_UNACCENT}(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f"$$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
    )
    for name, expression in PG_INDEXES.items():
        conn.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {name} ON search_documents USING gin ({expression})"
        )
