"""Pages that are no article: a listing or a site's own page (sign-in, site map) its sitemap
lists beside the news, remembered so that a re-crawl does not fetch and read it again; and the
number of them each crawl of a site met (``crawl_runs.not_articles``, a measure of its health).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("not_article_pages"):
        op.create_table(
            "not_article_pages",
            sa.Column("url", sa.Text(), primary_key=True),
            sa.Column("site_id", sa.String(64), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("seen", sa.DateTime(), nullable=False),
        )
    present = {c["name"] for c in inspector.get_columns("crawl_runs")}
    if "not_articles" not in present:
        op.add_column(
            "crawl_runs",
            sa.Column("not_articles", sa.Integer(), nullable=False, server_default="0"),
        )


def downgrade() -> None:
    op.drop_column("crawl_runs", "not_articles")
    op.drop_table("not_article_pages")
