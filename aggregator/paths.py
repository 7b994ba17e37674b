"""Where things live under the data directory."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir(value: str | Path | None = None) -> Path:
    """The data directory: the given one, else ``$TINLAODONG_DATA_DIR``, else ``./var``."""
    return Path(value or os.environ.get("TINLAODONG_DATA_DIR") or "var")


def feeds_dir(data: Path) -> Path:
    return data / "feeds"
