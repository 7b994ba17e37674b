"""The store a crawler reads and writes, and the thread its writes run in.

``tinlaodong crawl`` opens the store once and hands it, with one :class:`StoreWriter`, to every
crawler it runs, as spider arguments (``store``, ``store_writer``: Scrapy makes a spider's
arguments its attributes, where its components find them through ``crawler.spider``). Opening
the store per site and per component (two opens a site, each a new engine, pool and
connections) was a large share of a re-crawl in which nothing had changed. A crawler given
neither (``scrapy crawl site -a site=ID``) opens its own in each component that needs it, and
that component closes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from scrapy import Spider
from scrapy.settings import BaseSettings

from aggregator.paths import data_dir
from aggregator.store import StoryStore, open_store

STORE_ARG = "store"
WRITER_ARG = "store_writer"

T = TypeVar("T")


class StoreWriter:
    """One thread that runs a crawl's store writes, in the order they come.

    Not the reactor's thread: most of a write is SQLite's C code and the disk, during which
    Python's GIL is released, so the downloads go on meanwhile. One thread keeps the writes in
    order and each store's connection in a single thread.
    """

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="tinlaodong-store")

    async def run(self, function: Callable[[], T]) -> T:
        """``function()`` in the writer thread, after the writes queued before it."""
        return await asyncio.wrap_future(self._thread.submit(function))

    def close(self) -> None:
        self._thread.shutdown()


def given_store(spider: Spider | None) -> tuple[StoryStore, StoreWriter] | None:
    """The store and writer the run handed ``spider``, if it handed them."""
    store = getattr(spider, STORE_ARG, None)
    writer = getattr(spider, WRITER_ARG, None)
    if isinstance(store, StoryStore) and isinstance(writer, StoreWriter):
        return store, writer
    return None


def own_store(settings: BaseSettings) -> StoryStore:
    """A store of the crawler's own, from its settings; the caller closes it."""
    return open_store(
        data_dir(settings.get("TINLAODONG_DATA_DIR") or None),
        settings.get("TINLAODONG_DATABASE_URL") or None,
    )
