"""A store that cannot be written to mid-crawl: the failure is loud, nothing stored is lost,
and the next crawl stores what was missed.

Three real ``tinlaodong crawl`` runs of one loopback site (tests/faultserver.py, whose listing
has an ETag and answers 304 to it): the first stores two articles; the site then links two
more, and the second crawl runs while the store cannot be written (another process holds
SQLite's write lock, or the disk is full); the fault ends while that crawl is still running,
once it has said it could not store both; the third crawl stores them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.faultserver import FaultSite, fault_site, good_path
from tests.helpers import FAST, tinlaodong, write_registry

ONE_PAGE = ["-s", "TINLAODONG_MAX_LISTING_PAGES=1", "-s", "TINLAODONG_EXTRACT_WORKERS=0"]


@contextmanager
def crawled_site(tmp_path: Path) -> Iterator[tuple[str, FaultSite, Path]]:
    """A site with articles 0 and 1; yields (base URL, site, registry file)."""
    with fault_site(FaultSite(good=(1, 0), faults=())) as (base, site):
        registry = write_registry(
            tmp_path / "sites.yaml",
            [
                {
                    "id": "laichau",
                    "name": "Sở LĐ-TB&XH Lai Châu",
                    "province": "Lai Châu",
                    "start_urls": [base + "/list?page=1"],
                    "allow_private_network": True,
                }
            ],
        )
        yield base, site, registry


def crawl(registry: Path, data: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return tinlaodong(
        "crawl", "--sites", str(registry), "--data-dir", str(data), *FAST, *ONE_PAGE, *extra,
        timeout=60,
    )  # fmt: skip


def crawl_through_fault(
    registry: Path, data: Path, failures: int, end_fault: Callable[[], None]
) -> subprocess.CompletedProcess[str]:
    """Crawl while the store cannot be written; once ``failures`` lines say an article could
    not be stored, ``end_fault()`` runs and the crawl goes on to its end."""
    args = ["crawl", "--sites", str(registry), "--data-dir", str(data), *FAST, *ONE_PAGE]
    proc = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    lines: list[str] = []
    enough = threading.Event()

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if sum("cannot store" in seen for seen in lines) >= failures:
                enough.set()
        enough.set()  # the crawl ended first: the assertions say what is missing

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        enough.wait(60)
    finally:
        end_fault()
    stdout = proc.communicate(timeout=60)[0]
    reader.join(10)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, "".join(lines))


def stored(db: Path) -> tuple[list[tuple[str, str]], str]:
    """(title and text of every story, in id order; PRAGMA integrity_check)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT title, text FROM stories ORDER BY id").fetchall()
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return [(str(t), str(x)) for t, x in rows], str(integrity)


def assert_loud_and_lossless(
    result: subprocess.CompletedProcess[str], base: str, reason: str
) -> None:
    assert "Traceback" not in result.stderr
    for n in (2, 3):
        lines = [line for line in result.stderr.splitlines() if base + good_path(n) in line]
        assert len(lines) == 1, result.stderr
        assert "ERROR site laichau: cannot store" in lines[0] and reason in lines[0]
        assert "[SQL:" not in lines[0]
    assert "new story" not in result.stderr
    assert result.returncode == 1, "every site's writes failed: the crawl failed"


def test_a_locked_database_fails_each_write_loudly_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds SQLite's write lock (BEGIN EXCLUSIVE) for longer than the
    store's busy timeout (``?timeout=0.1`` in the URL, 10 s by default)."""
    db = tmp_path / "tin.sqlite3"
    monkeypatch.setenv("TINLAODONG_DATABASE_URL", f"sqlite:///{db}?timeout=0.1")
    with crawled_site(tmp_path) as (base, site, registry):
        assert crawl(registry, tmp_path / "data").returncode == 0
        before, _ = stored(db)
        assert len(before) == 2
        site.good = (3, 2, 1, 0)  # two new articles, newest first
        locker = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert locker.stdout is not None and locker.stdout.readline() == "locked\n"

        def unlock() -> None:
            assert locker.stdin is not None
            locker.stdin.close()
            locker.wait(10)

        try:
            result = crawl_through_fault(registry, tmp_path / "data", 2, unlock)
        finally:
            if locker.poll() is None:
                locker.kill()
                locker.wait(10)
            locker.stdout.close()
        assert_loud_and_lossless(result, base, "OperationalError: database is locked")
        # The report says so, the site's line and the breakdown under it.
        report = next(line for line in result.stdout.splitlines() if line.startswith("laichau"))
        assert "WRITES FAILED" in report
        assert "write_failed" in result.stdout
        after, integrity = stored(db)
        assert after == before and integrity == "ok"

        assert_recovered_by_next_crawl(registry, tmp_path / "data", db, before)


# Takes SQLite's write lock on the file named by argv[1] until its stdin is closed.
HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MB filesystem (tmpfs), unmounted afterwards."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        # PRAGMA max_page_count would reach the same SQLITE_FULL path, but it is set per
        # connection, and the crawl's connections are in another process: no stand-in here.
        pytest.skip(f"mounting a small tmpfs needs root (CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; returns the file that does."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:  # unbuffered: no flush left to fail on close
        for size in (64 * 1024, 4096, 512, 1):
            try:
                while out.write(b"\0" * size):
                    pass
            except OSError:
                pass
    return filler


def test_a_full_disk_fails_each_write_loudly_and_loses_nothing(
    tmp_path: Path, small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SQLite file lives on a 4 MB tmpfs, filled up before the second crawl."""
    db = small_disk / "tin.sqlite3"
    monkeypatch.setenv("TINLAODONG_DATABASE_URL", f"sqlite:///{db}")
    with crawled_site(tmp_path) as (base, site, registry):
        assert crawl(registry, tmp_path / "data").returncode == 0
        before, _ = stored(db)
        assert len(before) == 2
        site.good = (3, 2, 1, 0)
        # A reader keeps the WAL index (-shm) in place, as a feed server would; the WAL is
        # emptied so that any write must grow a file.
        reader = sqlite3.connect(db)
        try:
            reader.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            filler = fill(small_disk)
            result = crawl_through_fault(registry, tmp_path / "data", 2, filler.unlink)
        finally:
            reader.close()
        assert_loud_and_lossless(result, base, "database or disk is full")
        assert "write_failed" in result.stdout
        after, integrity = stored(db)
        assert after == before and integrity == "ok"

        assert_recovered_by_next_crawl(registry, tmp_path / "data", db, before)


def assert_recovered_by_next_crawl(
    registry: Path, data_dir: Path, db: Path, before: list[tuple[str, str]]
) -> None:
    """Once the fault is gone, a crawl stores the two articles the failed one missed (no
    validator saved by that crawl hides them) and keeps the earlier two as they were."""
    again = crawl(registry, data_dir, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["new_stories"] == 2, "nothing skipped by a saved ETag"
    final, integrity = stored(db)
    assert final[:2] == before and len(final) == 4 and integrity == "ok"


def test_a_disk_still_full_when_the_crawl_ends_gives_its_report_not_a_traceback(
    tmp_path: Path, small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk stays full to the end: recording the crawl, the search index and the feeds
    cannot be written either. The crawl still prints its report, says "disk full" once
    naming the store, exits 1, and what was stored before is intact (issue 21, item 7)."""
    db = small_disk / "tin.sqlite3"
    monkeypatch.setenv("TINLAODONG_DATABASE_URL", f"sqlite:///{db}")
    with crawled_site(tmp_path) as (base, site, registry):
        assert crawl(registry, tmp_path / "data").returncode == 0
        before, _ = stored(db)
        site.good = (3, 2, 1, 0)
        reader = sqlite3.connect(db)
        try:
            reader.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            filler = fill(small_disk)
            result = crawl(registry, tmp_path / "data")
            filler.unlink()
        finally:
            reader.close()
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 1, result.stdout + result.stderr
        report = next(line for line in result.stdout.splitlines() if line.startswith("laichau"))
        assert "WRITES FAILED" in report
        full = [line for line in result.stderr.splitlines() if "disk full" in line]
        assert len(full) == 1 and str(db) in full[0], result.stderr
        print(result.stdout, full[0], sep="\n")
        after, integrity = stored(db)
        assert after == before and integrity == "ok"

        assert_recovered_by_next_crawl(registry, tmp_path / "data", db, before)
