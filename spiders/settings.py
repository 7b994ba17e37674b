"""Scrapy settings for tinlaodong (``scrapy.cfg`` points here). Polite by default."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from scrapy.settings import default_settings as _scrapy

try:
    _VERSION = version("tinlaodong")
except PackageNotFoundError:  # running from a checkout that is not installed
    _VERSION = "dev"

BOT_NAME = "tinlaodong"
SPIDER_MODULES = ["spiders.site_spider"]
NEWSPIDER_MODULE = "spiders"

# An honest User-Agent: who we are and what we do.
USER_AGENT = f"tinlaodong/{_VERSION} (news aggregator for labour and social-affairs news)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Nor Scrapy's remote control (2.19, on by default): an HTTP server per crawler that runs
# code sent with a token, the token in a job file under ~/.local/state/scrapy (left behind
# by a killed crawl: 153 on this machine after the test suite), a listening port per site.
REMOTE_CONTROL_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
STATS_DUMP = False
LOGSTATS_INTERVAL = 0.0
LOG_FORMATTER = "spiders.logformatter.QuietLogFormatter"
# Per response Scrapy starts this many tasks to take its output through the pipelines (default
# 100): an article page yields one item, a listing a few dozen requests. 100 tasks per page
# cost the crawl's thread measurably on every page (bench/crawl_bench.py); 8 lose no
# parallelism here.
CONCURRENT_ITEMS = 8
# Bytes of responses a crawler holds while its items go through the pipelines before it stops
# fetching (Scrapy's default: five times this). Extraction and the store are slower than the
# downloads, so every crawler sat at the limit, its pages waiting for the workers or the writer
# thread. About a dozen pages each still keep both busy. A page larger than this, while it is
# extracted, raises its crawler's limit by DOWNLOAD_MAXSIZE (spiders/pipelines/extract_article.py):
# the site's downloads go on meanwhile.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000
# Scrapy reads each callback's source (inspect + ast) on every response to warn about a
# generator returning a value, its cache keyed by bound methods that die at once: a cost on
# every page. Our callbacks are generators that return no value.
WARN_ON_GENERATOR_RETURN_VALUE = False

# Nothing but http(s), for every site: no local files, FTP, S3 or data: URLs from a link.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}
# Larger than any news page: the heaviest real pages seen (ground-truth set, big US news sites
# with inline scripts) are about 1.3 MB, the department portals' under 100 KB. 5 MB leaves a
# wide margin and refuses the 20 MB "page" that is a video or a dump, compressed or not.
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOADER_MIDDLEWARES = {
    # Before the robots.txt middleware (100), so a refused URL or host is never contacted.
    "spiders.middlewares.schemes.HttpOnlyMiddleware": 40,
    "spiders.middlewares.private_network.PrivateNetworkMiddleware": 50,
    # Sees a 429/503 before RetryMiddleware (550) and a redirect before RedirectMiddleware (600).
    "spiders.middlewares.retry_after.RetryAfterMiddleware": 560,
    "spiders.middlewares.redirects.RedirectGuardMiddleware": 610,
    # Scrapy's own, at its place, reading the head only (spiders/middlewares/meta_refresh.py).
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "spiders.middlewares.meta_refresh.HeadMetaRefreshMiddleware": 580,
}
ITEM_PIPELINES = {
    "spiders.pipelines.extract_article.ExtractArticlePipeline": 100,
    "spiders.pipelines.store_article.StoreArticlePipeline": 200,
}
EXTENSIONS = {
    "spiders.extensions.progress.CrawlProgress": 500,
}
# Scrapy's own components, less those a crawl never uses. Taken out of the *_BASE lists, not
# set to None: Scrapy imports every listed component, None or not, to compare their names.
# - Telnet and the remote control are off above; the remote control's aiohttp alone was a
#   large share of each crawl's start (a re-crawl where nothing changed is short).
# - LogCount (log_count/* stats): each crawler's handler on the root logger counted every
#   record of every crawler of the process (16 sites at once: each line 16 times, wrongly), a
#   fifth of the cost of the crawl's "new story" lines. Nothing reads them.
# - Cookies are off above (its middleware imports tldextract to find that out).
EXTENSIONS_BASE = {
    path: order
    for path, order in _scrapy.EXTENSIONS_BASE.items()
    if path.rsplit(".", 1)[-1] not in {"TelnetConsole", "RemoteControl", "LogCount"}
}
DOWNLOADER_MIDDLEWARES_BASE = {
    path: order
    for path, order in _scrapy.DOWNLOADER_MIDDLEWARES_BASE.items()
    if path.rsplit(".", 1)[-1] != "CookiesMiddleware"
}

# tinlaodong's own settings.
TINLAODONG_DATA_DIR = ""  # empty: $TINLAODONG_DATA_DIR or ./var
TINLAODONG_DATABASE_URL = ""  # empty: SQLite under the data directory
TINLAODONG_SITES_FILE = ""  # empty: the registry shipped with the package
TINLAODONG_MAX_LISTING_PAGES = 5
TINLAODONG_MAX_ARTICLES = 200
# Sitemaps followed a site a crawl (robots.txt lines and sitemap indexes together), on its own
# hosts only: a robots.txt may name any number, on any host.
TINLAODONG_MAX_SITEMAPS = 30
# Days a page taken for no article (a listing, the site's sign-in or site map page its sitemap
# lists) is not fetched again; then it is read again (0: every crawl), should it have become an
# article or should the page objects have been mended.
TINLAODONG_NOT_ARTICLE_RECHECK_DAYS = 7.0
TINLAODONG_PROGRESS_INTERVAL = 15.0
# Sites crawled at once by one process (0: all); the others wait their turn. Each crawler holds
# its own engine, queues and pages; 16 polite crawls at once still keep a crawl of the whole
# registry short.
TINLAODONG_SITES_AT_ONCE = 16
# Seconds a crawl stopped by Ctrl-C or SIGTERM waits for the pages under way before it stops
# anyway (the scheduler kills a crawl 5 s after its SIGTERM; the record must be written first).
TINLAODONG_STOP_GRACE = 2.0
# Bytes SQLite may keep for all the crawl's connections (a soft limit; 0: none), two per site
# crawled at once: their page caches, which a write by another connection empties anyway
# (aggregator/app/tuning.py; docs/performance.md).
TINLAODONG_SQLITE_MEMORY = 16 * 1024 * 1024
# Processes extracting articles beside the crawl (None: one per CPU; 0: in the crawl's thread).
TINLAODONG_EXTRACT_WORKERS = None
# Seconds of CPU one page's extraction may take before it is given up (fault extract_timeout in
# the report; 0: no limit). Real pages take a small fraction of a second.
TINLAODONG_EXTRACT_DEADLINE = 10.0
# A 429/503 retry waits as long as its Retry-After asks, up to this (seconds); a site asking
# for longer is skipped for the rest of the crawl. A minute holds no crawl up for long.
TINLAODONG_MAX_RETRY_AFTER = 60.0
LOG_LEVEL = "INFO"
