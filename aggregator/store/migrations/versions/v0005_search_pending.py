"""Search pending: the stories ``refresh_index`` has to index, kept by triggers on ``stories``
(a story stored, or its ``updated`` moved), so that a refresh no longer compares every story
with its search document (5 s at a million stories, on each crawl).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aggregator.store.migrations.helpers import create_table_if_absent

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PG_FUNCTION = "tld_search_pending"
# What was stale before the triggers existed: stories without a document, or newer than it.
STALE = (
    "SELECT s.id FROM stories s LEFT JOIN search_documents d ON d.story_id = s.id "
    "WHERE (d.story_id IS NULL OR d.indexed_updated <> s.updated) "
    "AND s.id NOT IN (SELECT story_id FROM search_pending)"
)


def upgrade() -> None:
    create_table_if_absent(
        "search_pending",
        sa.Column("story_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("story_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN INSERT INTO search_pending (story_id) VALUES (NEW.id) "
            "ON CONFLICT DO NOTHING; RETURN NULL; END $$"
        )
        for name, event in (("insert", "INSERT"), ("update", "UPDATE OF updated")):
            op.execute(f"DROP TRIGGER IF EXISTS search_pending_{name} ON stories")
            condition = (
                " WHEN (OLD.updated IS DISTINCT FROM NEW.updated)" if name == "update" else ""
            )
            op.execute(
                f"CREATE TRIGGER search_pending_{name} AFTER {event} ON stories "
                f"FOR EACH ROW{condition} EXECUTE FUNCTION {PG_FUNCTION}()"
            )
    else:
        add = "INSERT OR IGNORE INTO search_pending (story_id) VALUES (new.id)"
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS search_pending_insert AFTER INSERT ON stories "
            f"BEGIN {add}; END"
        )
        op.execute(
            "CREATE TRIGGER IF NOT EXISTS search_pending_update AFTER UPDATE OF updated "
            f"ON stories WHEN old.updated IS NOT new.updated BEGIN {add}; END"
        )
    op.execute(f"INSERT INTO search_pending (story_id) {STALE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS search_pending_{name} ON stories")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    else:
        for name in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS search_pending_{name}")
    op.drop_table("search_pending")
