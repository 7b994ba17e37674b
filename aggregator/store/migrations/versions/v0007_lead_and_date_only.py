"""Lead and date-only dates: a story's lead (the standfirst its canonical page sets apart) and
whether its date is a day without a time; per source, the same of what each page showed.

Columns are added with plain ALTER TABLE, not Alembic's batch mode: on SQLite that copies the
table anew, and the copy drops the triggers of revision 0003 and of the search index. Rows
stored before are not date-only: nothing recorded then tells a midnight from a day.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (table, column); a database the previous release's create_all made may have them already.
LEADS = (("stories", "lead"), ("source_bodies", "lead"))
DATE_ONLY = (("stories", "date_only"), ("sources", "date_only"))


def upgrade() -> None:
    for table, name in LEADS:
        _add_if_absent(table, sa.Column(name, sa.Text(), nullable=True))
    for table, name in DATE_ONLY:
        column: sa.Column[bool] = sa.Column(
            name, sa.Boolean(), nullable=False, server_default=sa.false()
        )
        _add_if_absent(table, column)


def downgrade() -> None:
    # SQLite drops a column in place (3.35 and later): the triggers stay.
    for table, name in (*DATE_ONLY, *LEADS):
        op.drop_column(table, name)


def _add_if_absent(table: str, column: sa.Column[Any]) -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    if column.name not in present:
        op.add_column(table, column)
