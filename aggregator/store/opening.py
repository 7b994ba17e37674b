"""Opening the store: creating or migrating its schema to the newest revision
(``aggregator.store.migrations``), with one line saying what is wrong when it cannot."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from aggregator.exceptions import ConfigError, StoreError
from aggregator.store.database import (
    DB_FILENAME,
    create_store_engine,
    database_url,
    one_line,
    safe_url,
    store_exists,
)
from aggregator.store.repository import StoryStore
from aggregator.store.search_schema import create_search_tables


def _sqlite_directory_missing(engine: Engine) -> Path | None:
    """The directory an SQLite file URL points into, if it does not exist (SQLite would only
    say "unable to open database file")."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    parent = Path(database).expanduser().absolute().parent
    return None if parent.is_dir() else parent


def require_store(data_dir: Path) -> None:
    """For commands that read the store: none in ``data_dir`` (and no database URL) is a
    mistyped ``--data-dir`` or nothing crawled yet, said in one line; opening it would create
    an empty store and show nothing, as if there were no stories."""
    if not store_exists(data_dir):
        raise ConfigError(
            f"no store in {data_dir} (no {DB_FILENAME} there): check --data-dir, or crawl first"
        )


def open_store(data_dir: Path, url: str | None = None) -> StoryStore:
    """Open the store of ``data_dir`` (``url``, else :func:`database_url`), creating or
    migrating its schema if need be."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create data directory {data_dir}: {exc.strerror}") from exc
    target = url or database_url(data_dir)
    # Alembic logs each step (and its plugins, on import) at INFO: not the CLI's lines.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Imported when a store is opened: the extraction workers import this package for its
    # body prints and need no Alembic.
    from aggregator.store.migrations import upgrade

    engine = create_store_engine(target)
    missing = _sqlite_directory_missing(engine)
    if missing is not None:
        engine.dispose()
        raise StoreError(f"cannot open store {safe_url(target)}: no directory {missing}")
    try:
        upgrade(engine, then=create_search_tables)
    except (SQLAlchemyError, OSError) as exc:
        engine.dispose()
        raise StoreError(f"cannot open store {safe_url(target)}: {one_line(exc)}") from exc
    return StoryStore(engine)
