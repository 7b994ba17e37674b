"""Stories stored during a crawl are indexed while it runs, those stored before are left to the
refresh after it, and a failure of the indexing thread costs the crawl nothing."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Executor
from pathlib import Path

import pytest

from aggregator.models import Article
from aggregator.search import refresh_index, search
from aggregator.search.alongside import IndexAlongside
from aggregator.store import StoryStore, open_store


def add(store: StoryStore, i: int) -> None:
    words = " ".join(f"từ{i}x{k}" for k in range(40))  # distinct bodies: no near-duplicates
    article = Article(None, f"Chi trả trợ cấp đợt {i} ở Kon Tum", f"Người lao động {words}")
    store.add_article("press", f"https://example.vn/{i}", article)


def found(store: StoryStore, query: str) -> int:
    return len(search(store.engine, query))


def test_stories_stored_during_the_crawl_are_indexed_meanwhile(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    add(store, 0)  # stored before: the refresh after the crawl's business
    with IndexAlongside(store.engine, interval=0.05) as alongside:
        for i in range(1, 6):
            add(store, i)
        deadline = time.monotonic() + 10
        while alongside.indexed < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert found(store, "từ3x1") == 1  # searchable before the crawl ends
    assert alongside.indexed == 5
    assert found(store, "từ0x1") == 0
    assert refresh_index(store.engine) == 1  # only the old story was left
    assert found(store, "trợ cấp") == 6
    store.close()


class BrokenPool(Executor):
    """A pool shut down under the indexer, as when a crawl stops its workers."""

    def submit(self, *_args: object, **_kwargs: object) -> object:  # type: ignore[override]
        raise RuntimeError("cannot schedule new futures after shutdown")


def test_a_failing_round_stops_indexing_with_one_line_and_loses_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(tmp_path)
    with (
        caplog.at_level(logging.WARNING, logger="tinlaodong.search"),
        IndexAlongside(store.engine, lambda: BrokenPool(), interval=0.05),
    ):
        add(store, 1)
        time.sleep(0.3)
        add(store, 2)  # the crawl goes on storing
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "indexing during the crawl stopped: cannot schedule new futures after shutdown"
    ]
    assert refresh_index(store.engine) == 2  # the refresh after the crawl catches up
    assert found(store, "từ2x1") == 1
    store.close()
