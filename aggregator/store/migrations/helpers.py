"""What the first revisions share: databases made by ``create_all`` before migrations existed
may already hold any of their tables, so each is created only where it is absent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

Index = tuple[str, Sequence[str]]  # name, columns (not unique)


def create_table_if_absent(
    name: str, *items: sa.Column[Any] | sa.Constraint, indexes: Sequence[Index] = ()
) -> None:
    if sa.inspect(op.get_bind()).has_table(name):
        return
    op.create_table(name, *items)
    for index_name, columns in indexes:
        op.create_index(index_name, name, list(columns), unique=False)
