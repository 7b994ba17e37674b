"""The settings of Scrapy's own commands (``scrapy.cfg``): the crawl's settings, and the crawl
job after it (:mod:`aggregator.app.scrapy_entry`)."""

from spiders.settings import *  # noqa: F403  (Scrapy reads a settings module's names)
from spiders.settings import EXTENSIONS as CRAWL_EXTENSIONS

EXTENSIONS = {**CRAWL_EXTENSIONS, "aggregator.app.scrapy_entry.CrawlJobExtension": 600}
# ``scrapy crawl`` with tinlaodong's checks and exit code (aggregator/app/scrapy_commands).
COMMANDS_MODULE = "aggregator.app.scrapy_commands"
