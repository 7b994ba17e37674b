"""Log lines for people: one line per event, naming the site and the URL.

Scrapy's own chatter (enabled middlewares, overridden settings, retries, robots.txt fetch
errors with tracebacks) stays out unless ``--verbose``: the spider reports each failure once.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from aggregator.timeshow import show_time

_QUIET = {
    "scrapy": logging.WARNING,
    "twisted": logging.WARNING,
    # trafilatura logs ERROR lines of its own for pages we already report once.
    "trafilatura": logging.CRITICAL,
    "htmldate": logging.ERROR,
    "courlan": logging.ERROR,
    "readability": logging.ERROR,
    # The spider's errback reports each failed request once, in one line.
    "scrapy.downloadermiddlewares.retry": logging.CRITICAL,
    "scrapy.downloadermiddlewares.robotstxt": logging.CRITICAL,
    "scrapy.core.scraper": logging.CRITICAL,
    "scrapy.core.downloader.handlers": logging.CRITICAL,
    # A decompression bomb is reported by the spider; Scrapy would add a second line.
    "scrapy.downloadermiddlewares.httpcompression": logging.ERROR,
    # The web server's start and stop lines; feeds.server logs its own, and each request.
    "uvicorn": logging.WARNING,
}


class _LibraryChatter(logging.Filter):
    """Drops Scrapy's start-up INFO lines, logged before its loggers can be quietened."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith("scrapy")


class _VietnamTime(logging.Formatter):
    """Each line's time in Vietnam's zone and labelled ("12:55:03+07:00"), as the commands
    show times, whatever the machine's zone (a server often runs in UTC)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = datetime.fromtimestamp(record.created, UTC)
        return show_time(moment, "%H:%M:%S").replace(" ", "")


def configure_logging(verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_VietnamTime("%(asctime)s %(levelname)s %(message)s"))
    if not verbose:
        handler.addFilter(_LibraryChatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    quiet_libraries()


def quiet_libraries() -> None:
    """Set the libraries' log levels; again after Scrapy has reset them to its defaults."""
    verbose = logging.getLogger().level <= logging.DEBUG
    for name, level in _QUIET.items():
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else level)
