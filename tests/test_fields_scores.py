"""Per-field scores on real pages may not drop below their pinned floor.

``bench/fields_bench.py`` scores tinlaodong's headline, date, time, author, lead, body start
and end and captions on the hand-labelled pages of ``../shared`` (vn-dev, and the Hà Nội
portal pages labelled in ``bench/corpus/hanoi-portal-2022.json``); ``bench/fields_floor.json``
holds the counts pinned by ``bench/fields_bench.py --pin``. Only that flag lowers a floor.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bench.fields_bench import (
    FLOOR,
    SHARED_SETS,
    LabelSet,
    SetResult,
    label_sets,
    run_set,
    tinlaodong,
)
from bench.fields_scoring import Extracted, score, unfound_labels
from tests.conftest import SHARED

_VIETNAM = timezone(timedelta(hours=7))


@pytest.fixture(scope="module")
def sets() -> dict[str, LabelSet]:
    found = {s.name: s for s in label_sets()[0] if s.name in SHARED_SETS}
    if not SHARED.is_dir() or len(found) < len(SHARED_SETS):
        pytest.skip("../shared/corpus is not beside the checkout (a user's fresh clone)")
    return found


@pytest.fixture(scope="module")
def results(sets: dict[str, LabelSet]) -> dict[str, SetResult]:
    return {name: run_set(s, {"tinlaodong": tinlaodong}) for name, s in sets.items()}


@pytest.mark.parametrize("set_name", SHARED_SETS)
def test_no_field_scores_below_its_floor(results: dict[str, SetResult], set_name: str) -> None:
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))[set_name]
    got = results[set_name].totals["tinlaodong"]
    below = {
        name: f"{got.get(name, [0, 0])[0]} right, floor {right} (of {counted})"
        for name, (right, counted) in floor.items()
        if got.get(name, [0, 0])[0] < right
    }
    assert not below, f"{set_name}: fields below their floor: {below}"


@pytest.mark.parametrize("set_name", SHARED_SETS)
def test_floor_counts_the_pages_labelled_now(results: dict[str, SetResult], set_name: str) -> None:
    # A label added or removed changes what a floor means: pin again, on purpose.
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))[set_name]
    counted = {name: cell[1] for name, cell in results[set_name].totals["tinlaodong"].items()}
    assert counted == {name: cell[1] for name, cell in floor.items()}


def test_hanoi_labels_occur_in_their_pages(sets: dict[str, LabelSet]) -> None:
    hanoi = sets["hanoi-portal-2022"]
    unfound = {e["file"]: unfound_labels(e, hanoi.page(e)) for e in hanoi.entries}
    assert not {file: misses for file, misses in unfound.items() if misses}
    entry = dict(hanoi.entries[0], body_end="a sentence the page does not hold")
    assert unfound_labels(entry, hanoi.page(entry)) == [f"body_end: {entry['body_end']!r}"]


def _entry(**fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "file": "x.html",
        "title": "Tiêu đề",
        "published": "2024-07-24T12:55+07:00",
        "author": None,
        "lead": None,
        "body_start": "Mở đầu",
        "body_end": "kết thúc.",
        "captions": [],
    }
    entry.update(fields)
    return entry


def _got(**fields: Any) -> Extracted:
    base: dict[str, Any] = {
        "title": "Tiêu đề",
        "text": "Mở đầu ... kết thúc.",
        "published": datetime(2024, 7, 24, 12, 55, tzinfo=_VIETNAM),
        "author": None,
        "date_only": False,
    }
    base.update(fields)
    return Extracted(**base)


def test_a_timed_page_reported_as_date_only_misses_its_time() -> None:
    midnight = datetime(2024, 7, 24, tzinfo=_VIETNAM)
    scores = score(_entry(), _got(published=midnight, date_only=True))
    assert scores["date"] == (1, 1)
    assert scores["time"] == (0, 1)
    assert scores["date_only"] == (0, 1)


def test_a_date_only_page_counts_no_time_and_wants_date_only() -> None:
    midnight = datetime(2024, 7, 24, tzinfo=_VIETNAM)
    entry = _entry(published="2024-07-24")
    assert "time" not in score(entry, _got(published=midnight, date_only=True))
    assert score(entry, _got(published=midnight, date_only=False))["date_only"] == (0, 1)


def test_a_lead_may_run_on_but_must_start_with_the_label() -> None:
    entry = _entry(lead="Sáng 24/7, hội nghị khai mạc.")
    assert score(entry, _got(lead="Sáng 24/7, hội nghị khai mạc. Tham dự có"))["lead"] == (1, 1)
    assert score(entry, _got(lead="Tham dự có"))["lead"] == (0, 1)
    assert score(_entry(), _got(lead="Tham dự có"))["lead"] == (0, 1)


def test_entities_that_lost_their_ampersand_read_as_their_characters() -> None:
    entry = _entry(title="Cuộc thi ldquo;Viết thư rdquo; lần thứ 51")
    assert score(entry, _got(title="Cuộc thi “Viết thư ” lần thứ 51"))["title"] == (1, 1)


def test_fields_bare_trafilatura_does_not_give_are_not_scored() -> None:
    got = _got(date_only=None, gives_time=False, gives_lead=False)
    assert {"time", "date_only", "lead"}.isdisjoint(score(_entry(lead="Sáng 24/7"), got))
