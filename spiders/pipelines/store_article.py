"""Store each article once; an exact copy on another URL becomes another source.

With watch rules (setting ``TINLAODONG_RULES_FILE``, else ``DATA_DIR/rules.yaml`` if present),
a story's alerts are queued in the transaction that stores it or a new source of it
(``aggregator.alerts``).

Writes run in a writer thread (:class:`spiders.store_access.StoreWriter`): the one the run
handed the spider with its store, else the pipeline's own, with a store of its own.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import replace
from datetime import UTC, datetime

from scrapy.crawler import Crawler

from aggregator.alerts import alert_queue, rules_in_force
from aggregator.dates import plausible_date
from aggregator.exceptions import RegistryError, StoreError
from aggregator.models import Article
from aggregator.paths import data_dir
from aggregator.registry import Site, load_registry
from aggregator.store import AddResult, Outbox, StoryStore
from aggregator.store.database import one_line
from spiders.items import PageItem
from spiders.store_access import StoreWriter, given_store, own_store

logger = logging.getLogger("tinlaodong.crawl")

_STAT = {
    AddResult.NEW_STORY: "tinlaodong/new_stories",
    AddResult.NEW_SOURCE: "tinlaodong/new_sources",
    AddResult.KNOWN_URL: "tinlaodong/known_urls",
}


class StoreArticlePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: StoryStore | None = None
        self.writer: StoreWriter | None = None
        self.owned = False  # the store and writer are this pipeline's, not the run's
        self.outbox: Outbox | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        # Opened here, not in __init__: a crawler that never starts holds no connection.
        settings = self.crawler.settings
        rules = rules_in_force(
            data_dir(settings.get("TINLAODONG_DATA_DIR") or None),
            settings.get("TINLAODONG_RULES_FILE") or None,
        )
        if rules is not None and rules.story_rules:
            self.outbox = alert_queue(rules, self._known_sites())
        given = given_store(self.crawler.spider)
        if given is not None:
            self.store, self.writer = given
        else:
            self.store, self.writer, self.owned = own_store(settings), StoreWriter(), True

    def _known_sites(self) -> list[Site]:
        """The sites a rule's ``provinces:`` may find a story's publishers among: the
        registry's, this spider's own first (a copy of a story known from another site may
        make a rule match, its earlier publishers' provinces included)."""
        spider = self.crawler.spider
        site = getattr(spider, "site", None)
        own = [site] if isinstance(site, Site) else []
        registry_file = getattr(spider, "registry_file", None)
        try:
            registry = load_registry(
                registry_file(self.crawler.settings) if registry_file else None
            )
        except RegistryError:
            return own  # the spider's own site was read already: its registry cannot be bad
        return own + [s for s in registry.sites if not own or s.id != own[0].id]

    async def close_spider(self) -> None:
        if self.owned and self.store is not None and self.writer is not None:
            # In the writer thread: after the writes queued before it, on the thread that
            # used the connection.
            await self.writer.run(self.store.close)
            self.writer.close()

    async def process_item(self, item: PageItem) -> PageItem:
        assert self.writer is not None and item.article is not None
        stats = self.crawler.stats
        assert stats is not None
        article = self._plausibly_dated(item)
        try:
            result, cpu = await self.writer.run(functools.partial(self._write, item, article))
        except StoreError as exc:
            # Counted, so that the crawl keeps no validators and reports the failure; the
            # next crawl fetches this page again (nothing was written, nothing is lost).
            stats.inc_value("tinlaodong/store_failed")
            stats.inc_value("tinlaodong/faults/write_failed")
            reason = one_line(exc.__cause__) if exc.__cause__ is not None else str(exc)
            logger.error("site %s: cannot store %s: %s", item.site_id, item.url, reason)
            return item
        stats.inc_value("tinlaodong/time/store_cpu_us", round(1e6 * cpu))
        stats.inc_value(_STAT[result])
        if result is not AddResult.KNOWN_URL:
            logger.info("site %s: %s: %s <%s>", item.site_id, result.value, article.title, item.url)
        return item

    def _write(self, item: PageItem, article: Article) -> tuple[AddResult, float]:
        """Runs in the writer thread: what became of the article, and the thread's CPU
        seconds it took (``thread_time``: the reactor's work meanwhile is not counted)."""
        assert self.store is not None
        start = time.thread_time()
        result = self.store.add_article(
            item.site_id, item.url, article, outbox=self.outbox, bodyprint=item.bodyprint
        )
        return result, time.thread_time() - start

    def _plausibly_dated(self, item: PageItem) -> Article:
        """The article, without its date if that date cannot be true (a wrong clock, 1970):
        the story is then ordered by when it was first seen, like an undated one. The claim
        is not kept: it tells a reader nothing but that the site's CMS is wrong."""
        article = item.article
        assert article is not None
        if article.published is None or plausible_date(article.published, datetime.now(UTC)):
            return article
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("tinlaodong/faults/implausible_date")
        logger.info(
            "site %s: implausible date %s on %s: ordered by when first seen",
            item.site_id,
            article.published.isoformat(),
            item.url,
        )
        return replace(article, published=None)
