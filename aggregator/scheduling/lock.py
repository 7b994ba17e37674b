"""One scheduler per data directory: an exclusive ``flock`` on ``DATA_DIR/scheduler.lock``.

APScheduler 3 must not share a persistent job store between two schedulers (both would run
the same due jobs), so a second ``tinlaodong serve`` on the same data directory refuses to
schedule crawls. ``flock`` dies with its process: a killed ``serve`` leaves no stale lock. The
holder's pid is written into the file so that the refusal (and ``tinlaodong schedule``) can
name it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from aggregator.exceptions import ConfigError

LOCK_FILENAME = "scheduler.lock"


class LockHeld(ConfigError):
    """Another process schedules crawls for this data directory."""


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_FILENAME


class FileLock:
    """A non-blocking exclusive lock on a file; :meth:`acquire` raises :class:`LockHeld`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Python opens descriptors non-inheritable: crawl subprocesses do not keep the lock.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = read_holder(self.path)
            who = f"pid {holder}" if holder else "another process"
            raise LockHeld(
                f"{who} already runs 'tinlaodong serve' for {self.path.parent} (lock "
                f"{self.path}); stop it, or serve the feeds only with 'tinlaodong feeds serve'"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        """Safe to call twice. The file stays (unlinking would race with a new holder)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.ftruncate(fd, 0)
            os.close(fd)  # closing drops the flock

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def is_held(path: Path) -> bool:
    """Whether some process holds the lock now (a shared lock attempt fails)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops our shared lock, if we got it
    return False


def read_holder(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None
