"""Running one crawl command in a subprocess, killed at a time limit.

Each crawl gets its own process because Twisted's reactor cannot be restarted within one. The
child runs in a session of its own: a Ctrl-C in the terminal reaches only ``serve``, which then
stops its children in order, and a kill reaches the child's own children too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

logger = logging.getLogger("tinlaodong.schedule")

# After SIGTERM, how long the crawl gets before SIGKILL: it stops its downloads
# (TINLAODONG_STOP_GRACE), then records what it finished and what it did not, and writes the
# feeds. Killed, it records nothing and the scheduler records its sites as interrupted.
TERMINATE_GRACE = 15.0


@dataclass(frozen=True)
class CommandResult:
    started: datetime
    finished: datetime
    exit_code: int | None  # None: never started (shutting down); negative: killed by signal
    timed_out: bool
    stdout: str
    stderr: str

    @property
    def duration(self) -> float:
        return (self.finished - self.started).total_seconds()

    @property
    def started_ok(self) -> bool:
        return self.exit_code is not None


class LiveProcesses:
    """The crawl subprocesses running now, so that a shutdown can stop them all.

    Once closed, no new child starts: jobs still queued in the scheduler's thread pool when
    ``serve`` stops must not launch crawls on their way out.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._children: set[subprocess.Popen[str]] = set()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def spawn(self, argv: Sequence[str]) -> subprocess.Popen[str] | None:
        with self._lock:
            if self._closed:
                return None
            child = subprocess.Popen(
                list(argv),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            self._children.add(child)
            return child

    def forget(self, child: subprocess.Popen[str]) -> None:
        with self._lock:
            self._children.discard(child)

    def close(self, grace: float = TERMINATE_GRACE) -> None:
        """Refuse new children, SIGTERM the running ones, SIGKILL those left after ``grace``
        seconds. Their runners reap them and record the outcome."""
        with self._lock:
            self._closed = True
            children = list(self._children)
        for child in children:
            logger.info("stopping crawl process %d", child.pid)
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while any(c.poll() is None for c in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        for child in children:
            if child.poll() is None:
                _signal_group(child, signal.SIGKILL)

    def reopen(self) -> None:
        with self._lock:
            self._closed = False


# The one set of this process: the scheduler's job function is found by its name in the job
# store and called with plain data, so it cannot be handed an instance.
LIVE = LiveProcesses()


def run_command(
    argv: Sequence[str], timeout: float, live: LiveProcesses = LIVE
) -> CommandResult:
    """Run ``argv`` to completion or until ``timeout`` seconds, then terminate it."""
    started = datetime.now(UTC)
    child = live.spawn(argv)
    if child is None:
        now = datetime.now(UTC)
        return CommandResult(started, now, None, False, "", "not started: shutting down")
    timed_out = False
    try:
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            stdout, stderr = _terminate(child)
    finally:
        live.forget(child)
    return CommandResult(
        started, datetime.now(UTC), child.returncode, timed_out, stdout or "", stderr or ""
    )


def _terminate(child: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGTERM the child's group, SIGKILL it after the grace period; what it printed."""
    _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + TERMINATE_GRACE
    try:
        return child.communicate(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        _signal_group(child, signal.SIGKILL)
        return child.communicate()


def _signal_group(child: subprocess.Popen[str], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(child.pid, sig)  # start_new_session: the child leads its own group
