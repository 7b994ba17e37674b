"""Indexing the new stories while a crawl is still storing them.

A crawl of thousands of new stories spent a large share of its time after the last page,
indexing them (SQLite's FTS5 inserts). Most of it can run meanwhile: the crawl
leaves CPU idle while it waits on the network and the extraction workers, and SQLite releases
the GIL while it inserts. A thread indexes, every few seconds, the stories stored since the
crawl began (a range of ids: no pass over an old store's stories); the refresh after the crawl
then finds only the last few, and those updated in place.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from types import TracebackType

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from aggregator.search.index import last_story_id, refresh_index

logger = logging.getLogger("tinlaodong.search")
INTERVAL = 5.0  # seconds between rounds: a round's stories make a few full batches


class IndexAlongside:
    """``with IndexAlongside(engine, pool): crawl()``: index new stories in a thread meanwhile.

    ``pool``: called each round for the extraction workers to fold and tag in (a crawl starts
    them with its first page; None: in the thread).
    """

    def __init__(
        self,
        engine: Engine,
        pool: Callable[[], Executor | None] = lambda: None,
        interval: float = INTERVAL,
    ) -> None:
        self.engine = engine
        self.pool = pool
        self.interval = interval
        self.indexed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-alongside", daemon=True)
        self._after = 0

    def __enter__(self) -> IndexAlongside:
        self._after = last_story_id(self.engine)
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        if self.indexed:
            logger.info(
                "indexed %d %s for search during the crawl",
                self.indexed,
                "story" if self.indexed == 1 else "stories",
            )

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.indexed += refresh_index(
                    self.engine, pool=self.pool(), after=self._after, report=False
                )
            except (SQLAlchemyError, OSError, RuntimeError) as exc:
                # RuntimeError: the pool shut down under us. The refresh after the crawl
                # indexes what this one could not.
                logger.warning("indexing during the crawl stopped: %s", str(exc).splitlines()[0])
                return
