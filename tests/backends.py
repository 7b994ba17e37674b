"""The store's tests on each backend: SQLite (a file under tmp_path) and PostgreSQL (a fresh
database per test, made from the ``test`` database and dropped after).

A test module opts in with ``from tests.backends import backend`` and the fixture on its tests
(``pytestmark = pytest.mark.usefixtures("backend")``); the fixture sets
``$TINLAODONG_DATABASE_URL``, so ``open_store(tmp_path)`` and the ``tinlaodong`` subprocesses of
the test use the backend. ``@sqlite_only`` keeps a test that reads the SQLite file itself on
SQLite alone.

Where PostgreSQL is not running (or psycopg is not installed) its cases skip, saying why; with
``CI=true`` they fail instead: CI starts the service, so its absence is a broken run.
``$TINLAODONG_TEST_PG_URL`` names the server (default: postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import weakref
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Connection, Engine

ENV = "TINLAODONG_DATABASE_URL"
ADMIN_URL = os.environ.get(
    "TINLAODONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")

sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@functools.cache
def _admin() -> Engine | str:
    """An autocommit engine on the admin database, or why there is none."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[dev]')"
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "not running"
        engine.dispose()
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL is not reachable at {ADMIN_URL}: {reason}"
    return engine


def postgres_admin() -> Engine:
    """The admin engine; skips the test (fails it under CI=true) without PostgreSQL."""
    admin = _admin()
    if isinstance(admin, str):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {admin}", pytrace=False)
        pytest.skip(admin)
    return admin


@contextlib.contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the server; its URL. Dropped afterwards, connections or not."""
    admin = postgres_admin()
    name = f"tld_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """"sqlite" or "postgresql", with ``$TINLAODONG_DATABASE_URL`` set to match."""
    if request.param == "sqlite":
        monkeypatch.delenv(ENV, raising=False)
        yield "sqlite"
        return
    with fresh_postgres_database() as url, _disposing_engines():
        monkeypatch.setenv(ENV, url)
        yield "postgresql"


@contextlib.contextmanager
def _disposing_engines() -> Iterator[None]:
    """Close the pooled connections of the engines the test made (tests leave their stores
    open; psycopg warns of a connection left to the garbage collector)."""
    engines: weakref.WeakSet[Engine] = weakref.WeakSet()

    def seen(connection: Connection) -> None:
        engines.add(connection.engine)

    event.listen(Engine, "engine_connect", seen)
    try:
        yield
    finally:
        event.remove(Engine, "engine_connect", seen)
        for engine in list(engines):
            engine.dispose()

