"""SQLite's page caches during a crawl (aggregator/app/tuning.py): bounded for all connections
at once, unless the tuning is off."""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.app.tuning import sqlite_soft_heap_limit
from spiders.runner import crawl_settings

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]


def sqlite_memory_used() -> int:
    """Bytes the SQLite library of Python's sqlite3 has allocated, over every connection."""
    spec = importlib.util.find_spec("_sqlite3")
    assert spec is not None and spec.origin is not None
    function = ctypes.CDLL(spec.origin).sqlite3_memory_used
    function.restype = ctypes.c_int64
    return int(function())


@pytest.fixture
def limit_restored() -> Iterator[None]:
    before = sqlite_soft_heap_limit(-1)
    if before is None:
        pytest.skip("this Python's sqlite3 does not expose its library's functions")
    yield
    sqlite_soft_heap_limit(before)


def filled_caches(path: Path, connections: int) -> int:
    """SQLite's memory once ``connections`` connections have each read a 6 MB table through
    their page cache (2 MB by default)."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS page (id INTEGER PRIMARY KEY, body BLOB)")
        if not db.execute("SELECT count(*) FROM page").fetchone()[0]:
            db.executemany(
                "INSERT INTO page (body) VALUES (?)", ((b"x" * 3000,) for _ in range(2000))
            )
    opened = [sqlite3.connect(path) for _ in range(connections)]
    try:
        for db in opened:
            db.execute("SELECT sum(length(body)) FROM page").fetchone()
        return sqlite_memory_used()
    finally:
        for db in opened:
            db.close()


@pytest.mark.usefixtures("limit_restored")
def test_the_soft_heap_limit_is_set_and_reported() -> None:
    previous = sqlite_soft_heap_limit(3 * MB)
    assert sqlite_soft_heap_limit(-1) == 3 * MB
    assert sqlite_soft_heap_limit(previous or 0) == 3 * MB


@pytest.mark.usefixtures("limit_restored")
def test_connections_share_the_limit_instead_of_a_full_cache_each(tmp_path: Path) -> None:
    sqlite_soft_heap_limit(0)
    unbounded = filled_caches(tmp_path / "a.db", 8)
    sqlite_soft_heap_limit(2 * MB)
    bounded = filled_caches(tmp_path / "a.db", 8)
    assert unbounded > 10 * MB  # 8 caches of 2 MB
    assert bounded < 4 * MB


def test_a_crawl_bounds_sqlite_to_a_few_mb(tmp_path: Path) -> None:
    memory = crawl_settings(tmp_path).getint("TINLAODONG_SQLITE_MEMORY")
    assert 0 < memory <= 16 * MB


@pytest.mark.parametrize("tuning", ["on", "off"])
@pytest.mark.parametrize("run", ["runner.run_crawl", "distributed.run_workers"])
def test_the_limit_holds_during_the_crawl_and_not_after(
    tmp_path: Path, run: str, tuning: str
) -> None:
    # In a process of its own: a CrawlerProcess configures logging process-wide. The workers
    # of ``tinlaodong worker`` (Redis queues) are bounded as a crawl is.
    code = f"""
from pathlib import Path

from aggregator.app.tuning import sqlite_soft_heap_limit, while_crawling
from spiders import distributed, runner

during = []
runner.SiteCrawlerProcess.start = lambda self: during.append(sqlite_soft_heap_limit(-1))
sqlite_soft_heap_limit(0)
overrides = {{"TINLAODONG_SQLITE_MEMORY": {5 * MB}}}
if {run!r} == "runner.run_crawl":
    settings = runner.crawl_settings(Path({str(tmp_path)!r}), overrides)
    assert runner.run_crawl([], settings, while_crawling=while_crawling) == []
else:
    assert {run}([], {str(tmp_path)!r}, overrides, while_crawling=while_crawling) == []
print(during, sqlite_soft_heap_limit(-1))
"""
    env = {**os.environ, "TINLAODONG_TUNING": tuning}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env
    )
    limit = 5 * MB if tuning == "on" else 0
    assert done.stdout.split() == [f"[{limit}]", "0"]
