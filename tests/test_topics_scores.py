"""Topic precision and recall on the hand-labelled stories may not drop below their floor.

``bench/topics_bench.py`` tags each story of ``bench/corpus/topics-labels.json`` the way the
index does and scores it against the labels, for the dev stories and the held-out ones apart;
``bench/topics_floor.json`` holds the counts pinned by ``bench/topics_bench.py --pin``. Only
that flag lowers a floor. The labelled real pages are read from ``../shared``.

The third-party stories of ``bench/corpus/topics-found.json`` are a held-out set of their own:
their texts live outside the project (``$TOPICS_FOUND`` or ``/work/extra-corpus/topics``), so the
test that reads them is skipped where that folder is absent (CI); no floor is pinned for them,
the bench only reports them.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from aggregator.tags import load_topics
from bench.topics_bench import (
    DEFAULT_FOUND_DIR,
    EVERY,
    FLOOR,
    FOUND,
    FOUND_LABELS,
    SPLITS,
    Counts,
    Result,
    Story,
    held_out_or_dev,
    load_found,
    load_labels,
    load_stories,
    main,
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


def found_labels() -> list[dict[str, object]]:
    return list(json.loads(FOUND_LABELS.read_text(encoding="utf-8"))["labels"])


def test_found_labels_are_well_formed() -> None:
    labels = found_labels()
    topic_ids = {topic.id for topic in load_topics()}
    assert len(labels) >= 40
    assert len({entry["file"] for entry in labels}) == len(labels)
    for entry in labels:
        assert set(entry["topics"]) <= topic_ids, entry  # type: ignore[arg-type]
        assert len(entry["topics"]) <= 2, entry  # type: ignore[arg-type]
        # Where the text was read: a public repository file at a commit.
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}:.+", str(entry["origin"])), entry
        assert isinstance(entry["title"], str)
    in_sector = sum(bool(entry["topics"]) for entry in labels)
    assert 3 * in_sector >= len(labels)  # at least a third about the sector


def test_found_stories_are_their_own_split_and_a_missing_text_is_noted(tmp_path: Path) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(
        json.dumps(
            {
                "labels": [
                    {"file": "a.txt", "topics": ["viec-lam"]},
                    {"file": "gone.txt", "topics": []},
                ]
            }
        ),
        encoding="utf-8",
    )
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text(
        "Phiên giao dịch việc làm thu hút 2.000 lao động\n\nNgày 5/3, Trung tâm Dịch vụ việc làm "
        "tổ chức phiên giao dịch việc làm.\n",
        encoding="utf-8",
    )
    stories, notes = load_found(texts, labels)
    assert [(s.title, s.split) for s in stories] == [
        ("Phiên giao dịch việc làm thu hút 2.000 lao động", FOUND)
    ]
    assert stories[0].text.startswith("Ngày 5/3")
    assert notes == [f"{FOUND}:gone.txt: no file {texts / 'gone.txt'}"]
    results = score(stories + [story(set(), "Khai mạc phố sách")])
    assert results[FOUND].stories == 1 and results[FOUND].overall.tp == 1
    assert results["all"].stories == 1  # the found set stays out of the pinned figures
    # The issue's target is about every labelled story: a row of its own counts them all.
    assert results[EVERY].stories == 2 and results[EVERY].overall.tp == 1


def test_the_bench_says_so_in_one_line_when_the_found_folder_is_absent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = tmp_path / "absent"
    assert main(["--found", str(absent)]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if str(absent) in line] == [
        f"{FOUND}: no folder {absent}, its third-party stories are left out (--found)"
    ]
    assert f"| {FOUND} |" not in out


FOUND_DIR = Path(os.environ.get("TOPICS_FOUND", DEFAULT_FOUND_DIR))


@pytest.mark.skipif(
    not FOUND_DIR.is_dir(),
    reason=f"the third-party texts of topics-found.json are not here ({FOUND_DIR}); "
    "they are kept outside the project",
)
def test_every_found_story_is_read_and_scored() -> None:
    stories, notes = load_found(FOUND_DIR)
    assert notes == []
    assert len(stories) == len(found_labels())
    result = score(stories)[FOUND]
    assert result.stories == len(stories)
    assert result.overall.tp + result.overall.fn == sum(len(e["topics"]) for e in found_labels())  # type: ignore[arg-type]


@pytest.mark.skipif(
    not FOUND_DIR.is_dir(),
    reason=f"the third-party texts of topics-found.json are not here ({FOUND_DIR}); "
    "they are kept outside the project",
)
def test_every_labelled_story_meets_the_issue_target() -> None:
    # The issue asks for precision >= 0.9 at recall >= 0.7 on at least 100 stories: all of them.
    if not (SHARED / "corpus").is_dir() or not (SHARED / "seeds").is_dir():
        pytest.skip("../shared (corpus and seeds) is not beside the checkout (a fresh clone)")
    stories, _ = load_stories(load_labels())
    found, _ = load_found(FOUND_DIR)
    every = score(stories + found)[EVERY]
    assert every.stories >= 100
    assert every.overall.precision >= 0.9 and every.overall.recall >= 0.7, every.overall
