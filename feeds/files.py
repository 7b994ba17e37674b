"""Writing a file so that a reader sees the old bytes or the new ones, never half of them."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# mkstemp creates 0600 files; feeds are public and often served by another user (nginx).
PUBLIC_MODE = 0o644


def write_atomically(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` in one rename; returns whether the file changed.

    Identical bytes are not rewritten, so the file keeps its mtime and a server's
    Last-Modified stays put: feed readers polling with If-Modified-Since keep getting 304.
    """
    if _same_bytes(path, data):
        return False
    # The temporary file sits in the same directory: os.replace is atomic only within one
    # file system. Its name starts with a dot so the feed server never serves it.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())  # the rename must not reach the disk before the data
        os.chmod(tmp, PUBLIC_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False
