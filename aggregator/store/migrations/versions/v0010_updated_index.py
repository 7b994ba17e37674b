"""An index for the archived feeds' "what changed last": stories by (updated, id), so that a
feed's candidates (``views.story_stamps``, ordered by ``updated``) are read off its end,
not found by sorting every story of the store at each publish.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# IF [NOT] EXISTS: a database the models' create_all made already has it.
NAME, TABLE, COLUMNS = "ix_stories_updated", "stories", "updated, id"


def upgrade() -> None:
    op.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {TABLE} ({COLUMNS})")


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {NAME}")
