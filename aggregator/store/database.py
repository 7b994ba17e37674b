"""Opening the store: SQLite in WAL mode under the data directory by default, PostgreSQL (or
any SQLAlchemy URL) when ``$TINLAODONG_DATABASE_URL`` or the caller names one. Opening migrates
the schema to the newest revision (``aggregator.store.migrations``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from aggregator.exceptions import StoreError
from aggregator.store.repository import StoryStore

DB_FILENAME = "tinlaodong.sqlite3"
DATABASE_URL_ENV = "TINLAODONG_DATABASE_URL"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / DB_FILENAME).resolve()}"


def database_url(data_dir: Path) -> str:
    """The store's URL: ``$TINLAODONG_DATABASE_URL``, else the SQLite file under ``data_dir``."""
    return os.environ.get(DATABASE_URL_ENV) or sqlite_url(data_dir)


def store_exists(data_dir: Path) -> bool:
    """Whether there may be stories to read: a database URL is set (a server's database is
    there to open), or the SQLite file under ``data_dir`` exists. Listing commands check this
    so as not to create an empty SQLite file just to list nothing."""
    return bool(os.environ.get(DATABASE_URL_ENV)) or (data_dir / DB_FILENAME).is_file()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the feed server read while a crawl writes; the timeout rides out a writer.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; a missing driver (``pip install 'tinlaodong[postgres]'``) is a
    StoreError naming it, not a traceback."""
    try:
        # pool_pre_ping: a server restarted under a long-running ``serve`` is reconnected to.
        engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    except ImportError as exc:
        extra = " (pip install 'tinlaodong[postgres]')" if url.startswith("postgres") else ""
        raise StoreError(f"no database driver for {_safe(url)}: {exc}{extra}") from exc
    except ArgumentError as exc:
        raise StoreError(f"bad database URL {_safe(url)}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


def open_store(data_dir: Path, url: str | None = None) -> StoryStore:
    """Open the store of ``data_dir`` (``url``, else :func:`database_url`), creating or
    migrating its schema if need be."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create data directory {data_dir}: {exc.strerror}") from exc
    target = url or database_url(data_dir)
    # Imported here, not at the top: the search package reads the store's tables, and its
    # tables must be on Base.metadata before the migrations compare against it.
    from aggregator.search.schema import create_search_tables

    # Alembic logs each step (and its plugins, on import) at INFO: not the CLI's lines.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from aggregator.store.migrations import upgrade

    engine = create_store_engine(target)
    try:
        upgrade(engine, then=create_search_tables)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot open store {_safe(target)}: {exc.__class__.__name__}: {exc}"
        ) from exc
    return StoryStore(engine)
