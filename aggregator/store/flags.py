"""Flags: named marks the store keeps about itself, each set or not (the ``store_flags``
table). A crawl of a site in progress: the next crawl that finds its predecessor's flag knows
it was killed or stopped halfway, and must not trust "older pages are stored" to cut its
pagination short. The near-duplicate index complete for a sketch version: see
``dedup.ArticleWriter.index_complete``."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from aggregator.store.schema import StoreFlag

_IS_SET = select(StoreFlag.name).where(StoreFlag.name == bindparam("name"))
_SET = insert(StoreFlag)
_CLEAR = delete(StoreFlag).where(StoreFlag.name == bindparam("name"))


def crawl_flag(site_id: str) -> str:
    return f"crawl-in-progress/{site_id}"


def index_flag(sketch_version: str) -> str:
    return f"near-duplicate-index/{sketch_version}"


def is_set(conn: Connection, name: str) -> bool:
    return conn.execute(_IS_SET, {"name": name}).first() is not None


def set_flag(conn: Connection, name: str) -> None:
    """Set ``name``, which is not set (in ``conn``'s transaction)."""
    conn.execute(_SET, {"name": name, "set_at": datetime.now(UTC).replace(tzinfo=None)})


class Flags:
    """The flags of a crawl, each in a transaction of its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def begin_crawl(self, site_id: str) -> bool:
        """Flag a crawl of ``site_id`` as running; True if the previous one never finished."""
        name = crawl_flag(site_id)
        with self.engine.begin() as conn:
            if is_set(conn, name):
                return True
        try:
            with self.engine.begin() as conn:
                set_flag(conn, name)
        except IntegrityError:
            pass  # another process (a worker on the same site) began it just now
        return False

    def end_crawl(self, site_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(_CLEAR, {"name": crawl_flag(site_id)})
