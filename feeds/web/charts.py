"""Small charts drawn on the server as inline SVG (``templates/charts.html``): here the
geometry and colours, there the markup. A few kilobytes each, no script."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from feeds.web.data import Run

# Light to dark blue: 0, then five steps of the busiest day's count.
_SHADES = ("#eef1f4", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
OK, ERRORS, UNREACHABLE, UNUSUAL = "#2e7d32", "#f9a825", "#c62828", "#ef6c00"
_CELL, _GAP, _LABEL_WIDTH, _TOP = 11, 2, 118, 16


@dataclass(frozen=True)
class Mark:
    """A rectangle with its tooltip."""

    x: int
    y: int
    width: int
    height: int
    fill: str
    title: str


@dataclass(frozen=True)
class HeatRow:
    x: int  # where the (right-aligned) name ends
    y: int
    name: str
    cells: tuple[Mark, ...]


@dataclass(frozen=True)
class Heatmap:
    label: str
    width: int
    height: int
    days: tuple[tuple[int, str], ...]  # (x, "d/m") of the labelled columns
    rows: tuple[HeatRow, ...]


@dataclass(frozen=True)
class Strip:
    label: str
    width: int
    height: int
    cells: tuple[Mark, ...]


def heatmap(rows: Sequence[tuple[str, Counter[date]]], days: Sequence[date], label: str) -> Heatmap:
    """Stories per day (columns) per province (rows); darker is more."""
    busiest = max((n for _, counts in rows for n in counts.values()), default=0)
    width = _LABEL_WIDTH + len(days) * (_CELL + _GAP)
    height = _TOP + len(rows) * (_CELL + _GAP) + 2
    labels = tuple(
        (_LABEL_WIDTH + column * (_CELL + _GAP), f"{day.day}/{day.month}")
        for column, day in enumerate(days)
        if day.day == 1 or column == 0 or column % 7 == 0
    )
    drawn = []
    for row, (name, counts) in enumerate(rows):
        y = _TOP + row * (_CELL + _GAP)
        cells = tuple(
            Mark(
                _LABEL_WIDTH + column * (_CELL + _GAP),
                y,
                _CELL,
                _CELL,
                _shade(counts.get(day, 0), busiest),
                f"{name}, {day:%d/%m/%Y}: {counts.get(day, 0)}",
            )
            for column, day in enumerate(days)
        )
        drawn.append(HeatRow(_LABEL_WIDTH - 4, y + _CELL - 2, _short(name), cells))
    return Heatmap(label, width, height, labels, tuple(drawn))


def crawl_strip(runs: Sequence[Run], titles: Sequence[str], slots: int = 12) -> Strip:
    """A site's last crawls, oldest left: bar height is what each brought (new stories and
    sources, at least a sliver), colour its outcome."""
    bar, gap, height = 7, 2, 22
    width = slots * (bar + gap)
    busiest = max((r.new_stories + r.new_sources for r in runs), default=0) or 1
    offset = slots - len(runs[-slots:])
    bars = []
    for i, (run, title) in enumerate(zip(runs[-slots:], titles[-slots:], strict=True)):
        brought = run.new_stories + run.new_sources
        h = 3 if run.unreachable else max(3, round((height - 2) * brought / busiest))
        bars.append(
            Mark((offset + i) * (bar + gap), height - 1 - h, bar, h, outcome_colour(run), title)
        )
    return Strip(" · ".join(titles[-3:]), width, height, tuple(bars))


def outcome_colour(run: Run) -> str:
    if run.unreachable:
        return UNREACHABLE
    if not run.healthy:
        return UNUSUAL
    return ERRORS if run.errors else OK


def _shade(n: int, busiest: int) -> str:
    if n <= 0 or busiest <= 0:
        return _SHADES[0]
    step = 1 + min(4, (n - 1) * 5 // busiest)
    return _SHADES[step]


def _short(name: str, limit: int = 20) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
