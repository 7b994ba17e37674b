"""The processes that turn fetched pages into articles.

Extraction is CPU-bound pure Python: in the reactor's thread it would hold the GIL and stall
the downloads, and threads would not help. So it runs in worker processes
(``TINLAODONG_EXTRACT_WORKERS``, default one per CPU; 0: in the reactor's thread).

``tinlaodong crawl`` makes one :class:`ExtractionWorkers` for all its crawlers and stops it
after the crawl (``aggregator.app.crawl_job``); a crawler started without one
(``scrapy crawl site``) makes its own in its pipeline.

The workers come from a fork server that has imported the extraction code once: a crawl's
process has threads, which a plain fork would copy mid-flight. They exit with the crawl's
process, however it ends (:mod:`spiders.orphans`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import forkserver
from types import TracebackType
from typing import TYPE_CHECKING

from aggregator.extraction_task import extract_outcome
from spiders.orphans import start_worker

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from aggregator.extraction import Outcome

WORKERS_SETTING = "TINLAODONG_EXTRACT_WORKERS"
# What the fork server imports once for every worker it forks.
PRELOAD = ["aggregator.extraction", "aggregator.store.bodyprint", "dateparser"]


def _start_fork_server_deaf() -> None:
    """Start the fork server with SIGINT and SIGTERM ignored, which it and the workers it forks
    inherit: a Ctrl-C in the terminal (or the scheduler's SIGTERM) reaches the whole process
    group, and the fork server, still importing the extraction code, died of it with a
    traceback. The crawl handles those signals and stops gracefully; its workers end with it
    (:mod:`spiders.orphans`), and the fork server when its last worker has."""
    if threading.current_thread() is not threading.main_thread():
        return  # handlers are set in the main thread only; the server starts on first use
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        forkserver.ensure_running()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


class ExtractionWorkers:
    """``count`` extraction processes (0: extract in the calling thread), started on first
    use and stopped by :meth:`close`. ``setup``: a module-level function each worker runs
    first (it is sent to the worker by name)."""

    def __init__(self, count: int, setup: Callable[[], object] | None = None) -> None:
        self.count = max(0, count)
        self.setup = setup
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False

    @classmethod
    def from_settings(
        cls, settings: BaseSettings, setup: Callable[[], object] | None = None
    ) -> ExtractionWorkers:
        value = settings.get(WORKERS_SETTING)
        count = (os.cpu_count() or 1) if value in (None, "") else int(value)
        return cls(count, setup)

    def pool(self) -> Executor | None:
        """The workers' pool, started on first use; None without workers or once closed."""
        if self._pool is None and self.count and not self._closed:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self._pool = ProcessPoolExecutor(
                self.count,
                mp_context=context,
                initializer=start_worker,
                initargs=(os.getpid(), self.setup),
            )
            _start_fork_server_deaf()
        return self._pool

    def started(self) -> Executor | None:
        """The pool if it has been started (and not closed): the search index folds and tags
        the new stories in it too, without starting workers for that alone."""
        return self._pool

    async def extract(
        self, body: bytes, url: str, profile: str | None, http_charset: str | None
    ) -> Outcome:
        """One page's outcome (``aggregator.extraction_task``), from a worker if there are
        any."""
        pool = self.pool()
        if pool is None:
            return extract_outcome(body, url, profile, http_charset)
        future = pool.submit(extract_outcome, body, url, profile, http_charset)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Stop the workers (waiting for the pages they have); a closed pool starts no new
        ones."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown()

    def __enter__(self) -> ExtractionWorkers:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()
