"""The processes that turn fetched pages into articles.

Extraction is CPU-bound pure Python: in the reactor's thread it would hold the GIL and stall
the downloads, and threads would not help. So it runs in worker processes
(``TINLAODONG_EXTRACT_WORKERS``, default one per CPU; 0: in the reactor's thread).

``tinlaodong crawl`` makes one :class:`ExtractionWorkers` for all its crawlers and stops it
after the crawl (``aggregator.app.crawl_job``); a crawler started without one
(``scrapy crawl site``) makes its own in its pipeline.

Each page has a CPU deadline (``TINLAODONG_EXTRACT_DEADLINE``), kept in the worker
(:mod:`aggregator.cpu_limit`); a worker that does not answer well past it (stuck in a long call
into C) is killed with its pool, a new pool takes the pages that were under way on it, and the
page is given up as ``extract_timeout``. The pages a pool is sent are at most two a worker (one
under way, one ready for when it is done), so a page's wait for an answer is its extraction's
and at most one other's, not a queue's.

The workers come from a fork server that has imported the extraction code once: a crawl's
process has threads, which a plain fork would copy mid-flight. A crawl can instead start them
before its first thread (:meth:`ExtractionWorkers.start_forked`), forked from its own process,
which has imported most of what they need already; a pool started later (one that replaced a
killed one) comes from the fork server. They exit with the crawl's process, however it ends
(:mod:`spiders.orphans`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from types import TracebackType
from typing import TYPE_CHECKING

from aggregator.extraction_faults import EXTRACT_TIMEOUT, WORKER_DIED
from aggregator.extraction_task import extract_outcome
from spiders.orphans import start_worker

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from aggregator.extraction import Outcome

WORKERS_SETTING = "TINLAODONG_EXTRACT_WORKERS"
DEADLINE_SETTING = "TINLAODONG_EXTRACT_DEADLINE"
# What the fork server imports once for every worker it forks.
PRELOAD = ["aggregator.extraction", "aggregator.store.bodyprint", "dateparser"]


@contextlib.contextmanager
def _deaf() -> Iterator[None]:
    """SIGINT and SIGTERM ignored in the block (main thread only), as they were after it."""
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _start_fork_server_deaf() -> None:
    """Start the fork server with SIGINT and SIGTERM ignored, which it and the workers it forks
    inherit: a Ctrl-C in the terminal (or the scheduler's SIGTERM) reaches the whole process
    group, and the fork server, still importing the extraction code, died of it with a
    traceback. The crawl handles those signals and stops gracefully; its workers end with it
    (:mod:`spiders.orphans`), and the fork server when its last worker has."""
    if threading.current_thread() is not threading.main_thread():
        return  # handlers are set in the main thread only; the server starts on first use
    with _deaf():
        forkserver.ensure_running()


class ExtractionWorkers:
    """``count`` extraction processes (0: extract in the calling thread), started on first
    use and stopped by :meth:`close`. ``setup``: a module-level function each worker runs
    first (it is sent to the worker by name). ``cpu_deadline``: the seconds of CPU a page may
    take (None or 0: no limit); ``wall_margin``: the seconds a worker has beyond six times
    that to answer before it is replaced (:attr:`wall_limit`)."""

    def __init__(
        self,
        count: int,
        setup: Callable[[], object] | None = None,
        cpu_deadline: float | None = None,
        wall_margin: float = 10.0,
    ) -> None:
        self.count = max(0, count)
        self.setup = setup
        self.cpu_deadline = cpu_deadline or None
        self.wall_margin = wall_margin
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        # The pages sent to the pool, bounded in each event loop that sends them (a semaphore
        # belongs to one loop; a process may run one crawl after another, each in its own).
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    @classmethod
    def from_settings(
        cls, settings: BaseSettings, setup: Callable[[], object] | None = None
    ) -> ExtractionWorkers:
        value = settings.get(WORKERS_SETTING)
        count = (os.cpu_count() or 1) if value in (None, "") else int(value)
        return cls(count, setup, settings.getfloat(DEADLINE_SETTING))

    @property
    def wall_limit(self) -> float | None:
        """Seconds a worker has to answer for a page before it is replaced: a worker shares
        the cores with the crawl and the other workers, so its wall time can be a few times
        its CPU time, and the page may wait for another one first; the CPU deadline in the
        worker is what normally ends a page."""
        return 6 * self.cpu_deadline + self.wall_margin if self.cpu_deadline else None

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

    def start_forked(self) -> bool:
        """Start the workers now, forked from this process, if that is safe: it runs no other
        thread (a fork copies only the calling thread, and a lock another one held stays
        held in the child), and this is the main thread (for the signals). The extraction's
        modules are imported here first; the workers share them, and whatever else this
        process imported, instead of a fork server importing them all again. Whether it
        started them; if not, nothing changed (the pool starts from the fork server on
        first use, as it does anyway after a pool was replaced)."""
        main = threading.main_thread()
        if self._pool is not None or self._closed or not self.count:
            return False
        if threading.current_thread() is not main or threading.active_count() > 1:
            return False
        if sys.version_info >= (3, 12):
            # Python 3.12 deprecates fork() beside any other thread, C threads included, and
            # the extraction's numpy starts one (OpenBLAS's pool, whose fork handlers make it
            # safe to fork: Python 3.11 does not object).
            return False
        if "fork" not in multiprocessing.get_all_start_methods():
            return False
        for name in PRELOAD:
            importlib.import_module(name)
        # Frozen for the workers' collector: scanning what they inherit would write to every
        # page of it (the objects' collector headers), each worker its own copy. The workers
        # ignore SIGINT and SIGTERM from the start (see _start_fork_server_deaf). What someone
        # else froze stays frozen.
        frozen_before = gc.get_freeze_count()
        gc.freeze()
        try:
            with _deaf():
                pool = ProcessPoolExecutor(
                    self.count,
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=start_worker,
                    initargs=(os.getpid(), self.setup),
                )
                # The first task forks every worker, before the pool's own thread starts.
                pool.submit(os.getpid).result()
        finally:
            if not frozen_before:
                gc.unfreeze()
        self._pool = pool
        return True

    def started(self) -> Executor | None:
        """The pool if it has been started (and not closed): the search index folds and tags
        the new stories in it too, without starting workers for that alone."""
        return self._pool

    async def extract(
        self, body: bytes, url: str, profile: str | None, http_charset: str | None
    ) -> Outcome:
        """One page's outcome (``aggregator.extraction_task``), from a worker if there are
        any."""
        args = (body, url, profile, http_charset, self.cpu_deadline)
        if self.pool() is None:
            return extract_outcome(*args)
        async with self._slots_of(asyncio.get_running_loop()):
            # A page under way when its pool broke (another page's worker killed, or one that
            # died) is sent again to the new pool, once.
            for _attempt in range(2):
                pool = self.pool()
                if pool is None:  # closed meanwhile
                    return extract_outcome(*args)
                future = pool.submit(extract_outcome, *args)
                try:
                    return await asyncio.wait_for(asyncio.wrap_future(future), self.wall_limit)
                except TimeoutError:
                    self._replace(pool)
                    reason = f"the extraction worker did not answer in {self.wall_limit:g} s"
                    return None, None, reason, 0.0, EXTRACT_TIMEOUT
                except BrokenProcessPool:
                    self._replace(pool)
            return None, None, "the extraction worker died twice on this page", 0.0, WORKER_DIED

    def _slots_of(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(2 * self.count)
        return slots

    def _replace(self, pool: Executor) -> None:
        """Kill ``pool``'s workers (its pages under way fail, and are sent again); the next
        page starts a new pool."""
        if self._pool is not pool:
            return  # replaced already, by another page of the same pool
        self._pool = None
        # ProcessPoolExecutor kills no worker of its own (Python 3.14 adds kill_workers()).
        processes = getattr(pool, "_processes", None) or {}
        for process in list(processes.values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

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
