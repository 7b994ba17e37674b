"""Re-tag every story: topics are now what a story is about (``aggregator.tags``), no longer
every topic one of whose keywords it holds. The tags already stored were made by the old rule
and would keep a story in most topic feeds; each story is queued for the search index
(``search_pending``), which re-tags it at the next refresh (every crawl runs one).

No schema change. Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO search_pending (story_id) SELECT id FROM stories "
        "WHERE id NOT IN (SELECT story_id FROM search_pending)"
    )


def downgrade() -> None:
    pass  # the queue is not part of the schema: the stories are re-tagged either way
