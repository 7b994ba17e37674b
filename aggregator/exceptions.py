"""Every error tinlaodong raises on purpose, in one place.

Hierarchy::

    TinlaodongError                 base: a user-facing, one-line message
    ├── ConfigError                 a bad command line, data directory or setting
    │   ├── RegistryError           an invalid site registry file (path and entry named)
    │   ├── QueryError              a search or rule query that cannot be read (what is wrong)
    │   └── YamlLimitError          a YAML file too large, or an alias bomb (file named)
    ├── ExtractionError             a page that yields no article (file or URL named)
    │   └── PageDecodeError         bytes that cannot be read as HTML
    ├── FetchError                  a site or page that could not be fetched
    │   └── FetchRefused            a request the crawl refuses to make (``fault`` names it)
    │       ├── PrivateNetworkRefused  a private/loopback address for a site not allowed one
    │       ├── SchemeRefused          a URL, or a redirect's target, that is not http(s)
    │       ├── RedirectLoop           a redirect back to a URL of its own chain
    │       └── RetryAfterTooLong      a site asking to wait longer than the crawl will
    └── StoreError                  the database could not be opened or written

    ExtractionTimeout               (a BaseException) a page's extraction ran out of CPU time

``ExtractionTimeout`` is raised by a timer's signal handler anywhere inside the extraction:
like ``KeyboardInterrupt`` it is no ``Exception``, so the libraries' own ``except Exception``
on the way (trafilatura has several) do not swallow it.

The CLI prints ``str(error)`` on one line and exits non-zero; no traceback for these.

A refusal reaches Scrapy as its ``IgnoreRequest``, raised from one of ours.

Other libraries' errors (Scrapy's, Twisted's, SQLAlchemy's, the database drivers') are told
apart by type in one module, ``aggregator.faults``: the fault a failed fetch is counted under
in the crawl report, and whether a failed write lost a race and is worth running again.
"""

from __future__ import annotations


class TinlaodongError(Exception):
    """Base class: the message is one line a user can act on."""


class ConfigError(TinlaodongError):
    """A bad command line, data directory or setting."""


class RegistryError(ConfigError):
    """An invalid site registry file."""


class QueryError(ConfigError):
    """A search's or a rule's query that cannot be read; ``reason`` says why."""

    def __init__(self, query: str, reason: str) -> None:
        # The query's start is enough to find it; a rules file's megabyte query was one line
        # of megabytes.
        self.shown = repr(query if len(query) <= 80 else query[:77] + "...")
        super().__init__(f"bad query {self.shown}: {reason}")
        self.query = query
        self.reason = reason


class ExtractionError(TinlaodongError):
    """A page that yields no article."""


class NotAnArticle(ExtractionError):
    """A page its page object recognises as no article: a listing, or the site's own pages
    (sign-in, site map) whose text is its menus. A crawl counts it apart from the pages it
    could not read, and does not fetch it again for a while (``aggregator.store.not_articles``)."""


class PageDecodeError(ExtractionError):
    """Bytes that cannot be read as HTML."""


class FetchError(TinlaodongError):
    """A site or page that could not be fetched."""


class FetchRefused(FetchError):
    """A request the crawl refuses to make; ``fault`` names it in the crawl report."""

    fault = "refused"


class PrivateNetworkRefused(FetchRefused):
    """A request to a private or loopback address for a site not allowed one."""

    fault = "private_network"


class SchemeRefused(FetchRefused):
    """A URL, or a redirect's target, that is not http(s)."""

    fault = "scheme_refused"


class RedirectLoop(FetchRefused):
    """A redirect back to a URL of its own chain."""

    fault = "redirect_loop"


class RetryAfterTooLong(FetchRefused):
    """A site asking (429/503 Retry-After) to wait longer than TINLAODONG_MAX_RETRY_AFTER."""

    fault = "retry_after_too_long"


class ExtractionTimeout(BaseException):  # noqa: N818 (a limit reached, not a bug)
    """A page's extraction ran past its CPU deadline (``TINLAODONG_EXTRACT_DEADLINE``)."""


class StoreError(TinlaodongError):
    """The database could not be opened or written."""


class YamlLimitError(ConfigError):
    """A YAML file too large, or whose aliases would expand it beyond the limits
    (``aggregator.yamlfile``); the message names the file."""
