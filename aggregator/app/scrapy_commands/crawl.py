"""``scrapy crawl site -a site=ID``: Scrapy's command, with tinlaodong's checks and exit code.

Before any crawler starts, the site, its registry, the watch rules and the data directory are
checked, each mistake one line (``scrapy crawl: error: ...``, exit 2) rather than tracebacks from
inside Scrapy's start-up. After the crawl the exit code is ``tinlaodong crawl``'s: 1 if the
site failed (unreachable, nothing fetched, or writes that failed) or the feeds could not be
written, else 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler

from aggregator.alerts import rules_in_force
from aggregator.app.scrapy_entry import CrawlJobExtension
from aggregator.exceptions import ConfigError, TinlaodongError
from aggregator.paths import data_dir
from aggregator.registry import load_registry
from aggregator.store import open_store
from spiders.site_spider import SiteSpider

EXIT_USAGE = 2


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] != SiteSpider.name:
            super().run(args, opts)
            return
        try:
            self._check(opts.spargs)
        except TinlaodongError as exc:
            print(f"scrapy crawl: error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        assert self.crawler_process is not None
        crawler = self._create_crawler(SiteSpider.name)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or _failed(crawler):
            self.exitcode = 1

    def _check(self, spargs: dict[str, str]) -> None:
        """What ``tinlaodong crawl`` checks before crawling, each a one-line error."""
        assert self.settings is not None
        site_id = spargs.get("site")
        if not site_id:
            raise ConfigError("which site? use: scrapy crawl site -a site=ID (tinlaodong sites)")
        sites_file = spargs.get("sites") or self.settings.get("TINLAODONG_SITES_FILE") or None
        registry = load_registry(Path(sites_file) if sites_file else None)
        registry.get(site_id)
        rules = self.settings.get("TINLAODONG_RULES_FILE") or None
        directory = data_dir(self.settings.get("TINLAODONG_DATA_DIR") or None)
        rules_in_force(directory, Path(rules) if rules else None, registry.sites)
        open_store(directory, self.settings.get("TINLAODONG_DATABASE_URL") or None).close()


def _failed(crawler: Crawler) -> bool:
    extensions = crawler.extensions.middlewares if crawler.extensions is not None else ()
    for extension in extensions:
        if isinstance(extension, CrawlJobExtension) and extension.outcome is not None:
            return extension.outcome.failed
    return False
