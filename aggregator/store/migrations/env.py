"""Alembic's environment: the store's metadata, on the connection ``upgrade`` hands over, or
(``alembic`` run by hand, ``python -m aggregator.store.migrations``) on ``sqlalchemy.url``."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from aggregator.store.migrations import TARGET, include_name


def run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=TARGET,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        run(conn)
    engine.dispose()
