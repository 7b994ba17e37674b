"""Two processes storing at the same moment: the same article, two copies of one story (exact
and edited), on each backend; and both opening (migrating) a fresh database at once. However
the writes interleave, each story is stored once."""

from __future__ import annotations

import multiprocessing
import random
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from aggregator.models import Article
from aggregator.store import AddResult, open_store
from aggregator.store.database import database_url
from tests.backends import backend

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")

ROUNDS = 15
SYLLABLES = (
    "lao động việc làm bảo hiểm xã hội người có công thương binh trợ cấp tỉnh sở nội vụ "
    "đào tạo nghề giảm nghèo trẻ em bình đẳng giới hội nghị kế hoạch triển khai chính sách"
)
WORDS = SYLLABLES.split(" ")


def story_text(round_no: int, edited: bool = False) -> str:
    """A story of its own per round; ``edited``: the same story with a few words changed."""
    rng = random.Random(round_no)
    words = [rng.choice(WORDS) for _ in range(400)]
    if edited:
        for i in (50, 150, 250):
            words[i] = "khác"
    sentences = [" ".join(words[i : i + 20]) + "." for i in range(0, len(words), 20)]
    return f"Bản tin {round_no}.\n\n" + "\n\n".join(sentences)


def writer(url: str, data_dir: str, side: int, barrier: Barrier, results: Any) -> None:
    """One process: opens the store when the other does, then per round and kind stores its
    article when the other stores its own."""
    barrier.wait()
    store = open_store(Path(data_dir), url)
    try:
        for round_no in range(ROUNDS):
            plans = {
                # The same URL from both sides (two crawls of one site).
                "same-url": (f"https://a.vn/tin/{round_no}", story_text(round_no)),
                # An exact copy on another site.
                "exact": (f"https://s{side}.vn/exact/{round_no}", story_text(1000 + round_no)),
                # An edited copy on another site.
                "edited": (
                    f"https://s{side}.vn/edited/{round_no}",
                    story_text(2000 + round_no, edited=side == 1),
                ),
            }
            for kind, (link, text) in plans.items():
                barrier.wait()
                article = Article(url=None, title=f"{kind} {round_no}", text=text)
                results.put((kind, round_no, side, store.add_article(f"s{side}", link, article)))
    finally:
        store.close()


def test_two_writers_at_once_store_each_story_once(tmp_path: Path) -> None:
    url = database_url(tmp_path)  # the backend's: the fixture set the environment
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2, timeout=60)
    results = context.Queue()
    workers = [
        context.Process(target=writer, args=(url, str(tmp_path), side, barrier, results))
        for side in (0, 1)
    ]
    for worker in workers:
        worker.start()
    found = [results.get(timeout=120) for _ in range(2 * 3 * ROUNDS)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    results.close()
    outcomes: dict[tuple[str, int], list[AddResult]] = {}
    for kind, round_no, _side, result in found:
        outcomes.setdefault((kind, round_no), []).append(result)
    for (kind, round_no), pair in outcomes.items():
        expected = AddResult.KNOWN_URL if kind == "same-url" else AddResult.NEW_SOURCE
        assert sorted(pair, key=lambda r: r.value) == sorted(
            [AddResult.NEW_STORY, expected], key=lambda r: r.value
        ), (kind, round_no)
    store = open_store(tmp_path, url)
    try:
        # One story per round and kind; a source per URL (one for the shared URL).
        assert store.count() == (3 * ROUNDS, 5 * ROUNDS)
    finally:
        store.close()
