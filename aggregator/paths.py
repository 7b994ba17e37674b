"""Where things live under the data directory."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "TINLAODONG_DATA_DIR"
DEFAULT_DATA_DIR = Path("var")


def data_dir(value: str | Path | None = None) -> Path:
    """The data directory: the given one, else ``$TINLAODONG_DATA_DIR``, else ``./var``."""
    return Path(value or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def is_default_data_dir(path: Path) -> bool:
    """Whether ``path`` is ``./var`` because nobody named another (no ``--data-dir``, no
    ``$TINLAODONG_DATA_DIR``): a first run's, not a mistyped one."""
    return not os.environ.get(DATA_DIR_ENV) and path == DEFAULT_DATA_DIR


def feeds_dir(data: Path) -> Path:
    return data / "feeds"


def sites_file_record(data: Path) -> Path:
    """Holds the path of the registry file the data directory was last crawled with."""
    return data / "sites-file.txt"
