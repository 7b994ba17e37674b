"""Turn a fetched page into an Article with the site's page objects and trafilatura.

Extraction is CPU-bound pure Python: in the reactor's thread it would hold the GIL and stall
the downloads, and threads would not help. So it runs in worker processes
(``TINLAODONG_EXTRACT_WORKERS``, default one per CPU; 0: in the reactor's thread), one pool
shared by every crawler of the process and kept for its life. The stats are counted here, in
the crawl's process, the same either way; ``tinlaodong/time/extract_cpu_us`` adds up the
workers' CPU microseconds spent extracting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from aggregator.extraction_task import extract_outcome
from spiders.items import PageItem
from spiders.orphans import start_worker

logger = logging.getLogger("tinlaodong.crawl")

_POOLS: dict[int, Executor] = {}


def shared_pool(workers: int) -> Executor:
    """The process's pool of ``workers`` extraction processes, started on first use.

    Workers come from a fork server that has imported the extraction code once: a crawl's
    process has threads, which a plain fork would copy mid-flight.
    """
    pool = _POOLS.get(workers)
    if pool is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(
            ["aggregator.extraction", "aggregator.store.bodyprint", "dateparser"]
        )
        # The workers parse every page: their malloc, too, must give page buffers back. And
        # they exit with this process, even killed (spiders.orphans).
        pool = _POOLS[workers] = ProcessPoolExecutor(
            workers, mp_context=context, initializer=start_worker, initargs=(os.getpid(),)
        )
    return pool


def started_pool() -> Executor | None:
    """The extraction pool this process started, if any: publishing after the crawl indexes
    the new stories in it too."""
    return next(iter(_POOLS.values()), None)


def stop_pools() -> None:
    """Stop the extraction workers (the next crawl of this process starts new ones): the feeds
    are built after the index, and the workers' memory is not needed meanwhile."""
    if not _POOLS:
        return
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.shutdown()
    _stop_fork_server()


@contextlib.contextmanager
def feeds_pool() -> Iterator[Executor | None]:
    """One worker process that renders part of the feeds after the crawl (``write_feeds``),
    from a fork server of its own that has imported the feed code: started only if the feeds
    need it, stopped with its fork server at the end of the block. None where this process may
    run on one CPU only: the helper would take turns with it. Call it after
    :func:`stop_pools`: a process has one fork server, whose preloads are set when it starts."""
    if _usable_cpus() < 2:
        yield None
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["feeds.writer"])
    pool = ProcessPoolExecutor(
        1, mp_context=context, initializer=start_worker, initargs=(os.getpid(),)
    )
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)
        _stop_fork_server()


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):  # Linux: the CPUs this process may run on
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _stop_fork_server() -> None:
    """Stop the fork server too: it outlives its pools, holding the preloaded modules (60 MB
    PSS once the workers that shared its pages are gone) while the feeds are built. A later pool
    starts another (``ensure_running``). ``_stop`` is CPython's own (its tests use it); a
    Python without it keeps its server."""
    stop = getattr(multiprocessing.forkserver._forkserver, "_stop", None)
    if callable(stop):
        stop()


class ExtractArticlePipeline:
    def __init__(self, crawler: Crawler, workers: int) -> None:
        self.crawler = crawler
        self.workers = workers
        # For site health: many pages under one title means the title selector broke.
        self.titles: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractArticlePipeline:
        workers = crawler.settings.get("TINLAODONG_EXTRACT_WORKERS")
        count = (os.cpu_count() or 1) if workers in (None, "") else int(workers)
        return cls(crawler, max(0, count))

    async def process_item(self, item: PageItem) -> PageItem:
        args = (item.body, item.url, item.profile, item.http_charset)
        if self.workers:
            future = shared_pool(self.workers).submit(extract_outcome, *args)
            article, bodyprint, reason, cpu = await asyncio.wrap_future(future)
        else:
            article, bodyprint, reason, cpu = extract_outcome(*args)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("tinlaodong/time/extract_cpu_us", round(1e6 * cpu))
        if article is None:
            stats.inc_value("tinlaodong/extract_failed")
            stats.inc_value("tinlaodong/page_errors")
            logger.warning("site %s: no article at %s: %s", item.site_id, item.url, reason)
            raise DropItem(f"no article at {item.url}")
        item.article, item.bodyprint = article, bodyprint
        stats.inc_value("tinlaodong/extracted")
        stats.inc_value("tinlaodong/body_chars", len(article.text))
        if article.published is not None:
            stats.inc_value("tinlaodong/with_date")
        self.titles.add(article.title or "")
        stats.set_value("tinlaodong/distinct_titles", len(self.titles))
        return item
