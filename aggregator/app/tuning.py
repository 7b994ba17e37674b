"""The crawl's tuning: process-wide settings that make a crawl cheaper, none of which changes
what it stores or publishes. Each is here because a benchmark showed it pays; the figures are
in docs/performance.md. ``TINLAODONG_TUNING=off`` in the environment turns them all off (to
measure them, or to rule them out when something looks wrong).

- The cyclic garbage collector (:func:`collector_tuned`, :func:`while_crawling`): at Python's
  default thresholds it scans the crawl's long-lived objects (modules, every crawler's settings
  and components) again and again. Raised thresholds from the command's start, and those
  objects frozen once the crawlers exist, leave it the pages and items it can free.
- glibc's malloc (:func:`return_large_blocks`, in the crawl and its extraction workers): it
  raises its mmap threshold each time a large block is freed, so after the first pages every
  page body, decoded text and extraction buffer comes from the heap arenas, which fragment and
  are not given back. A fixed threshold keeps large blocks in their own mappings, returned when
  freed; fewer arenas for the few threads a crawl has bound the rest.
- SQLite's page caches (:func:`while_crawling`, ``TINLAODONG_SQLITE_MEMORY``): each connection
  keeps its cache once filled, though in WAL mode a connection drops its cached pages whenever
  another one has written; a crawl has a connection or two per site at once. A soft heap limit
  makes SQLite reuse those pages instead.
- The extraction workers' fork server (:func:`stop_fork_server`): it outlives their pool,
  holding the modules it preloaded for them, whose pages nobody shares once the workers are
  gone, while the feeds are built.
- Scrapy's HTTP download handler imported at the crawl's start (:func:`downloader_imported`),
  where the stack is short: its import inspects the whole stack three times.
- The extraction workers forked from the crawl's process (:func:`workers_forked`), before it
  starts a thread: the fork server is a new interpreter that imports the extraction code and
  its libraries again, most of which the crawl's process has imported already (lxml, numpy,
  courlan...), a fixed cost of every crawl with pages to extract.
- A helper process for the feeds (:func:`feeds_helper`): rendering is pure Python, one core a
  process; a large rebuild is rendered partly beside the crawl's process.

The crawl calls these through plain hooks (``spiders.runner.run_crawl(while_crawling=...)``,
``ExtractionWorkers(setup=...)``): crawling does not import the application.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import importlib.util
import logging
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import TYPE_CHECKING

from aggregator.performance import enabled
from spiders.orphans import start_worker

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from spiders.extraction_workers import ExtractionWorkers

logger = logging.getLogger("tinlaodong.crawl")

SQLITE_MEMORY_SETTING = "TINLAODONG_SQLITE_MEMORY"

# The collector's thresholds while a crawl runs: the first generation's raised from 700, the
# others twice Python's. A full collection still comes often enough to free the pages held in
# reference cycles.
CRAWL_GC_THRESHOLDS = (10_000, 20, 20)

# mallopt parameters (malloc.h), and their values for a crawl.
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 64 * 1024
ARENA_MAX = 2


@contextlib.contextmanager
def collector_tuned() -> Iterator[None]:
    """:data:`CRAWL_GC_THRESHOLDS` inside the block (a crawl command, from its start: most of
    what it allocates first lives until it ends), the previous thresholds after it."""
    if not enabled():
        yield
        return
    thresholds = gc.get_threshold()
    gc.set_threshold(*CRAWL_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextlib.contextmanager
def while_crawling(settings: BaseSettings) -> Iterator[None]:
    """Around a crawl whose crawlers exist (``spiders.runner``'s hook): what exists by now is
    frozen for the collector, large blocks are returned, SQLite's caches are bounded; the
    collector and SQLite as they were after it (a long-lived process, the scheduler, collects
    the crawl's objects once they are garbage; publishing after a crawl reads much of the
    store)."""
    if not enabled():
        yield
        return
    return_large_blocks()
    with collector_tuned(), sqlite_memory_bounded(settings.getint(SQLITE_MEMORY_SETTING)):
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()


def downloader_imported() -> None:
    """Import Scrapy's HTTP download handler now, near the bottom of the stack: on import it
    makes three deprecated classes, each calling ``inspect.stack()``, whose cost grows with the
    depth of the stack (each frame's source file is looked up and read); the first crawler
    imports it from deep inside Twisted's callbacks."""
    if enabled():
        importlib.import_module("scrapy.core.downloader.handlers.http11")


def workers_forked(workers: ExtractionWorkers) -> bool:
    """Start ``workers`` now, forked from this process, if it has no other thread yet
    (:meth:`ExtractionWorkers.start_forked`); whether they were. Otherwise, or with the
    tuning off, they start from the fork server with the first page."""
    return enabled() and workers.start_forked()


def worker_setup() -> None:
    """An extraction worker's tuning (``ExtractionWorkers(setup=...)``): it parses every page,
    so its malloc too must give page buffers back."""
    if enabled():
        return_large_blocks()


def return_large_blocks() -> bool:
    """Set the process's malloc to map large blocks on their own, with few arenas (glibc
    only); whether it could. Blocks allocated earlier are unaffected."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return False
    done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_ARENA_MAX, ARENA_MAX)
    )
    if not done:
        logger.debug("malloc: mallopt refused; large blocks stay in the heap")
    return done


def sqlite_soft_heap_limit(limit: int) -> int | None:
    """Set the soft heap limit (bytes; 0: none) of the SQLite library Python's ``sqlite3``
    uses, for every connection of the process; the limit it had, or None if that library's
    functions cannot be reached (then nothing changes). A negative ``limit`` only reads it."""
    spec = importlib.util.find_spec("_sqlite3")
    if spec is None or spec.origin is None:
        return None
    try:
        # Through the extension module: its dependencies are searched too, so this is the
        # library it was linked with, not whichever one ctypes would find by name.
        function = ctypes.CDLL(spec.origin).sqlite3_soft_heap_limit64
    except (OSError, AttributeError):  # statically linked with hidden symbols: left as is
        return None
    function.restype = ctypes.c_int64
    function.argtypes = [ctypes.c_int64]
    return int(function(limit))


@contextlib.contextmanager
def sqlite_memory_bounded(limit: int) -> Iterator[None]:
    """SQLite's soft heap limit at ``limit`` for the block, then as it was."""
    previous = sqlite_soft_heap_limit(limit)
    try:
        yield
    finally:
        if previous is not None:
            sqlite_soft_heap_limit(previous)


@contextlib.contextmanager
def feeds_helper() -> Iterator[Executor | None]:
    """A process that renders part of a large feed rebuild beside this one (``write_feeds``),
    stopped at the end of the block; None with the tuning off, or where this process may run
    on one CPU only (the helper would take turns with it)."""
    if not enabled() or _usable_cpus() < 2:
        yield None
        return
    stop_fork_server()  # its preloads are set when it starts: these, not the extraction's
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["feeds.writer"])
    pool = ProcessPoolExecutor(
        1, mp_context=context, initializer=start_worker, initargs=(os.getpid(),)
    )
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)
        stop_fork_server()


def stop_fork_server() -> None:
    """Stop this process's fork server, if it runs, once the pools it forked for are shut down
    (a later pool starts another). ``_stop`` is CPython's own (its tests use it; there is no
    public way): a Python without it keeps its server, as with the tuning off."""
    if not enabled():
        return
    stop = getattr(multiprocessing.forkserver._forkserver, "_stop", None)
    if callable(stop):
        stop()


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):  # Linux: the CPUs this process may run on
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
