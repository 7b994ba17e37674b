"""What keeps a crawl's memory down (bench/memory_bench.py: under 500 MB for 10,000 pages).

The extraction workers must not import Scrapy (each worker imports the module of the function
it is sent), the crawlers must not hold more pages than the pool and the store can take, and
the fork server must not outlive the pool.
"""

from __future__ import annotations

import asyncio
import multiprocessing.forkserver
import os
import pickle
import subprocess
import sys
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
from spiders.items import PageItem
from spiders.pipelines import extract_article
from spiders.pipelines.extract_article import ExtractArticlePipeline, shared_pool, stop_pools
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
    monkeypatch.setattr(extract_article, "_POOLS", {2: pool})
    yield pool


def test_the_workers_are_sent_a_function_whose_module_needs_no_scrapy(
    inline_pool: Inline,
) -> None:
    stats = Stats()
    pipeline = ExtractArticlePipeline(cast(Crawler, SimpleNamespace(stats=stats)), workers=2)
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
    pipeline = ExtractArticlePipeline(cast(Crawler, SimpleNamespace(stats=stats)), workers=2)
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


def test_stopping_the_pools_stops_the_fork_server_and_a_new_pool_starts_another() -> None:
    server = multiprocessing.forkserver._forkserver
    outcome = shared_pool(1).submit(extract_article.extract_outcome, PAGE, URL, None, None)
    assert outcome.result(timeout=120)[0] is not None
    pid = server._forkserver_pid
    assert pid is not None
    stop_pools()
    assert server._forkserver_pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    try:
        again = shared_pool(1).submit(extract_article.extract_outcome, PAGE, URL, None, None)
        assert again.result(timeout=120)[0] is not None
        assert server._forkserver_pid not in (None, pid)
    finally:
        stop_pools()
