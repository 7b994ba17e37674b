"""Schema migrations (Alembic): the store's tables are made and changed only here.

:func:`upgrade` brings a database to the newest revision: an empty one gets every table, one
made by ``create_all`` before migrations existed gets what it lacks (the first revisions create
only absent tables), one made by an older release gets the revisions since. One process at a
time migrates a database (PostgreSQL: an advisory lock; SQLite: a lock file beside it), so
workers starting together do not race.

After changing ``aggregator/store/schema.py`` (or ``aggregator/search/schema.py``)::

    .venv/bin/python -m aggregator.store.migrations revision -m "what changed"

writes ``versions/vNNNN_what_changed.py`` with the differences found (review it).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

import aggregator.search.schema as search_schema
from aggregator.store.schema import Base

HERE = Path(__file__).resolve().parent
TARGET = Base.metadata
# Objects Alembic must neither compare nor drop: made by ``create_search_tables`` (FTS5 and its
# shadow tables, the PostgreSQL text-search indexes) or owned by the scheduler.
UNMANAGED_PREFIXES = (search_schema.FTS_TABLE, "scheduler_jobs", "scheduled_runs")
# Any fixed number: the key of the advisory lock that serialises migrations on PostgreSQL.
PG_LOCK_KEY = 0x746C64_0001


def alembic_config(connection: Connection | None = None) -> Config:
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
    with _sqlite_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        if MigrationContext.configure(connection).get_current_revision() != head_revision():
            command.upgrade(alembic_config(connection), "head")
        if then is not None:
            then(connection)


@functools.cache
def head_revision() -> str | None:
    """The newest revision. Alembic finds it by loading every revision's file, which took
    most of opening a store: a crawl opens one per site and component, all at the head."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@contextlib.contextmanager
def _sqlite_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    fd = os.open(f"{database}.migrate.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
