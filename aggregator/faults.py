"""Faults by exception type, never by message text: what a failed fetch was, and whether a
failed write lost a race with another writer. The one place that reads Scrapy's, Twisted's,
SQLAlchemy's and the database drivers' errors (``aggregator.exceptions`` holds our own).

A failed fetch is counted under a name (``tinlaodong/faults/<name>``, in the crawl report):

    ===========================================================  ====================
    exception (or, for Twisted's wrappers, one of its reasons)   fault
    ===========================================================  ====================
    HttpError (Scrapy's HttpErrorMiddleware)                     ``http_<status>``
    DownloadTimeoutError, Twisted's or Python's TimeoutError     ``timeout``
    DownloadCancelledError (DOWNLOAD_MAXSIZE)                    ``too_large``
    ResponseDataLossError (fewer bytes than Content-Length)      ``truncated``
    ConnectionLost, ConnectionDone                               ``connection_reset``
    DownloadConnectionRefusedError, ConnectionRefusedError       ``connection_refused``
    CannotResolveHostError, DNSLookupError                       ``dns``
    IgnoreRequest raised from one of our ``FetchRefused``        its ``fault``
    IgnoreRequest of Scrapy's own middlewares                    by its reason, below
    anything else                                                ``fetch_failed``
    ===========================================================  ====================

Scrapy turns Twisted's ``ResponseFailed`` into a ``DownloadFailedError`` raised from it, and
lets ``ResponseNeverReceived`` through: the connection's fault is among their ``reasons``.
Our middlewares refuse a request with an ``IgnoreRequest`` raised from a typed refusal
(``aggregator.exceptions.FetchRefused``); Scrapy's own (robots.txt, too many redirects,
decompression) have no type of their own: those alone are named by their reason
(:data:`SCRAPY_REFUSALS`).

A write lost a race (and is worth running again) when it broke a unique key another writer
had just taken, or waited too long for one (SQLite's ``SQLITE_CONSTRAINT_UNIQUE`` /
``_PRIMARYKEY`` and ``SQLITE_BUSY``, by the driver's error code; PostgreSQL's unique
violation, serialization failure and deadlock, by SQLSTATE).

A write found no room (:func:`disk_full`): SQLite's ``SQLITE_FULL``, PostgreSQL's
``disk_full`` (SQLSTATE 53100), an ``OSError`` ENOSPC or EDQUOT, anywhere in its causes.
"""

from __future__ import annotations

import errno
import functools
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError, OperationalError

from aggregator.exceptions import FetchRefused

# What the reason of a refusal by Scrapy's own middlewares contains, and its fault.
SCRAPY_REFUSALS = (
    ("during decompression", "too_large"),  # HttpCompressionMiddleware
    ("max redirections reached", "too_many_redirects"),  # RedirectMiddleware
    ("robots.txt", "robots_disallowed"),  # RobotsTxtMiddleware
)
_SQLITE_RACES = {sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY}
# Unique violation, serialization failure, deadlock detected.
_POSTGRES_RACES = {"23505", "40001", "40P01"}
_POSTGRES_DISK_FULL = "53100"
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT}


@dataclass(frozen=True)
class _FetchTypes:
    http_error: type[BaseException]
    refused: type[BaseException]
    wrappers: tuple[type[BaseException], ...]  # Twisted's, holding ``reasons``
    faults: tuple[tuple[tuple[type[BaseException], ...], str], ...]


@functools.cache
def _fetch_types() -> _FetchTypes:
    # Imported on the first failed fetch, by a crawl that has imported Scrapy already: the
    # store's readers (the feed server, ``stories``) load this module without loading Scrapy.
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadTimeoutError,
        IgnoreRequest,
        ResponseDataLossError,
    )
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as tx
    from twisted.web.client import ResponseFailed, ResponseNeverReceived

    return _FetchTypes(
        http_error=HttpError,
        refused=IgnoreRequest,
        wrappers=(ResponseFailed, ResponseNeverReceived),
        faults=(
            ((DownloadTimeoutError, TimeoutError, tx.TimeoutError), "timeout"),
            ((DownloadCancelledError,), "too_large"),
            ((ResponseDataLossError,), "truncated"),
            ((tx.ConnectionLost, tx.ConnectionDone), "connection_reset"),
            ((DownloadConnectionRefusedError, ConnectionRefusedError), "connection_refused"),
            ((CannotResolveHostError, tx.DNSLookupError), "dns"),
        ),
    )


def fetch_fault(error: BaseException | None) -> str:
    """The fault a failed fetch is counted under: ``http_<status>``, ``timeout``..."""
    if error is None:
        return "fetch_failed"
    types = _fetch_types()
    if isinstance(error, types.http_error):
        return f"http_{error.response.status}"  # type: ignore[attr-defined]
    if isinstance(error, types.refused):
        ours = next((c for c in _causes(error, ()) if isinstance(c, FetchRefused)), None)
        if ours is not None:
            return ours.fault
        reason = str(error)
        return next((fault for part, fault in SCRAPY_REFUSALS if part in reason), "refused")
    for cause in _causes(error, types.wrappers):
        for classes, fault in types.faults:
            if isinstance(cause, classes):
                return fault
    return "fetch_failed"


def _causes(
    error: BaseException, wrappers: tuple[type[BaseException], ...]
) -> Iterator[BaseException]:
    """``error``, then what it was raised from and the reasons Twisted's wrappers hold."""
    pending: list[BaseException | None] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.append(current.__cause__)
        if isinstance(current, wrappers):
            pending.extend(reason.value for reason in getattr(current, "reasons", ()))


def lost_race(error: BaseException | None) -> bool:
    """Whether a failed write lost a race with another writer (and is worth running again)."""
    if not isinstance(error, IntegrityError | OperationalError):
        return False
    driver_error = error.orig
    if isinstance(driver_error, sqlite3.Error):
        code = driver_error.sqlite_errorcode
        # An extended code's low byte is its primary code: SQLITE_BUSY_TIMEOUT is SQLITE_BUSY.
        return code in _SQLITE_RACES or code & 0xFF == sqlite3.SQLITE_BUSY
    # psycopg's errors carry the SQLSTATE (psycopg2's as ``pgcode``).
    sqlstate = getattr(driver_error, "sqlstate", None) or getattr(driver_error, "pgcode", None)
    return sqlstate in _POSTGRES_RACES


def disk_full(error: BaseException | None) -> bool:
    """Whether a failed write found no room on the disk (the store's or a file's)."""
    for cause in _causes(error, ()) if error is not None else ():
        driver_error = cause.orig if isinstance(cause, OperationalError) else cause
        if isinstance(driver_error, sqlite3.Error):
            code = getattr(driver_error, "sqlite_errorcode", 0)
            full = code & 0xFF == sqlite3.SQLITE_FULL
        elif isinstance(driver_error, OSError):
            full = driver_error.errno in _NO_ROOM
        else:
            full = getattr(driver_error, "sqlstate", None) == _POSTGRES_DISK_FULL
        if full:
            return True
    return False
