"""Feeds rendered partly in a helper process (``write_feeds(pool=...)``) are the feeds rendered
in one process, byte for byte; a helper that fails costs time, never a feed."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aggregator.app.tuning import feeds_helper
from feeds import writer
from feeds.model import FeedEntry, FeedSource, FeedSpec

START = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)


def story(n: int) -> FeedEntry:
    site = f"site-{n % 6}"
    return FeedEntry(
        guid=f"tag:tinlaodong,2024:story/{n:032x}",
        title=f"Tin số {n}: hỗ trợ người lao động",
        link=f"https://{site}.example/tin/{n}",
        text=f"Đoạn đầu của tin {n} & thêm.\n\nĐoạn thứ hai\ndòng hai.",
        published=START + timedelta(hours=n),
        updated=START + timedelta(hours=n, minutes=5),
        author=None,
        sources=(FeedSource(site, f"Sở Nội vụ {n % 6}", f"https://{site}.example/tin/{n}"),),
        images=((f"/anh/{n}.jpg", f"Ảnh {n}"),) if n % 3 == 0 else (),
    )


def specs() -> list[FeedSpec]:
    """Every story in "all", each in its site's feed and its province's (one OPML group per
    province, as the real feeds are grouped)."""
    stories = [story(n) for n in range(120)]
    made = [FeedSpec("all", "Tất cả", "Mọi tin", "https://tin.example/", tuple(stories))]
    for province in range(3):
        sites = [s for s in range(6) if s % 3 == province]
        mine = tuple(e for e in stories if int(e.sources[0].site_id[-1]) in sites)
        group = f"Tỉnh {province}"
        made.append(FeedSpec(f"province-{province}", group, "Tin", "https://x/", mine, group))
        for site in sites:
            own = tuple(e for e in mine if e.sources[0].site_id == f"site-{site}")
            made.append(FeedSpec(f"site-{site}", f"Sở {site}", "Tin", "https://x/", own, group))
    return made


def write(out: Path, pool: Executor | None = None) -> list[Path]:
    return writer.write_feeds(
        out, specs(), base_url="https://tin.example/feeds/", limit=15, pages=3, pool=pool
    )


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


class CountingPool(Executor):
    """A real pool that counts the tasks it was given."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.tasks = 0

    def submit(  # type: ignore[override]
        self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Future[Any]:
        self.tasks += 1
        return self.inner.submit(fn, *args, **kwargs)


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real threshold keeps small stores in one process; these feeds are small.
    monkeypatch.setattr(writer, "PARALLEL_MIN_ENTRIES", 0)


@pytest.mark.usefixtures("always_parallel")
def test_feeds_rendered_with_a_helper_process_are_the_same_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alone = write(tmp_path / "alone")
    with feeds_helper() as inner:
        if inner is None:
            pytest.skip("one usable CPU: feeds_helper gives no helper process here")
        pool = CountingPool(inner)
        shared = write(tmp_path / "shared", pool)
    assert pool.tasks >= 1  # the helper got a share...
    assert "helper process failed" not in caplog.text  # ...and its files were used
    assert [p.name for p in shared] == [p.name for p in alone]
    assert files(tmp_path / "shared") == files(tmp_path / "alone")


@pytest.mark.usefixtures("always_parallel")
def test_a_helper_that_dies_leaves_its_feeds_to_the_writer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alone = write(tmp_path / "alone")
    # Its worker exits at start: every task it was given fails with BrokenProcessPool.
    context = multiprocessing.get_context("forkserver")
    broken = ProcessPoolExecutor(1, mp_context=context, initializer=sys.exit, initargs=(3,))
    with caplog.at_level(logging.WARNING, logger="tinlaodong.feeds"), broken:
        shared = write(tmp_path / "shared", broken)
    assert "helper process failed" in caplog.text
    assert [p.name for p in shared] == [p.name for p in alone]
    assert files(tmp_path / "shared") == files(tmp_path / "alone")


def test_no_helper_process_where_one_cpu_is_usable() -> None:
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    try:
        with feeds_helper() as pool:
            assert pool is None
    finally:
        os.sched_setaffinity(0, cpus)


def test_a_pool_shut_down_already_is_not_needed(tmp_path: Path) -> None:
    # Below the threshold nothing is sent to the pool: a small store never starts a process.
    closed = ProcessPoolExecutor(1)
    closed.shutdown()
    alone = write(tmp_path / "alone")
    assert [p.name for p in write(tmp_path / "shared", closed)] == [p.name for p in alone]
    assert files(tmp_path / "shared") == files(tmp_path / "alone")
