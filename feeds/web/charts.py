"""Small charts as inline SVG, drawn on the server: no script, readable without colour (each
mark has a ``<title>``, each chart an ``aria-label``), a few kilobytes each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from html import escape

from feeds.web.data import Run

# Light to dark blue: 0, then five steps of the busiest day's count.
_SHADES = ("#eef1f4", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
OK, ERRORS, UNREACHABLE, UNUSUAL = "#2e7d32", "#f9a825", "#c62828", "#ef6c00"
_CELL, _GAP, _LABEL_WIDTH, _TOP = 11, 2, 118, 16


def heatmap(
    rows: Sequence[tuple[str, Counter[date]]], days: Sequence[date], label: str
) -> str:
    """Stories per day (columns) per province (rows); darker is more."""
    busiest = max((n for _, counts in rows for n in counts.values()), default=0)
    width = _LABEL_WIDTH + len(days) * (_CELL + _GAP)
    height = _TOP + len(rows) * (_CELL + _GAP) + 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
        f' aria-label="{escape(label)}" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" font-size="10" font-family="system-ui, sans-serif">'
    ]
    for column, day in enumerate(days):
        if day.day == 1 or column == 0 or column % 7 == 0:
            x = _LABEL_WIDTH + column * (_CELL + _GAP)
            parts.append(f'<text x="{x}" y="10" fill="#555">{day.day}/{day.month}</text>')
    for row, (name, counts) in enumerate(rows):
        y = _TOP + row * (_CELL + _GAP)
        parts.append(
            f'<text x="{_LABEL_WIDTH - 4}" y="{y + _CELL - 2}" text-anchor="end"'
            f' fill="#222">{escape(_short(name))}</text>'
        )
        for column, day in enumerate(days):
            n = counts.get(day, 0)
            x = _LABEL_WIDTH + column * (_CELL + _GAP)
            parts.append(
                f'<rect x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" rx="2"'
                f' fill="{_shade(n, busiest)}"><title>{escape(name)}, {day:%d/%m/%Y}: {n}'
                "</title></rect>"
            )
    parts.append("</svg>")
    return "".join(parts)


def crawl_strip(runs: Sequence[Run], titles: Sequence[str], slots: int = 12) -> str:
    """A site's last crawls, oldest left: bar height is what each brought (new stories and
    sources, at least a sliver), colour its outcome."""
    bar, gap, height = 7, 2, 22
    width = slots * (bar + gap)
    busiest = max((r.new_stories + r.new_sources for r in runs), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="strip" role="img" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}"'
        f' aria-label="{escape(" · ".join(titles[-3:]))}">'
        f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" stroke="#ccc"/>'
    ]
    offset = slots - len(runs[-slots:])
    for i, (run, title) in enumerate(zip(runs[-slots:], titles[-slots:], strict=True)):
        brought = run.new_stories + run.new_sources
        h = 3 if run.unreachable else max(3, round((height - 2) * brought / busiest))
        x = (offset + i) * (bar + gap)
        parts.append(
            f'<rect x="{x}" y="{height - 1 - h}" width="{bar}" height="{h}"'
            f' fill="{outcome_colour(run)}"><title>{escape(title)}</title></rect>'
        )
    parts.append("</svg>")
    return "".join(parts)


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
