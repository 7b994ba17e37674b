"""Requests on lease: a worker killed mid-crawl loses none of the requests it had taken.

scrapy-redis pops a request off the shared queue and forgets it: a worker killed with the
request in its downloader, or its article half-way through extraction, loses it for the round
(the dupefilter has seen it, no other worker will queue it again). Here a pop moves the
request, in one atomic step, from the queue to the worker's *lease* hash
(``<queue>:lease:<worker>``); the worker returns the lease once the response has been handled
to the end (every item it produced stored, dropped or failed). When a worker's liveness key
has expired (killed, machine gone), any other worker of the site moves its leases back to the
queue, where the next free worker takes them.

This is at-least-once: a request whose article was stored just before the kill is fetched
again, and the store keeps that article once (its URL is already there). A request whose
download failed for good is returned when the worker goes idle (nothing left in its
downloader or pipelines), rather than tracked through every error path.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_redis.queue import PriorityQueue

logger = logging.getLogger("tinlaodong.worker")

# Where a leased request carries its lease (the queue entry it was popped as).
LEASE_META = "tinlaodong_lease"
WORKER_SETTING = "TINLAODONG_WORKER_ID"

# Pop the first entry of the sorted set and file it, with its score, under the worker's lease.
_POP = """
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return false end
redis.call('ZREM', KEYS[1], first[1])
redis.call('HSET', KEYS[2], first[1], first[2])
return first[1]
"""

# Move every lease of a worker back to the queue, atomically: two workers recovering the
# same dead one at once requeue each request once.
_REQUEUE = """
local leased = redis.call('HGETALL', KEYS[1])
for i = 1, #leased, 2 do
  redis.call('ZADD', KEYS[2], leased[i + 1], leased[i])
end
redis.call('DEL', KEYS[1])
return #leased / 2
"""


def lease_key(queue_key: str, worker: str) -> str:
    return f"{queue_key}:lease:{worker}"


def live_key(queue_key: str, worker: str) -> str:
    return f"{queue_key}:live:{worker}"


class LeasedPriorityQueue(PriorityQueue):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis' priority queue whose pop leases the request to this worker."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        crawler = getattr(spider, "crawler", None)
        worker = crawler.settings.get(WORKER_SETTING) if crawler is not None else None
        if not worker:
            raise ValueError(f"{WORKER_SETTING} is not set: the lease needs the worker's name")
        self.worker = str(worker)
        self.lease = lease_key(self.key, self.worker)
        self._pop = server.register_script(_POP)

    def push(self, request: Request) -> None:
        # A redirect or retry copies the meta of the leased request it came from; the new
        # entry gets a lease of its own when popped.
        request.meta.pop(LEASE_META, None)
        super().push(request)

    def pop(self, timeout: int = 0) -> Request | None:
        data = self._pop(keys=[self.key, self.lease])
        if not data:
            return None
        request: Request = self._decode_request(data)
        request.meta[LEASE_META] = data
        return request


def requeue_leases(server: Any, queue_key: str, worker: str) -> int:
    """Move the leases of ``worker`` back to the queue; how many there were."""
    script = server.register_script(_REQUEUE)
    return int(script(keys=[lease_key(queue_key, worker), queue_key]))


def recover_dead_workers(server: Any, queue_key: str, me: str) -> int:
    """Requeue the leases of every other worker of the queue whose liveness key has expired."""
    moved = 0
    prefix = f"{queue_key}:lease:"
    for raw in server.scan_iter(match=f"{prefix}*", count=100):
        key = raw.decode() if isinstance(raw, bytes) else str(raw)
        worker = key[len(prefix) :]
        if worker == me or server.exists(live_key(queue_key, worker)):
            continue
        count = requeue_leases(server, queue_key, worker)
        if count:
            logger.warning(
                "%s: worker %s stopped with %d request(s) in hand; queued again",
                queue_key,
                worker,
                count,
            )
        moved += count
    return moved


def others_leased(server: Any, queue_key: str, me: str) -> int:
    """How many requests other workers of the queue hold on lease (live or not)."""
    prefix = f"{queue_key}:lease:"
    total = 0
    for raw in server.scan_iter(match=f"{prefix}*", count=100):
        key = raw.decode() if isinstance(raw, bytes) else str(raw)
        if key[len(prefix) :] != me:
            total += int(server.hlen(key))
    return total


class LeaseReturns:
    """Spider middleware: returns a request's lease once its response is handled, the
    spider's output consumed and each item it yielded through the item pipelines (stored,
    dropped or failed). When the worker goes idle it returns whatever it still holds."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server: Any = None
        self.lease_key = ""
        # lease -> items yielded and not yet through the pipelines
        self.pending: dict[bytes, int] = {}
        # leases whose response's output has been consumed to the end
        self.output_done: set[bytes] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseReturns:
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        for done in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(mw.item_done, signal=done)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        from scrapy_redis.connection import get_redis_from_settings

        settings = self.crawler.settings
        queue_key = settings.get("SCHEDULER_QUEUE_KEY") or ""
        worker = settings.get(WORKER_SETTING)
        if queue_key and worker:
            self.server = get_redis_from_settings(settings)
            self.lease_key = lease_key(queue_key % {"spider": spider.name}, str(worker))

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider
    ) -> Iterator[Any]:
        lease = response.meta.get(LEASE_META)
        if not isinstance(lease, bytes):
            yield from result
            return
        try:
            for entry in result:
                self._count(lease, entry)
                yield entry
        finally:
            self._output_done(lease)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider
    ) -> AsyncIterator[Any]:
        lease = response.meta.get(LEASE_META)
        if not isinstance(lease, bytes):
            async for entry in result:
                yield entry
            return
        try:
            async for entry in result:
                self._count(lease, entry)
                yield entry
        finally:
            self._output_done(lease)

    def _count(self, lease: bytes, entry: Any) -> None:
        if not isinstance(entry, Request):
            self.pending[lease] = self.pending.get(lease, 0) + 1

    def _output_done(self, lease: bytes) -> None:
        self.output_done.add(lease)
        self._maybe_return(lease)

    def item_done(self, item: Any = None, response: Response | None = None, **_: Any) -> None:
        lease = response.meta.get(LEASE_META) if response is not None else None
        if not isinstance(lease, bytes) or lease not in self.pending:
            return
        self.pending[lease] -= 1
        self._maybe_return(lease)

    def _maybe_return(self, lease: bytes) -> None:
        if lease in self.output_done and self.pending.get(lease, 0) <= 0:
            self.output_done.discard(lease)
            self.pending.pop(lease, None)
            if self.server is not None:
                self.server.hdel(self.lease_key, lease)

    def spider_idle(self, spider: Spider) -> None:
        """Nothing left in the downloader or the pipelines: whatever the worker still holds
        was handled or failed for good (a download error does not come through here)."""
        self.pending.clear()
        self.output_done.clear()
        if self.server is not None:
            self.server.delete(self.lease_key)
