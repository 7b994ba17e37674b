"""The crawl's tuning (aggregator/app/tuning.py): what it sets, and nothing with it off."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing.forkserver
import os
from pathlib import Path

import pytest

from aggregator import performance
from aggregator.app import tuning
from spiders.extraction_workers import ExtractionWorkers
from spiders.runner import crawl_settings

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "tests" / "fixtures" / "generic" / "khong-tac-gia.html").read_bytes()
URL = "https://example.org/tin/tuyen-sinh.html"


def extracted(workers: ExtractionWorkers) -> bool:
    article, *_ = asyncio.run(workers.extract(PAGE, URL, None, None))
    return article is not None


def test_the_fork_server_is_stopped_after_the_workers_and_a_new_pool_starts_another() -> None:
    server = multiprocessing.forkserver._forkserver
    with ExtractionWorkers(1, setup=tuning.worker_setup) as workers:
        assert extracted(workers)
    pid = server._forkserver_pid
    assert pid is not None
    tuning.stop_fork_server()
    assert server._forkserver_pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with ExtractionWorkers(1) as again:
        assert extracted(again)
    assert server._forkserver_pid not in (None, pid)
    tuning.stop_fork_server()


def test_with_the_tuning_off_nothing_is_changed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(performance.TUNING_ENV, "off")
    before = gc.get_threshold()
    with tuning.collector_tuned():
        assert gc.get_threshold() == before
    with tuning.while_crawling(crawl_settings(tmp_path)):
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == before
    with tuning.feeds_helper() as pool:
        assert pool is None


def test_while_crawling_the_collector_is_tuned_and_then_as_it_was(tmp_path: Path) -> None:
    before = gc.get_threshold()
    with tuning.while_crawling(crawl_settings(tmp_path)):
        assert gc.get_threshold() == tuning.CRAWL_GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
