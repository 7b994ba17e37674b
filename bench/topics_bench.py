"""Topic tags against hand labels: precision and recall per topic and overall, topics per story.

Labels: ``bench/corpus/topics-labels.json`` (how they were decided: its ``about``). Each story
is read the way the crawl reads it (``aggregator.extraction``) and tagged by the index's own
code (``aggregator.search.index.index_fields``, what ``refresh_index`` stores and the topic feeds
select by). Stories come from four places:

- ``mirror``: the offline mirror, built into a temporary directory (its two seed articles need
  ``../shared/seeds``);
- ``neardup``: the hand-written department news of ``tests/data/neardup_articles.yaml`` (bodies
  without a headline);
- ``vn-dev``, ``hanoi-portal-2022``: real pages of ``../shared/corpus``.

A story whose page is not here (a fresh clone has no ``../shared``) is left out with a note.
Scores are micro over (story, topic) pairs, for the dev stories and the held-out ones apart
(held out: the first byte of sha1("<source>:<path>") modulo 10 below 3, fixed before tuning).
``--pin`` writes the figures to ``bench/topics_floor.json``, the floor
``tests/test_topics_scores.py`` holds them to.

A second held-out set, ``found``: third-party stories labelled in
``bench/corpus/topics-found.json`` before the tagger ever saw them. Their texts are not in the
project; they are read from ``--found DIR`` (or ``$TOPICS_FOUND``, default
``/work/extra-corpus/topics``), one ``.txt`` a story (headline on the first line, then the text)
or a saved ``.html`` page. Their figures are a row of their own, never pinned nor tuned on;
their labeller's report of the tagger's errors has been read (general rules came of it), so
they are "found (errors seen, not tuned on)". ``every labelled story`` counts all of them.

    .venv/bin/python bench/topics_bench.py [--verbose] [--pin] [--found DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aggregator import yamlfile  # noqa: E402
from aggregator.exceptions import TinlaodongError  # noqa: E402
from aggregator.extraction import extract_article  # noqa: E402
from aggregator.search.index import index_fields  # noqa: E402
from aggregator.tags import TOPIC  # noqa: E402
from mirror.build import build_mirror, default_seeds_dir  # noqa: E402
from mirror.paths import BASE_URL_PLACEHOLDER, file_for_url  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "bench" / "corpus" / "topics-labels.json"
FLOOR = ROOT / "bench" / "topics_floor.json"
SHARED = ROOT.parent / "shared" / "corpus"
NEARDUP = ROOT / "tests" / "data" / "neardup_articles.yaml"
# The URL each real page was saved from, where its fields' labels give it (profiles go by host).
_URLS = (SHARED / "vn-dev" / "expected.json", ROOT / "bench" / "corpus" / "hanoi-portal-2022.json")
SPLITS = ("dev", "held-out")
FOUND_LABELS = ROOT / "bench" / "corpus" / "topics-found.json"
DEFAULT_FOUND_DIR = Path("/work/extra-corpus/topics")
FOUND = "found"  # the split of the third-party stories
EVERY = "every labelled story"  # dev, held-out and found together: the issue's >= 100 stories


@dataclass(frozen=True)
class Story:
    source: str
    path: str
    title: str
    text: str
    expected: frozenset[str]

    @property
    def split(self) -> str:
        if self.source == FOUND:
            return FOUND
        return held_out_or_dev(self.source, self.path)


def held_out_or_dev(source: str, path: str) -> str:
    return "held-out" if hashlib.sha1(f"{source}:{path}".encode()).digest()[0] % 10 < 3 else "dev"


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["labels"])


def load_stories(labels: list[dict[str, Any]]) -> tuple[list[Story], list[str]]:
    """The labelled stories that can be read here, and a note for each one that cannot."""
    stories: list[Story] = []
    notes: list[str] = []
    by_source: dict[str, list[dict[str, Any]]] = {}
    for entry in labels:
        by_source.setdefault(entry["source"], []).append(entry)
    for source, entries in by_source.items():
        reader = _READERS.get(source)
        if reader is None:
            notes.append(f"{source}: unknown source, {len(entries)} labels skipped")
            continue
        for entry, found in zip(entries, reader(entries), strict=True):
            if isinstance(found, str):
                notes.append(f"{source}:{entry['path']}: {found}")
            else:
                title, text = found
                stories.append(
                    Story(source, entry["path"], title, text, frozenset(entry["topics"]))
                )
    return stories, notes


_Read = tuple[str, str] | str  # (title, text), or why the story cannot be read here


def _mirror(entries: list[dict[str, Any]]) -> Iterator[_Read]:
    with tempfile.TemporaryDirectory() as tmp:
        sites = {site.id: site.root for site in build_mirror(Path(tmp), default_seeds_dir())}
        for entry in entries:
            site_id, _, rest = entry["path"].partition("/")
            if site_id not in sites:
                yield f"no mirror site {site_id}"
                continue
            page = sites[site_id] / file_for_url("/" + rest)
            if not page.is_file():
                yield "not built here (a seed article needs ../shared/seeds)"
                continue
            yield _extract(page.read_bytes(), BASE_URL_PLACEHOLDER + "/" + rest)


def _neardup(entries: list[dict[str, Any]]) -> Iterator[_Read]:
    articles = {a["id"]: a["text"] for a in yamlfile.read(NEARDUP)["articles"]}
    for entry in entries:
        text = articles.get(entry["path"])
        yield ("", text.strip()) if text else f"no article {entry['path']} in {NEARDUP.name}"


def _shared(source: str) -> Any:
    def read(entries: list[dict[str, Any]]) -> Iterator[_Read]:
        urls = _saved_urls()
        for entry in entries:
            page = SHARED / source / entry["path"]
            if not page.is_file():
                yield f"no page at {page}"
                continue
            yield _extract(page.read_bytes(), urls.get(page.name))

    return read


def _saved_urls() -> dict[str, str]:
    urls: dict[str, str] = {}
    for path in _URLS:
        if path.is_file():
            for entry in json.loads(path.read_text(encoding="utf-8")):
                if entry.get("url"):
                    urls[entry["file"]] = entry["url"]
    return urls


def _extract(page: bytes, url: str | None) -> _Read:
    try:
        article = extract_article(page, url=url)
    except TinlaodongError as exc:
        return f"not extracted: {exc}"
    return article.title or "", article.text


def load_found(folder: Path, labels: Path = FOUND_LABELS) -> tuple[list[Story], list[str]]:
    """The stories of ``labels`` whose text is in ``folder``, and a note for each other one."""
    entries = list(json.loads(labels.read_text(encoding="utf-8"))["labels"])
    if not folder.is_dir():
        return [], [f"{FOUND}: no folder {folder}, its {len(entries)} labelled stories left out"]
    stories: list[Story] = []
    notes: list[str] = []
    for entry in entries:
        found = _read_found(folder / entry["file"])
        if isinstance(found, str):
            notes.append(f"{FOUND}:{entry['file']}: {found}")
            continue
        title, text = found
        stories.append(Story(FOUND, entry["file"], title, text, frozenset(entry["topics"])))
    return stories, notes


def _read_found(path: Path) -> _Read:
    if not path.is_file():
        return f"no file {path}"
    if path.suffix == ".txt":
        # The headline is the first line; the text is the rest, as the page shows it.
        title, _, text = path.read_text(encoding="utf-8").partition("\n")
        return title.strip(), text.strip()
    return _extract(path.read_bytes(), None)


_READERS = {
    "mirror": _mirror,
    "neardup": _neardup,
    "vn-dev": _shared("vn-dev"),
    "hanoi-portal-2022": _shared("hanoi-portal-2022"),
}


def topics_of(story: Story) -> frozenset[str]:
    """The topics the index stores for the story."""
    *_, tags = index_fields(story.title, story.text)
    return frozenset(value for kind, value in tags if kind == TOPIC)


@dataclass
class Counts:
    """True positives, false positives and false negatives of (story, topic) pairs."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, got: frozenset[str], expected: frozenset[str]) -> None:
        self.tp += len(got & expected)
        self.fp += len(got - expected)
        self.fn += len(expected - got)


@dataclass
class Result:
    stories: int = 0
    overall: Counts = field(default_factory=Counts)
    per_topic: dict[str, Counts] = field(default_factory=dict)
    per_story: list[int] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def as_floor(self) -> dict[str, Any]:
        """The counts the floor is (precision and recall are worked out from them again)."""
        counts = self.overall
        return {"stories": self.stories, "tp": counts.tp, "fp": counts.fp, "fn": counts.fn}


def score(stories: Iterable[Story]) -> dict[str, Result]:
    """Per split (dev, held-out, found), for the dev and held-out stories together (``all``)
    and for every labelled story (``EVERY``), the row the issue's target is about.

    The found stories stay out of ``all``, so that the pinned floors and the per-topic table mean
    what they meant before they came.
    """
    results = {name: Result() for name in (*SPLITS, "all", FOUND, EVERY)}
    for story in stories:
        got = topics_of(story)
        scored = (
            (results[FOUND],) if story.split == FOUND else (results[story.split], results["all"])
        ) + (results[EVERY],)
        for result in scored:
            result.stories += 1
            result.overall.add(got, story.expected)
            result.per_story.append(len(got))
            for topic in got | story.expected:
                result.per_topic.setdefault(topic, Counts()).add(
                    got & {topic}, story.expected & {topic}
                )
            if got != story.expected:
                result.misses.append(
                    f"[{story.split}] {story.source}:{story.path} {story.title[:60]!r}\n"
                    f"    got {sorted(got)}, labelled {sorted(story.expected)}"
                )
    return results


def _rates(counts: Counts) -> str:
    found, labelled = counts.tp + counts.fp, counts.tp + counts.fn
    precision = f"{counts.precision:.2f} ({counts.tp}/{found})"
    return f"{precision} | {counts.recall:.2f} ({counts.tp}/{labelled})"


def report(results: dict[str, Result]) -> str:
    lines = [
        "| stories | n | precision | recall | topics per story (mean, max) |",
        "|---|---|---|---|---|",
    ]
    for name, result in results.items():
        if name in (FOUND, EVERY) and not results[FOUND].stories:
            continue  # without the found stories, every labelled story is "all"
        per_story = result.per_story or [0]
        mean = sum(per_story) / len(per_story)
        lines.append(
            f"| {name} | {result.stories} | {_rates(result.overall)}"
            f" | {mean:.2f}, {max(per_story)} |"
        )
    lines += ["", "| topic (all stories) | precision | recall |", "|---|---|---|"]
    for topic, counts in sorted(results["all"].per_topic.items()):
        lines.append(f"| {topic} | {_rates(counts)} |")
    found = results.get(FOUND)
    if found and found.stories:
        lines += [
            "",
            f"| topic ({FOUND}: errors seen, not tuned on) | precision | recall |",
            "|---|---|---|",
        ]
        for topic, counts in sorted(found.per_topic.items()):
            lines.append(f"| {topic} | {_rates(counts)} |")
    return "\n".join(lines)


def pin(results: dict[str, Result], path: Path = FLOOR) -> None:
    floor = {name: results[name].as_floor() for name in SPLITS}
    path.write_text(json.dumps(floor, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print each story tagged wrong")
    parser.add_argument("--pin", action="store_true", help=f"write the figures to {FLOOR}")
    parser.add_argument(
        "--found",
        type=Path,
        default=Path(os.environ.get("TOPICS_FOUND", DEFAULT_FOUND_DIR)),
        help="folder of the third-party stories of topics-found.json "
        "(default: $TOPICS_FOUND or %(default)s)",
    )
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    stories, notes = load_stories(load_labels())
    found: list[Story] = []
    if args.found.is_dir():
        found, found_notes = load_found(args.found)
        notes += found_notes
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    results = score(stories + found)
    counted = ", ".join(f"{k} {v}" for k, v in Counter(s.source for s in stories + found).items())
    print(f"## Topics: {len(stories) + len(found)} labelled stories ({counted})\n")
    if not args.found.is_dir():
        print(f"{FOUND}: no folder {args.found}, its third-party stories are left out (--found)\n")
    print(report(results) + "\n")
    if args.verbose:
        print("\n".join(results["all"].misses + results[FOUND].misses) + "\n")
    if args.pin:
        pin(results)
        print(f"pinned the dev and held-out figures in {FLOOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
