"""Distributed crawling (``tinlaodong worker``): the same ``SiteSpider`` crawlers, their requests
queued and deduplicated in Redis (scrapy-redis), so any number of worker processes on any
number of machines share each site's crawl.

Each site has its own keys, under ``TINLAODONG_REDIS_PREFIX`` (default ``tinlaodong``):

- ``<prefix>:site:<site id>``: the request queue (a sorted set, scrapy-redis' PriorityQueue);
- ``<prefix>:site:<site id>:dupefilter``: fingerprints of the requests already queued;
- ``<prefix>:site:<site id>:live:<worker>``: one key per worker crawling the site, expiring
  ``TINLAODONG_WORKER_LIVE_SECONDS`` after the worker stops refreshing it (killed, machine
  gone);
- ``<prefix>:site:<site id>:lease:<worker>``: the requests the worker has taken and not yet
  handled to the end (``spiders.leases``): a dead worker's are queued again by the others;
- ``<prefix>:site:<site id>:started:<worker>``: the same, deleted only when the worker finishes
  the site normally: one left behind says a worker stopped halfway.

The queue persists (``SCHEDULER_PERSIST``): a worker killed mid-crawl leaves what is queued
for the other workers (or the next run), and the requests it had taken go back to the queue
once its liveness key expires. A worker ends a site once its queue has stayed empty, and no
other worker held a request of the site, for ``TINLAODONG_WORKER_IDLE_SECONDS`` (an idle
worker looks at its queues every ``POLL_SECONDS``).

Politeness is global: ``spiders.shared_politeness`` spaces the requests to each host across
all workers.

The last worker to finish a site, its queue empty, deletes the site's dupefilter, so that the
next round crawls it again; it alone keeps the validators (ETag, Last-Modified) of the
listings it fetched, and only if no worker stopped halfway this round. Other workers drop
theirs: the articles their listings linked may not all be stored yet, and a 304 next time
would hide them. Those listings are fetched in full next round instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet.task import LoopingCall

from aggregator.logsetup import quiet_libraries
from aggregator.registry import Site
from spiders.extraction_workers import ExtractionWorkers
from spiders.leases import WORKER_SETTING, live_key, others_leased, recover_dead_workers
from spiders.pipelines.extract_article import WORKERS_ARG
from spiders.runner import (
    CrawlHook,
    SiteCrawlerProcess,
    SiteReport,
    crawl_settings,
    restore_shutdown_handlers,
    shutdown_handlers,
    site_report,
)

logger = logging.getLogger("tinlaodong.worker")

DEFAULT_PREFIX = "tinlaodong"
# A worker's liveness key expires this long after its last refresh (every third of it): a
# killed worker's requests are queued again this long after it died.
LIVE_TTL = 30.0
# A worker that stopped halfway is forgotten after this long (seconds).
STARTED_TTL = 7 * 24 * 3600
# How often an idle worker looks for requests other workers queued (seconds).
POLL_SECONDS = 0.5

IDLE_EXTENSION = "spiders.distributed.WorkerIdle"
LEASE_MIDDLEWARE = "spiders.leases.LeaseReturns"
POLITENESS_MIDDLEWARE = "spiders.shared_politeness.SharedPoliteness"


def distributed_settings(redis_url: str) -> dict[str, Any]:
    """Scrapy settings of a worker, over those of ``crawl`` (``spiders.settings``)."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "spiders.leases.LeasedPriorityQueue",
        # Queued requests outlive the worker: another one (or the next run) takes them over.
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "TINLAODONG_REDIS_PREFIX": DEFAULT_PREFIX,
        # Seconds a site's queue must stay empty before the worker ends that site.
        "TINLAODONG_WORKER_IDLE_SECONDS": 5.0,
        "TINLAODONG_WORKER_LIVE_SECONDS": LIVE_TTL,
        # This process' name in Redis, shared by its sites' crawlers (set by run_workers).
        "TINLAODONG_WORKER_ID": "",
    }


def worker_id() -> str:
    """A name no other worker process has: the host, the pid, and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def site_key(prefix: str, site_id: str) -> str:
    """The queue key of a site, as scrapy-redis formats it (``% {"spider": "site"}``)."""
    return f"{prefix.replace('%', '%%')}:%(spider)s:{site_id.replace('%', '%%')}"


def site_keys(prefix: str, site_id: str) -> dict[str, str]:
    """The per-site scrapy-redis settings: each site's crawler its own queue and dupefilter."""
    queue = site_key(prefix, site_id)
    return {
        "SCHEDULER_QUEUE_KEY": queue,
        "SCHEDULER_DUPEFILTER_KEY": queue + ":dupefilter",
    }


class WorkerIdle:
    """Keeps a site open while its shared queue may still fill (another worker is parsing a
    listing), closes it once the queue has stayed empty for ``TINLAODONG_WORKER_IDLE_SECONDS``;
    marks the worker live, and clears the site's dupefilter when the last worker is done."""

    def __init__(self, crawler: Crawler, idle_seconds: float) -> None:
        self.crawler = crawler
        self.idle_seconds = idle_seconds
        self.idle_since: float | None = None
        settings = crawler.settings
        self.queue_key = settings.get("SCHEDULER_QUEUE_KEY") or ""
        self.dupefilter_key = settings.get("SCHEDULER_DUPEFILTER_KEY") or ""
        self.worker = settings.get(WORKER_SETTING) or worker_id()
        self.live_ttl = max(settings.getfloat("TINLAODONG_WORKER_LIVE_SECONDS", LIVE_TTL), 1.0)
        self.server: Any = None
        self.base = ""
        self.refresh: LoopingCall | None = None
        self.poll: LoopingCall | None = None
        self.last_out = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerIdle:
        idle = crawler.settings.getfloat("TINLAODONG_WORKER_IDLE_SECONDS")
        if not crawler.settings.get("REDIS_URL") or idle < 0:
            raise NotConfigured
        ext = cls(crawler, idle)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        for busy in (signals.request_scheduled, signals.response_received):
            crawler.signals.connect(ext.active, signal=busy)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        from scrapy_redis.connection import get_redis_from_settings

        self.server = get_redis_from_settings(self.crawler.settings)
        self.base = self.queue_key % {"spider": spider.name}
        self.dupefilter_key = self.dupefilter_key % {"spider": spider.name}
        # Deleted when the worker finishes the site; left behind if it stops halfway.
        self.server.set(f"{self.base}:started:{self.worker}", "1", ex=STARTED_TTL)
        self.refresh = LoopingCall(self._mark_live)
        self.refresh.start(self.live_ttl / 3, now=True)
        recover_dead_workers(self.server, self.base, self.worker)
        self.poll = LoopingCall(self._poll)
        self.poll.start(POLL_SECONDS, now=False)

    def _mark_live(self) -> None:
        self.server.set(live_key(self.base, self.worker), "1", px=int(self.live_ttl * 1000))

    def _poll(self) -> None:
        """While idle, wake the engine up as soon as another worker has queued a request (or
        the idle time is over), rather than on Scrapy's 5-second heartbeat. Uses the
        engine's private slot where there is one; without, the heartbeat does it."""
        if self.idle_since is None:
            return
        recover_dead_workers(self.server, self.base, self.worker)
        over = time.monotonic() - self.idle_since >= self.idle_seconds
        if over or self.server.zcard(self.base):
            nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
            if nextcall is not None:
                nextcall.schedule()

    def active(self, *args: Any, **kwargs: Any) -> None:
        self.idle_since = None

    def spider_idle(self, spider: Spider) -> None:
        now = time.monotonic()
        if self.idle_since is None or others_leased(self.server, self.base, self.worker):
            # Another worker holds requests of the site: its listings may queue more, and a
            # dead one's come back here once its liveness key expires.
            self.idle_since = now
        if now - self.idle_since < self.idle_seconds:
            raise DontCloseSpider
        # Closing, "finished". Before the spider's own spider_closed handler runs, which saves
        # the validators (ETag, Last-Modified) of the listings it fetched.
        self.last_out = self._last_out(spider)

    def _last_out(self, spider: Spider) -> bool:
        """Whether this worker is the last on the site, the queue empty. Only then may the
        listings' validators be kept, and only if no worker stopped halfway this round:
        articles a listing linked may be lost with that worker's requests, and a 304 next
        time would hide them for good."""
        validators = getattr(spider, "pending_validators", None)
        mine = {f"{self.base}:live:{self.worker}", f"{self.base}:started:{self.worker}"}
        others_live = [k for k in self._keys("live") if k not in mine]
        if (
            others_live
            or self.server.zcard(self.base)
            or others_leased(self.server, self.base, self.worker)
        ):
            if validators is not None:
                validators.clear()  # another worker's share of the site may not be done
            return False
        stale = [k for k in self._keys("started") if k not in mine]
        if stale:
            logger.warning(
                "%s: %d worker(s) stopped halfway this round; listings will be fetched in "
                "full next time",
                self.base,
                len(stale),
            )
            if validators is not None:
                validators.clear()
            self.server.delete(*stale)
        return True

    def _keys(self, kind: str) -> list[str]:
        return [
            k.decode() if isinstance(k, bytes) else str(k)
            for k in self.server.scan_iter(match=f"{self.base}:{kind}:*", count=100)
        ]

    def spider_closed(self, spider: Spider, reason: str) -> None:
        for loop in (self.refresh, self.poll):
            if loop is not None and loop.running:
                loop.stop()
        if self.server is None:
            return
        self.server.delete(f"{self.base}:live:{self.worker}")
        if reason != "finished":
            return  # the started key stays: the last worker out sees this one stopped
        self.server.delete(f"{self.base}:started:{self.worker}")
        if self.last_out and not self.server.zcard(self.base):
            # The round is over: the next one fetches the site's pages again.
            self.server.delete(self.dupefilter_key)
            logger.debug("%s: last worker out, dupefilter cleared", self.base)


def run_workers(
    sites: Sequence[Site],
    data_dir: Path,
    overrides: Mapping[str, Any],
    *,
    worker_setup: Callable[[], object] | None = None,
    while_crawling: CrawlHook | None = None,
) -> list[SiteReport]:
    """Crawl ``sites`` through the shared Redis queues; blocks until every site's queue has
    stayed empty for the idle time. ``overrides`` must hold :func:`distributed_settings`.
    ``worker_setup``: what each extraction worker runs first (``ExtractionWorkers``);
    ``while_crawling``: as :func:`spiders.runner.run_crawl`'s."""
    settings = crawl_settings(data_dir, overrides)
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions[IDLE_EXTENSION] = 700
    settings.set("EXTENSIONS", extensions, priority="cmdline")
    spider_mws = dict(settings.getdict("SPIDER_MIDDLEWARES"))
    # Outermost (lowest number = nearest the engine): it sees the output all others let by.
    spider_mws[LEASE_MIDDLEWARE] = 10
    settings.set("SPIDER_MIDDLEWARES", spider_mws, priority="cmdline")
    downloader_mws = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    # After the scheme, private-network and robots.txt guards (40, 50, 100): a refused request
    # waits for nothing, and robots.txt (fetched through the chain) is not sent in between.
    downloader_mws[POLITENESS_MIDDLEWARE] = 110
    settings.set("DOWNLOADER_MIDDLEWARES", downloader_mws, priority="cmdline")
    if not settings.get(WORKER_SETTING):
        settings.set(WORKER_SETTING, worker_id(), priority="cmdline")
    prefix = settings.get("TINLAODONG_REDIS_PREFIX") or DEFAULT_PREFIX

    def own_queue(site: Site, crawler: Crawler) -> None:
        for key, value in site_keys(prefix, site.id).items():
            crawler.settings.set(key, value, priority="cmdline")

    handlers = shutdown_handlers()
    with ExtractionWorkers.from_settings(settings, worker_setup) as workers:
        process = SiteCrawlerProcess(settings, {WORKERS_ARG: workers})
        quiet_libraries()
        crawlers = process.crawl_sites(sites, own_queue)
        with while_crawling(settings) if while_crawling else contextlib.nullcontext():
            process.start()
    restore_shutdown_handlers(handlers)
    return [site_report(site, crawler) for site, crawler in crawlers]
