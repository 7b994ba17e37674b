"""Opening the store. SQLite in WAL mode by default; any SQLAlchemy URL later (PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from aggregator.exceptions import StoreError
from aggregator.store.repository import StoryStore
from aggregator.store.schema import Base

DB_FILENAME = "tinlaodong.sqlite3"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / DB_FILENAME).resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the feed server read while a crawl writes; the timeout rides out a writer.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_store_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def open_store(data_dir: Path, url: str | None = None) -> StoryStore:
    """Open (creating if needed) the store under ``data_dir``."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create data directory {data_dir}: {exc.strerror}") from exc
    target = url or sqlite_url(data_dir)
    # Imported here, not at the top: the search package reads the store's tables, and its
    # tables must be on Base.metadata before create_all.
    from aggregator.search.schema import create_search_tables

    try:
        engine = create_store_engine(target)
        Base.metadata.create_all(engine)
        create_search_tables(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open store {target}: {exc.__class__.__name__}: {exc}") from exc
    return StoryStore(engine)
