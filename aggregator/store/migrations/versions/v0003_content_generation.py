"""Content generation: a counter that triggers bump on every change to what the feeds show
(``aggregator.store.generation``), so that publishing can skip feeds that cannot have changed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aggregator.store.migrations.helpers import create_table_if_absent

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen here, not imported: a later change of the live list comes with its own revision.
TABLES = ("stories", "sources", "story_images", "source_bodies", "story_tags")
BUMP = "UPDATE content_generation SET value = value + 1 WHERE id = 1"
PG_FUNCTION = "tld_content_changed"


def upgrade() -> None:
    create_table_if_absent(
        "content_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM content_generation")).scalar_one() == 0:
        op.execute("INSERT INTO content_generation (id, value) VALUES (1, 0)")
    if bind.dialect.name == "postgresql":
        # One bump per statement: a bulk insert of tags costs one update, not one per row.
        op.execute(
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS content_generation_{table} ON {table}")
            op.execute(
                f"CREATE TRIGGER content_generation_{table} "
                f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )
        return
    # SQLite has row triggers only: one bump per row written, a few microseconds each.
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS content_generation_{table}_{event.lower()} "
                f"AFTER {event} ON {table} BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS content_generation_{table} ON {table}")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS content_generation_{table}_{event}")
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    op.drop_table("content_generation")
