"""Give freed page buffers back to the system during a long crawl, and bound SQLite's caches.

glibc's malloc raises its mmap threshold each time a large block is freed, so after the first
pages every 30-120 KB body, decoded text and extraction buffer comes from the heap arenas, which
fragment and are not returned: a 12-site crawl's resident set grew to 490 MB and stayed there,
while the live Python objects never passed 150 MB (tracemalloc). A fixed threshold keeps large
blocks in their own mappings, freed back to the system; fewer arenas for the few threads a crawl
has (reactor, store writer, extraction pool's manager) bound the rest.

SQLite keeps each connection's page cache (2 MB by default) allocated once filled, though in WAL
mode a connection drops its cached pages whenever another one has written: a crawl of 16 sites
at once has ~34 connections (each site's spider and store pipeline, the indexer), which held
25-40 MB that bought nothing. A soft heap limit makes SQLite reuse those pages instead.

Python's cyclic garbage collector, at its default thresholds, scans the crawl's long-lived
objects over and over while the crawl starts; :func:`collector_tuned` runs it less often.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import importlib.util
import logging
from collections.abc import Iterator

logger = logging.getLogger("tinlaodong.crawl")

# mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 64 * 1024
ARENA_MAX = 2


def return_large_blocks() -> bool:
    """Set the process's malloc to map blocks of 64 KB and more on their own (glibc only);
    whether it could. Called before the crawl's first page; earlier blocks are unaffected."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
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
    """SQLite's soft heap limit at ``limit`` for the block (a crawl), then as it was: what
    runs after a crawl (publishing) reads much of the store."""
    previous = sqlite_soft_heap_limit(limit)
    try:
        yield
    finally:
        if previous is not None:
            sqlite_soft_heap_limit(previous)


# The collector's thresholds while a crawl starts and runs: the first one raised from 700,
# the others twice Python's. Starting a crawl allocates a few hundred thousand long-lived objects
# (modules, 60 crawlers' settings and components), and at 700 the collector scans them again
# and again (a few percent of a crawl that finds nothing new). During the crawl, a full collection
# every 4 million allocations still frees the pages held in reference cycles (memory_bench).
CRAWL_GC_THRESHOLDS = (10_000, 20, 20)


@contextlib.contextmanager
def collector_tuned() -> Iterator[None]:
    """:data:`CRAWL_GC_THRESHOLDS` inside the block, the previous thresholds after it."""
    thresholds = gc.get_threshold()
    gc.set_threshold(*CRAWL_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
