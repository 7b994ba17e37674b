"""The registry file a data directory was crawled with, remembered for the commands after.

A crawl, a worker or the demo with a registry file of its own writes that file's path to
DATA_DIR/sites-file.txt: relative to DATA_DIR when the file is inside it (a copied or moved data
directory then reads its own copy), else absolute. A later command without --sites reads its
sites from there:
`sites`, `stories` or `alerts send` after the demo know the mirror's sites (their names,
provinces and crawls), where the built-in registry knows none of them. An explicit --sites
wins, and a crawl with it is remembered instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from aggregator.exceptions import ConfigError
from aggregator.paths import sites_file_record


def remember_sites_file(data_dir: Path, sites_file: Path) -> None:
    record = sites_file_record(data_dir)
    path = sites_file.resolve()
    if path.is_relative_to(data_dir.resolve()):
        path = path.relative_to(data_dir.resolve())
    text = f"{path}\n"
    if _read(record) == text.strip():
        return  # no write for every scheduled crawl
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(text, encoding="utf-8")


def remembered_sites_file(data_dir: Path) -> Path | None:
    """The file the data directory was last crawled with; None: the built-in registry."""
    record = sites_file_record(data_dir)
    text = _read(record)
    if not text:
        return None
    path = data_dir / text  # an absolute entry stays itself
    if not path.is_file():
        raise ConfigError(
            f"{path}: no such registry file (the one {data_dir} was last crawled with, "
            f"named in {record}): give --sites FILE, or delete {record} for the built-in "
            "registry"
        )
    return path


def apply_remembered_sites_file(args: argparse.Namespace) -> None:
    """Fill in a command's --sites, where it has one and was not given it."""
    if "sites" in vars(args) and args.sites is None:
        args.sites = remembered_sites_file(args.data_dir)


def _read(record: Path) -> str:
    try:
        return record.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{record}: cannot read: {exc}") from exc
