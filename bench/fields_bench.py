"""Per-field accuracy on real pages: tinlaodong against bare trafilatura, per CMS family.

Sets of hand-read labels (how each field is scored: ``bench/fields_scoring.py``):

- ``vn-dev``: ``../shared/corpus/vn-dev`` (pages and labels, read at run time);
- ``hanoi-portal-2022``: labels in ``bench/corpus/hanoi-portal-2022.json``, pages read from
  ``../shared/corpus/hanoi-portal-2022``;
- ``found`` (held out): labels in ``bench/corpus/found/expected.json``, pages from
  ``--found-pages`` (kept outside the project); skipped with a note when either is missing.

``--pin`` writes tinlaodong's counts on the sets of ``../shared`` to ``bench/fields_floor.json``,
the floor ``tests/test_fields_scores.py`` holds every field to.

    .venv/bin/python bench/fields_bench.py [--verbose] [--json FILE] [--tinlaodong-only] [--pin]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aggregator.exceptions import TinlaodongError  # noqa: E402
from aggregator.extraction import extract_article  # noqa: E402
from bench.fields_scoring import FIELDS, Extracted, Scores, expected_shown, score  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
LABELS = ROOT / "bench" / "corpus"
FLOOR = ROOT / "bench" / "fields_floor.json"
DEFAULT_FOUND_PAGES = Path("/work/extra-corpus/pages")
# The sets whose pages every developer and CI have (../shared): the ones pinned and tested.
SHARED_SETS = ("vn-dev", "hanoi-portal-2022")

Extractor = Callable[[bytes, str | None], Extracted | None]


@dataclass
class LabelSet:
    name: str
    entries: list[dict[str, Any]]
    pages: Path

    def page(self, entry: dict[str, Any]) -> bytes:
        return (self.pages / str(entry["file"])).read_bytes()


def label_sets(found_pages: Path = DEFAULT_FOUND_PAGES) -> tuple[list[LabelSet], list[str]]:
    """The sets that can be scored here, and a note for each one that cannot."""
    candidates = [
        ("vn-dev", SHARED / "vn-dev" / "expected.json", SHARED / "vn-dev" / "pages"),
        (
            "hanoi-portal-2022",
            LABELS / "hanoi-portal-2022.json",
            SHARED / "hanoi-portal-2022",
        ),
        ("found", LABELS / "found" / "expected.json", found_pages),
    ]
    sets: list[LabelSet] = []
    notes: list[str] = []
    for name, labels, pages in candidates:
        if not labels.is_file():
            notes.append(f"{name}: no labels at {labels}: skipped")
        elif not pages.is_dir():
            notes.append(f"{name}: no pages at {pages}: skipped")
        else:
            entries = json.loads(labels.read_text(encoding="utf-8"))
            kept = [e for e in entries if (pages / e["file"]).is_file()]
            if len(kept) < len(entries):
                notes.append(f"{name}: {len(entries) - len(kept)} labelled pages not in {pages}")
            sets.append(LabelSet(name, kept, pages))
    return sets, notes


def tinlaodong(page: bytes, url: str | None) -> Extracted | None:
    try:
        article = extract_article(page, url=url)
    except TinlaodongError:
        return None
    return Extracted(
        title=article.title,
        text=article.text,
        published=article.published,
        author=article.author,
        date_only=article.date_only,
        lead=article.lead,
    )


def bare_trafilatura(page: bytes, url: str | None) -> Extracted | None:
    """``trafilatura.bare_extraction`` with its defaults and metadata: days only, no lead."""
    document = trafilatura.bare_extraction(page, url=url, with_metadata=True)
    if document is None or isinstance(document, dict):
        return None
    day = date.fromisoformat(document.date) if document.date else None
    return Extracted(
        title=document.title,
        text=document.text or "",
        published=datetime.combine(day, time()) if day else None,
        author=document.author,
        gives_time=False,
        gives_lead=False,
    )


EXTRACTORS: dict[str, Extractor] = {"tinlaodong": tinlaodong, "trafilatura": bare_trafilatura}


@dataclass
class SetResult:
    """Counts of one set: per extractor and field, per family too, and each page's."""

    name: str
    pages: int = 0
    totals: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    families: dict[str, dict[str, dict[str, list[int]]]] = field(default_factory=dict)
    per_page: dict[str, dict[str, Scores]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def add(self, family: str, extractor: str, scores: Scores) -> None:
        for target in (
            self.totals.setdefault(extractor, {}),
            self.families.setdefault(family, {}).setdefault(extractor, {}),
        ):
            for name, (right, counted) in scores.items():
                cell = target.setdefault(name, [0, 0])
                cell[0] += right
                cell[1] += counted


def family_of(entry: dict[str, Any]) -> str:
    """The CMS family: the ``cms`` label without its theme or hosting remarks."""
    return str(entry.get("cms") or "unknown").split(" (")[0]


def run_set(labels: LabelSet, extractors: dict[str, Extractor]) -> SetResult:
    result = SetResult(labels.name, pages=len(labels.entries))
    for entry in labels.entries:
        page = labels.page(entry)
        family = family_of(entry)
        for name, extract in extractors.items():
            got = extract(page, entry.get("url"))
            scores = score(entry, got)
            result.add(family, name, scores)
            result.per_page.setdefault(entry["file"], {})[name] = scores
            result.misses.extend(_misses(entry, name, got, scores))
    return result


def _misses(
    entry: dict[str, Any], extractor: str, got: Extracted | None, scores: Scores
) -> Iterable[str]:
    for name, (right, counted) in scores.items():
        if right < counted:
            shown = got.shown(name) if got else "(nothing extracted)"
            yield (
                f"{entry['file']} [{extractor}] {name}: got {shown!r}\n"
                f"    expected {expected_shown(entry, name)!r}"
            )


def _cell(counts: list[int] | None) -> str:
    if not counts or not counts[1]:
        return "n/a"
    return f"{counts[0]}/{counts[1]} ({counts[0] / counts[1]:.2f})"


def field_table(result: SetResult) -> str:
    names = list(result.totals)
    lines = [
        f"| field | {' | '.join(names)} |",
        f"|---|{'---|' * len(names)}",
    ]
    for name in FIELDS:
        cells = [_cell(result.totals[extractor].get(name)) for extractor in names]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(lines)


def family_table(result: SetResult, labels: LabelSet) -> str:
    """Rows: CMS families; cells: right of counted, one count per extractor (``-``: n/a)."""
    pages: dict[str, int] = {}
    for entry in labels.entries:
        pages[family_of(entry)] = pages.get(family_of(entry), 0) + 1
    lines = [
        f"| CMS family (pages) | {' | '.join(FIELDS)} |",
        f"|---|{'---|' * len(FIELDS)}",
    ]
    for family, by_extractor in result.families.items():
        cells = []
        for name in FIELDS:
            counts = [by_extractor[e].get(name) for e in by_extractor]
            counted = max((c[1] for c in counts if c), default=0)
            rights = " / ".join(str(c[0]) if c else "-" for c in counts)
            cells.append(f"{rights} of {counted}" if counted else "")
        lines.append(f"| {family} ({pages[family]}) | {' | '.join(cells)} |")
    return "\n".join(lines)


def pin(results: list[SetResult], path: Path = FLOOR) -> None:
    """Write tinlaodong's [right, counted] per set and field, one field a line."""
    sets = []
    for result in results:
        if result.name not in SHARED_SETS:
            continue  # its pages are not beside every checkout: no test could hold it
        counts = result.totals["tinlaodong"]
        rows = ",\n".join(
            f'  "{name}": {json.dumps(counts[name])}' for name in FIELDS if name in counts
        )
        sets.append(f'"{result.name}": {{\n{rows}\n }}')
    path.write_text("{\n " + ",\n ".join(sets) + "\n}\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print each miss of each page")
    parser.add_argument("--json", type=Path, help="write the counts and per-page scores here")
    parser.add_argument("--tinlaodong-only", action="store_true", help="skip bare trafilatura")
    parser.add_argument("--pin", action="store_true", help=f"write tinlaodong's counts to {FLOOR}")
    parser.add_argument("--found-pages", type=Path, default=DEFAULT_FOUND_PAGES)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    extractors = dict(EXTRACTORS)
    if args.tinlaodong_only:
        del extractors["trafilatura"]
    sets, notes = label_sets(args.found_pages)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if not sets:
        # Not an error: a fresh clone has no ../shared, and `make bench` goes on without it.
        print("fields_bench: no label set has its pages here: nothing measured", file=sys.stderr)
        return 0
    results = []
    for labels in sets:
        result = run_set(labels, extractors)
        results.append(result)
        print(f"## {labels.name}: {result.pages} pages\n\n{field_table(result)}\n")
        print(f"Per CMS family ({' / '.join(result.totals)} right, of counted):\n")
        print(f"{family_table(result, labels)}\n")
        if args.verbose:
            print("\n".join(result.misses) + "\n")
    if args.json:
        data = {
            r.name: {
                "pages": r.pages,
                "totals": r.totals,
                "families": r.families,
                "per_page": r.per_page,
            }
            for r in results
        }
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.pin:
        pin(results)
        print(f"pinned tinlaodong's counts in {FLOOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
