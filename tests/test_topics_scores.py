"""Topic precision and recall on the hand-labelled stories may not drop below their floor.

``bench/topics_bench.py`` tags each story of ``bench/corpus/topics-labels.json`` the way the
index does and scores it against the labels, for the dev stories and the held-out ones apart;
``bench/topics_floor.json`` holds the counts pinned by ``bench/topics_bench.py --pin``. Only
that flag lowers a floor. The labelled real pages are read from ``../shared``.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from aggregator.tags import load_topics
from bench.topics_bench import (
    FLOOR,
    SPLITS,
    Counts,
    Result,
    Story,
    held_out_or_dev,
    load_labels,
    load_stories,
    score,
)
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    if not (SHARED / "corpus").is_dir() or not (SHARED / "seeds").is_dir():
        pytest.skip("../shared (corpus and seeds) is not beside the checkout (a fresh clone)")
    stories, notes = load_stories(load_labels())
    assert not notes, f"labelled stories that cannot be read: {notes}"
    return score(stories)


def floor(split: str) -> Counts:
    pinned = json.loads(FLOOR.read_text(encoding="utf-8"))[split]
    return Counts(pinned["tp"], pinned["fp"], pinned["fn"])


@pytest.mark.parametrize("split", SPLITS)
def test_precision_and_recall_not_below_the_floor(results: dict[str, Result], split: str) -> None:
    got, pinned = results[split].overall, floor(split)
    assert got.precision >= pinned.precision, f"{split}: precision {got} below {pinned}"
    assert got.recall >= pinned.recall, f"{split}: recall {got} below {pinned}"


@pytest.mark.parametrize("split", SPLITS)
def test_floor_counts_the_stories_labelled_now(results: dict[str, Result], split: str) -> None:
    # A label added or removed changes what a floor means: pin again, on purpose.
    pinned = json.loads(FLOOR.read_text(encoding="utf-8"))[split]
    got = results[split].overall
    assert results[split].stories == pinned["stories"]
    assert got.tp + got.fn == pinned["tp"] + pinned["fn"]  # the labelled (story, topic) pairs


def test_dev_stories_meet_the_issue_target(results: dict[str, Result]) -> None:
    dev = results["dev"]
    assert dev.overall.precision >= 0.9 and dev.overall.recall >= 0.7
    assert max(dev.per_story) <= 2  # no story in most topic feeds


def test_labels_are_well_formed() -> None:
    labels = load_labels()
    topic_ids = {topic.id for topic in load_topics()}
    keys = Counter((entry["source"], entry["path"]) for entry in labels)
    assert [key for key, n in keys.items() if n > 1] == []
    for entry in labels:
        assert set(entry["topics"]) <= topic_ids, entry
        assert entry["source"] in {"mirror", "neardup", "vn-dev", "hanoi-portal-2022"}
        assert isinstance(entry["title"], str) and entry["title"]
    assert len(labels) >= 80
    held_out = sum(held_out_or_dev(e["source"], e["path"]) == "held-out" for e in labels)
    assert 0.2 <= held_out / len(labels) <= 0.4


def story(expected: set[str], title: str, text: str = "") -> Story:
    return Story("neardup", "x", title, text, frozenset(expected))


def test_an_extra_topic_is_a_false_positive_a_missing_one_a_false_negative() -> None:
    # "Phiên giao dịch việc làm" is tagged viec-lam: labelled nguoi-co-cong, one of each.
    result = score([story({"nguoi-co-cong"}, "Phiên giao dịch việc làm")])["all"]
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (0, 1, 1)
    assert result.per_topic["viec-lam"].fp == 1
    assert result.per_topic["nguoi-co-cong"].fn == 1
    result = score([story(set(), "Khai mạc phố sách")])["all"]
    assert (result.overall.precision, result.overall.recall, result.per_story) == (1.0, 1.0, [0])
