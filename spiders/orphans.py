"""Extraction workers end with the crawl that started them, however it ends.

A ProcessPoolExecutor's workers wait on their task queue, whose write end they hold
themselves, and the fork server that made them holds on while they live: a crawl killed with
SIGKILL (an operator's ``kill -9``, the out-of-memory killer) left its fork server and workers
behind for good, holding the extraction code and their pages. Each worker watches the crawl's
process and exits when it is gone; with its last worker gone the fork server ends too. The
signals that stop a crawl gracefully are the crawl's to handle, not its workers'.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from collections.abc import Callable

POLL_SECONDS = 1.0  # where pidfd_open is missing (Linux < 5.3, other systems)


def exit_with(pid: int) -> None:
    """In a worker: exit as soon as process ``pid`` (the crawl) has ended."""
    threading.Thread(target=_watch, args=(pid,), name="exit-with-crawl", daemon=True).start()


def _watch(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd_open here, or the crawl is already gone
        while _alive(pid):
            time.sleep(POLL_SECONDS)
    else:
        select.select([fd], [], [])  # readable once the process has exited
    os._exit(1)  # no clean-up to run: the crawl that wanted the results is gone


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: ours has ended and its pid was reused
        return False
    return True


def start_worker(crawl_pid: int, setup: Callable[[], object] | None = None) -> None:
    """A worker's initializer: exit with the crawl, then ``setup`` (the application's tuning,
    sent by name). Here, in a module importing neither Scrapy nor Twisted: a worker imports
    the module of its initializer."""
    exit_with(crawl_pid)
    # A Ctrl-C in the terminal, or the scheduler's SIGTERM, reaches the crawl's whole process
    # group: the crawl stops gracefully and still needs its workers for the pages under way and
    # the search index, and they end with it anyway.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if setup is not None:
        setup()
