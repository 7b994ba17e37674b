"""Interrupted crawls: a site's part of a crawl stopped by Ctrl-C, SIGTERM or the scheduler's
time limit before it was done. Such a run is no crawl of the site (it stays due) and no
measure of its health.

A plain ALTER TABLE, as in revision 0007. Runs recorded before all finished.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("crawl_runs")}
    if "interrupted" not in present:
        op.add_column(
            "crawl_runs",
            sa.Column("interrupted", sa.Boolean(), nullable=False, server_default=sa.false()),
        )


def downgrade() -> None:
    op.drop_column("crawl_runs", "interrupted")
