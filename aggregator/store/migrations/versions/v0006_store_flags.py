"""Store flags: the marks the store keeps about itself (a crawl of a site in progress, the
near-duplicate index complete) get a table of their own, out of the HTTP validators' table,
where they were rows under made-up URLs (``https://tinlaodong.invalid/<flag name>``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aggregator.store.migrations.helpers import create_table_if_absent

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The made-up URLs' prefix; the rest of each is the flag's name. No LIKE wildcard in it.
PREFIX = "https://tinlaodong.invalid/"
# What each kind of flag kept as its ETag there.
ETAGS = (("crawl-in-progress/", "running"), ("near-duplicate-index/", "complete"))


def upgrade() -> None:
    create_table_if_absent(
        "store_flags",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    start = len(PREFIX) + 1  # SQL strings count from 1
    op.execute(
        "INSERT INTO store_flags (name, set_at) "
        f"SELECT substr(url, {start}), updated FROM http_validators WHERE url LIKE '{PREFIX}%'"
    )
    op.execute(f"DELETE FROM http_validators WHERE url LIKE '{PREFIX}%'")


def downgrade() -> None:
    etag = " ".join(f"WHEN name LIKE '{kind}%' THEN '{value}'" for kind, value in ETAGS)
    op.execute(
        "INSERT INTO http_validators (url, etag, last_modified, updated) "
        f"SELECT '{PREFIX}' || name, CASE {etag} ELSE 'set' END, NULL, set_at FROM store_flags"
    )
    op.drop_table("store_flags")
