"""What keeps a crawl's memory down (bench/memory_bench.py: under 500 MB for 10,000 pages).

The extraction workers must not import Scrapy (each worker imports the module of the function
it is sent), and the crawlers must not hold more pages than the pool and the store can take.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from scrapy.crawler import Crawler

# Imported here, as the workers' fork server does: the pipeline imports it lazily, and urllib3
# warns about SOCKS on trafilatura's import, which pytest's per-test "error" filter would raise.
import aggregator.extraction  # noqa: F401
from aggregator.models import Article
from spiders.extraction_workers import ExtractionWorkers
from spiders.items import PageItem
from spiders.pipelines.extract_article import ExtractArticlePipeline
from spiders.runner import crawl_settings

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "tests" / "fixtures" / "generic" / "khong-tac-gia.html").read_bytes()
URL = "https://example.org/tin/tuyen-sinh.html"


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value


class Inline(Executor):
    """Runs each call at once, remembering what it was sent."""

    def __init__(self) -> None:
        self.sent: list[Callable[..., Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.sent.append(fn)
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def page_item() -> PageItem:
    return PageItem(site_id="s", url=URL, body=PAGE, http_charset=None, profile=None)


@pytest.fixture
def inline_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inline]:
    pool = Inline()
    monkeypatch.setattr(ExtractionWorkers, "pool", lambda self: pool)
    yield pool


def pipeline_of(stats: Stats) -> ExtractArticlePipeline:
    return ExtractArticlePipeline(cast(Crawler, SimpleNamespace(stats=stats)), ExtractionWorkers(2))


def test_the_workers_are_sent_a_function_whose_module_needs_no_scrapy(
    inline_pool: Inline,
) -> None:
    stats = Stats()
    pipeline = pipeline_of(stats)
    item = asyncio.run(pipeline.process_item(page_item()))
    assert isinstance(item.article, Article) and item.bodyprint is not None
    assert stats.values["tinlaodong/extracted"] == 1
    # What a worker does with the call it is sent: unpickle the function, importing its module.
    (function,) = inline_pool.sent
    code = (
        "import pickle, sys\n"
        f"pickle.loads({pickle.dumps(function)!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_page_without_an_article_is_dropped_with_its_reason(inline_pool: Inline) -> None:
    from scrapy.exceptions import DropItem

    stats = Stats()
    pipeline = pipeline_of(stats)
    item = PageItem(
        site_id="s", url=URL, body=b"<html><body></body></html>", http_charset=None, profile=None
    )
    with pytest.raises(DropItem):
        asyncio.run(pipeline.process_item(item))
    assert stats.values["tinlaodong/extract_failed"] == 1


def test_the_crawlers_hold_a_few_pages_each_while_the_pipelines_catch_up(tmp_path: Path) -> None:
    """Each crawler stops fetching once this many bytes of its responses are in the pipelines;
    at Scrapy's 5 MB, 16 crawlers held 90 MB of pages waiting for extraction and the store."""
    settings = crawl_settings(tmp_path)
    held = settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE")
    assert 200_000 <= held <= 1_000_000
    assert held * settings.getint("TINLAODONG_SITES_AT_ONCE") <= 16_000_000


def test_closed_workers_are_gone_and_start_no_others() -> None:
    workers = ExtractionWorkers(1)
    outcome = asyncio.run(workers.extract(PAGE, URL, None, None))
    assert outcome[0] is not None
    pool = workers.started()
    assert pool is not None
    pid = pool.submit(os.getpid).result(timeout=60)
    workers.close()
    assert workers.started() is None and workers.pool() is None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)  # the fork server reaps its children
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail(f"worker {pid} still runs")
