"""A crawl indexes its new stories in the extraction workers: the same search index and tags
as indexing in the crawl's own process, across more than one batch."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from aggregator.models import Article
from aggregator.search import refresh_index, search
from aggregator.search.index import BATCH
from aggregator.store import StoryStore, open_store

PLACES = ["Nam Định", "Kon Tum", "Hà Nội", "Thừa Thiên Huế", "Bình Dương"]


def _filled(data_dir: Path, count: int) -> StoryStore:
    store = open_store(data_dir)
    for i in range(count):
        place = PLACES[i % len(PLACES)]
        words = " ".join(f"từ{i}x{k}" for k in range(40))  # distinct bodies: no near-duplicates
        article = Article(
            url=None,
            title=f"{place}: chi trả trợ cấp đợt {i}",
            text=f"Người lao động ở {place} được hỗ trợ bảo hiểm xã hội. {words}",
            published=datetime(2025, 1, 1 + i % 28, tzinfo=UTC),
        )
        store.add_article("press", f"https://example.vn/{i}", article)
    return store


def _index_rows(store: StoryStore) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with store.engine.connect() as conn:
        documents = conn.execute(
            text(
                "SELECT story_id, title, body, title_folded, body_folded"
                " FROM search_documents ORDER BY story_id"
            )
        ).all()
        tags = conn.execute(
            text("SELECT story_id, kind, value FROM story_tags ORDER BY story_id, kind, value")
        ).all()
    return [tuple(r) for r in documents], [tuple(r) for r in tags]


def test_indexing_in_worker_processes_gives_the_same_index(tmp_path: Path) -> None:
    count = BATCH + 37  # two batches, the second partial
    inline, pooled = _filled(tmp_path / "inline", count), _filled(tmp_path / "pooled", count)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        assert refresh_index(pooled.engine, pool=pool) == count
    assert refresh_index(inline.engine) == count

    documents, tags = _index_rows(pooled)
    assert (documents, tags) == _index_rows(inline)
    assert len(documents) == count
    # Kon Tum, a former province, is tagged with the current one that absorbed it.
    assert (2, "former_province", "kon-tum") in tags and (2, "province", "quang-ngai") in tags
    # And a reader's search finds them, unaccented.
    hits = search(pooled.engine, "kon tum")
    assert len(hits) == count // len(PLACES) + (1 if count % len(PLACES) > 1 else 0)
    inline.close()
    pooled.close()
