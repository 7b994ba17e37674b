"""The store's database: SQLite in WAL mode under the data directory by default, PostgreSQL
(or any SQLAlchemy URL) when ``$TINLAODONG_DATABASE_URL`` or the caller names one; its engines
and their errors. ``aggregator.store.opening`` opens a store on one."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError

from aggregator.exceptions import StoreError

DB_FILENAME = "tinlaodong.sqlite3"
DATABASE_URL_ENV = "TINLAODONG_DATABASE_URL"
# How long an SQLite writer waits for another one (ms); a URL's ``?timeout=SECONDS`` overrides it.
BUSY_TIMEOUT_MS = 10_000


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


WAL_CHECKPOINT_PAGES = 10_000


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets the feed server read while a crawl writes; the timeout rides out a writer.
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit per article
        # no longer waits for the disk (it was most of a crawl's store time). A crash of the
        # process loses nothing; a power cut may lose the last commits, which the next crawl
        # fetches again (their pages' validators go with them), and never corrupts the file.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # ...so the checkpoints' syncs are the commits' cost: at SQLite's 1,000 pages one came
        # every few articles, each writing back pages scattered over the near-duplicate index,
        # a large share of an article's store time (docs/performance.md, bench/scale_bench.py).
        # A WAL ten times longer syncs a tenth as often.
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; a missing driver (``pip install 'tinlaodong[postgres]'``) is a
    StoreError naming it, not a traceback."""
    try:
        # pool_pre_ping: a server restarted under a long-running ``serve`` is reconnected to.
        engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    except ImportError as exc:
        extra = " (pip install 'tinlaodong[postgres]')" if url.startswith("postgres") else ""
        raise StoreError(f"no database driver for {safe_url(url)}: {exc}{extra}") from exc
    except (ArgumentError, ValueError) as exc:  # ValueError: a query option of a bad type
        raise StoreError(
            f"bad database URL {safe_url(url)}: {exc} (expected e.g. sqlite:///PATH or "
            "postgresql://USER@HOST/DB)"
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(_busy_timeout_ms(url)))
    return engine


def _busy_timeout_ms(url: str) -> int:
    """``?timeout=SECONDS`` of an SQLite URL (SQLAlchemy passes it to sqlite3 too, but the
    pragma set on connecting would override it), else :data:`BUSY_TIMEOUT_MS`."""
    value = make_url(url).query.get("timeout")
    # create_engine has checked that it is a number.
    return round(1000 * float(value)) if isinstance(value, str) else BUSY_TIMEOUT_MS


def one_line(exc: BaseException) -> str:
    """The first line of a database error, with the driver's own message rather than
    SQLAlchemy's wrapping (SQL statement, parameters, "Background on this error" link)."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__


def safe_url(url: str) -> str:
    """``url`` without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


@contextlib.contextmanager
def sqlite_file_lock(engine: Engine, purpose: str) -> Iterator[None]:
    """An exclusive lock file beside ``engine``'s SQLite file (``<file>.<purpose>.lock``), held
    for the block: processes sharing the file take turns. Nothing for other databases (they
    have locks of their own) or an in-memory one."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    fd = os.open(f"{database}.{purpose}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
