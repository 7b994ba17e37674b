"""Tables of the search index and the tags, beside the store's (same ``Base``).

``search_documents`` holds each indexed story as searched: title and body lowercased in
``canonical`` form (for queries with diacritics) and folded (for queries without), and the
``stories.updated`` it was made from, which tells ``refresh_index`` what is stale. On SQLite the
FTS5 table ``story_fts`` indexes it as external content: triggers keep the two in step, so the
documents are the one thing Python writes, on any database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.engine import Engine
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


class StoryTag(Base):
    """What a story is about: ``topic`` (topics.yaml id), ``province`` (one of the 34 current)
    or ``former_province`` (one of the 63 before 1 July 2025), named in its title or text."""

    __tablename__ = "story_tags"
    __table_args__ = (Index("ix_story_tags_kind_value", "kind", "value"),)

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


def create_search_tables(engine: Engine) -> None:
    """The FTS5 table and its triggers (SQLite only; the ORM tables come from create_all).

    Other databases (PostgreSQL, later) search ``search_documents`` with LIKE instead.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
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
