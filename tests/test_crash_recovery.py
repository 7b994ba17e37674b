"""kill -9 a crawl at random moments, then crawl again: the store is what a clean crawl gives.

SQLite in WAL mode with one transaction per article (story, sources, near-duplicate index and
alert outbox together) must never hold half an article, a story twice, or a corrupt file.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.store import open_store
from mirror.build import build_mirror
from mirror.server import MirrorServer
from tests.helpers import FAST, tinlaodong

KILLS = 6


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MirrorServer, Path]]:
    root = tmp_path_factory.mktemp("mirror")
    with MirrorServer(build_mirror(root / "sites", None)) as server:
        registry = root / "sites.yaml"
        server.write_registry(registry)
        yield server, registry


def crawl_args(registry: Path, data: Path) -> list[str]:
    return ["crawl", "--sites", str(registry), "--data-dir", str(data), "--json", *FAST]


def snapshot(data: Path) -> set[tuple[str, tuple[str, ...]]]:
    """Each story as (title, its source URLs): what a reader and an alert see."""
    store = open_store(data)
    try:
        return {
            (s.title, tuple(sorted(x.url for x in s.sources))) for s in store.stories(limit=10_000)
        }
    finally:
        store.close()


def test_killed_crawls_leave_a_store_a_recrawl_completes_exactly(
    mirror: tuple[MirrorServer, Path], tmp_path: Path
) -> None:
    _, registry = mirror
    clean = tmp_path / "clean"
    assert tinlaodong(*crawl_args(registry, clean)).returncode == 0
    expected = snapshot(clean)
    assert expected

    data = tmp_path / "killed"
    rng = random.Random(20251125)
    for _ in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli.main", *crawl_args(registry, data)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        time.sleep(rng.uniform(0.5, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert tinlaodong(*crawl_args(registry, data)).returncode == 0

    assert snapshot(data) == expected
    with sqlite3.connect(data / "tinlaodong.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        sources = db.execute("SELECT url, COUNT(*) FROM sources GROUP BY url HAVING COUNT(*) > 1")
        assert sources.fetchall() == []
        orphans = db.execute(
            "SELECT COUNT(*) FROM stories WHERE id NOT IN (SELECT story_id FROM sources)"
        )
        assert orphans.fetchone()[0] == 0
