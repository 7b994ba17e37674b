"""Indexes for the feeds' "newest first": stories by (published, first_seen, id) and tags with
their story, so that a feed reads its newest stories off an index's end instead of sorting
the whole store or every story of a tag (seconds a feed at a million stories).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# IF [NOT] EXISTS: a database the previous release's create_all made may have either set.
NEW = (
    ("ix_stories_newest", "stories", "published, first_seen, id"),
    ("ix_story_tags_kind_value_story", "story_tags", "kind, value, story_id"),
)
OLD = (
    ("ix_stories_published", "stories", "published"),
    ("ix_story_tags_kind_value", "story_tags", "kind, value"),
)


def upgrade() -> None:
    for name, table, columns in NEW:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for name, _table, _columns in OLD:  # prefixes of the new ones
        op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade() -> None:
    for name, table, columns in OLD:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    for name, _table, _columns in NEW:
        op.execute(f"DROP INDEX IF EXISTS {name}")
