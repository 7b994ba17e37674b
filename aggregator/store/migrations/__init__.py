"""Schema migrations (Alembic): the store's tables are made and changed only here.

:func:`upgrade` brings a database to the newest revision: an empty one gets every table, one
made by ``create_all`` before migrations existed gets what it lacks (the first revisions create
only absent tables), one made by an older release gets the revisions since. One process at a
time migrates a database (PostgreSQL: an advisory lock; SQLite: a lock file beside it), so
workers starting together do not race.

After changing ``aggregator/store/schema.py`` (or ``aggregator/store/search_schema.py``)::

    .venv/bin/python -m aggregator.store.migrations revision -m "what changed"

writes ``versions/vNNNN_what_changed.py`` with the differences found (review it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

import aggregator.store.search_schema as search_schema
from aggregator.store.database import sqlite_file_lock
from aggregator.store.schema import Base

HERE = Path(__file__).resolve().parent
TARGET = Base.metadata
# Objects Alembic must neither compare nor drop: made by ``create_search_tables`` (FTS5 and its
# shadow tables, the PostgreSQL text-search indexes) or owned by the scheduler.
UNMANAGED_PREFIXES = (search_schema.FTS_TABLE, "scheduler_jobs", "scheduled_runs")
# Any fixed number: the key of the advisory lock that serialises migrations on PostgreSQL.
PG_LOCK_KEY = 0x746C64_0001
# Alembic's table of the database's revision (its default name).
VERSION_TABLE = "alembic_version"
# ``vNNNN_what_changed.py``: the name ``__main__`` gives each revision, NNNN its revision id.
_REVISION_FILE = re.compile(r"^v(\d{4})_\w*\.py$")

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(HERE / "versions"))
    config.attributes["connection"] = connection
    return config


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """What autogenerate compares: the store's own tables (never proposing to drop a table
    someone else owns) and their indexes, not those ``create_search_tables`` makes."""
    if name is None:
        return True
    if type_ == "table":
        return name in TARGET.tables and not name.startswith(UNMANAGED_PREFIXES)
    if type_ == "index":
        return name not in search_schema.UNMANAGED_INDEXES
    return True


def upgrade(engine: Engine, then: Callable[[Connection], None] | None = None) -> None:
    """Migrate ``engine``'s database to the newest revision, then run ``then`` (what Alembic
    cannot describe: the search index's FTS5 table, triggers, functions) under the same lock."""
    with sqlite_file_lock(engine, "migrate"), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        if current_revision(connection) != head_revision():
            # Alembic is imported only to migrate: at the head (every open but the first after
            # an upgrade), reading its table is all, and importing Alembic slows every command.
            from alembic import command

            command.upgrade(alembic_config(connection), "head")
        if then is not None:
            then(connection)


def current_revision(connection: Connection) -> str | None:
    """The database's revision (None: never migrated), as Alembic's ``MigrationContext``
    reads it: its table holds one row once a revision has run."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return rows[0] if len(rows) == 1 else None


@functools.cache
def head_revision() -> str | None:
    """The newest revision, by its file's name: the history is one line of ``vNNNN_*.py``
    files (``python -m aggregator.store.migrations revision`` names them so), and Alembic,
    which finds the head by loading every revision's file, is not imported when nothing is to
    migrate (tests/test_migrations.py checks that both agree)."""
    numbers = [
        match.group(1)
        for path in (HERE / "versions").iterdir()
        if (match := _REVISION_FILE.match(path.name))
    ]
    return max(numbers, default=None)
