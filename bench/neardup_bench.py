"""Near-duplicate detection on labelled pairs: precision, recall and F1 over thresholds.

Data: ``tests/data/neardup_pairs.yaml``: article bodies (``texts``) and labelled ``pairs``
(``same: true`` for two versions of one story, ``false`` for two different stories). It is
built by ``--write`` from the hand-written bodies of ``tests/data/neardup_articles.yaml`` and
the mirror's own articles (``mirror/content/*.yaml``), with the edits syndication makes:

- same story: ``headline`` (a headline line above the body, as generic extraction keeps it),
  ``lead`` (a paragraph added on top), ``credit`` ("Nguồn: Sở LĐ-TB&XH tỉnh X" below),
  ``chrome`` (a share bar or photo-credit line and a credit), ``half`` (cut short to the first
  half of its paragraphs), ``half-lead-credit`` (all three), ``tones`` (old/new tone-mark
  placement: "hoá" / "hóa", "thuỷ" / "thủy"), ``reworded`` and ``typos`` (hand-written);
- different stories: ``hard`` (hand-written: the same kind of event, the same formulas),
  ``hard-edited`` (one of them edited as above), ``same-site`` (two mirror articles of one site).

A pair counts as detected when the two sketches share an LSH band key and pass the thresholds,
as ``StoryStore`` decides. Besides the labelled pairs, every pair of texts of different stories
in the file is checked and false merges among them are counted (``all-pairs``).

    .venv/bin/python bench/neardup_bench.py            # the sweep and the chosen thresholds
    .venv/bin/python bench/neardup_bench.py --write    # rebuild tests/data/neardup_pairs.yaml
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from aggregator import yamlfile
from aggregator.store import neardup
from aggregator.store.neardup import Sketch, Thresholds

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "tests" / "data" / "neardup_articles.yaml"
PAIRS = ROOT / "tests" / "data" / "neardup_pairs.yaml"
SHINGLE_SIZES = (2, 3, 4, 5, 6)
JACCARD_GRID = tuple(round(0.2 + 0.05 * i, 2) for i in range(15))  # 0.2 .. 0.9
CONTAINMENT_GRID = (None, *(round(0.5 + 0.02 * i, 2) for i in range(24)))  # 0.5 .. 0.96
MIN_SHINGLES = neardup.CONTAINMENT_MIN_SHINGLES
_TONES = (("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oạ", "ọa"), ("uỷ", "ủy"), ("uý", "úy"))


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same: bool
    kind: str


def load(path: Path = PAIRS) -> tuple[dict[str, str], list[Pair]]:
    """The texts (id -> body) and the labelled pairs of a pairs file."""
    data = yamlfile.read(path)
    pairs = [Pair(p["a"], p["b"], bool(p["same"]), p["kind"]) for p in data["pairs"]]
    return dict(data["texts"]), pairs


def story_of(text_id: str) -> str:
    return text_id.split("~", 1)[0]


# --- building the pairs file -------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    id: str
    text: str
    headline: str
    publisher: str


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _join(paragraphs: Iterable[str]) -> str:
    return "\n\n".join(paragraphs)


def _bases(articles: dict[str, Any]) -> list[Base]:
    from mirror.content import load_articles
    from mirror.sites import spec_for

    bases = [
        Base(a["id"], _join(_paragraphs(a["text"])), _paragraphs(a["text"])[0][:90], a["publisher"])
        for a in articles["articles"]
    ]
    for m in load_articles(None):
        if m.republishes or not m.paragraphs:
            continue  # the verbatim copy is already a pair of the crawl tests
        body = _join(([m.lead] if m.lead else []) + list(m.paragraphs))
        bases.append(Base(f"{m.site_id}-{m.id}", body, m.headline, spec_for(m.site_id).chrome.name))
    return bases


def _tones(text: str) -> str:
    for old, new in _TONES:
        text = text.replace(old, new) if old in text else text.replace(new, old)
    return text


def _variants(base: Base, i: int, extra: dict[str, Any]) -> dict[str, str]:
    paragraphs = _paragraphs(base.text)
    half = paragraphs[: math.ceil(len(paragraphs) / 2)]
    lead = extra["leads"][i % len(extra["leads"])]
    chrome = extra["chrome"][i % len(extra["chrome"])]
    credit = f"Nguồn: {base.publisher}"
    made = {
        "headline": _join([base.headline, *paragraphs]),
        "lead": _join([lead, *paragraphs]),
        "credit": _join([*paragraphs, credit]),
        "chrome": _join([*paragraphs, chrome, credit]),
        "half": _join(half),
        "half-lead-credit": _join([lead, *half, credit]),
        "tones": _tones(base.text),
    }
    # Every base gets half and the combined edit (the hard ones) and two of the others in turn.
    others = ["headline", "lead", "credit", "chrome", "tones"]
    kept = {"half", "half-lead-credit", others[i % 5], others[(i + 2) % 5]}
    if made["tones"] == base.text:
        kept.discard("tones")
    return {kind: text for kind, text in made.items() if kind in kept}


def build(articles_path: Path = ARTICLES) -> dict[str, Any]:
    articles = yamlfile.read(articles_path)
    bases = _bases(articles)
    texts: dict[str, str] = {}
    pairs: list[dict[str, object]] = []
    for i, base in enumerate(bases):
        texts[base.id] = base.text
        for kind, text in _variants(base, i, articles).items():
            texts[f"{base.id}~{kind}"] = text
            pairs.append({"a": base.id, "b": f"{base.id}~{kind}", "same": True, "kind": kind})
    for article in articles["articles"]:
        for kind, text in (article.get("variants") or {}).items():
            texts[f"{article['id']}~{kind}"] = _join(_paragraphs(text))
            pairs.append(
                {"a": article["id"], "b": f"{article['id']}~{kind}", "same": True, "kind": kind}
            )
    for a, b in articles["hard_negatives"]:
        pairs.append({"a": a, "b": b, "same": False, "kind": "hard"})
        pairs.append({"a": f"{a}~half", "b": b, "same": False, "kind": "hard-edited"})
        pairs.append({"a": a, "b": f"{b}~half-lead-credit", "same": False, "kind": "hard-edited"})
    by_site: dict[str, list[str]] = {}
    for base in bases:
        if base.id.startswith("mirror-"):
            by_site.setdefault(base.id.rsplit("-", 1)[0], []).append(base.id)
    for members in by_site.values():
        for a, b in itertools.combinations(members, 2):
            pairs.append({"a": a, "b": b, "same": False, "kind": "same-site"})
    return {"texts": texts, "pairs": pairs}


def write(path: Path = PAIRS) -> None:
    header = (
        "# Generated by `bench/neardup_bench.py --write` from tests/data/neardup_articles.yaml\n"
        "# and mirror/content/*.yaml: review the diff, do not edit by hand.\n"
    )
    body = yaml.safe_dump(build(), allow_unicode=True, sort_keys=False, width=100)
    path.write_text(header + body, encoding="utf-8")


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    false_pairs: list[Pair]


def candidates(a: Sketch, b: Sketch) -> bool:
    return bool(set(a.band_keys()) & set(b.band_keys()))


def evaluate(
    texts: dict[str, str], pairs: list[Pair], thresholds: Thresholds, shingle_words: int
) -> Score:
    sketches = {key: neardup.sketch(text, shingle_words) for key, text in texts.items()}
    return _score(sketches, pairs, thresholds)


def _detected(sketches: dict[str, Sketch], pair: Pair, thresholds: Thresholds) -> bool:
    a, b = sketches[pair.a], sketches[pair.b]
    return candidates(a, b) and thresholds.same_story(a, b)


def _score(sketches: dict[str, Sketch], pairs: list[Pair], thresholds: Thresholds) -> Score:
    tp = fp = fn = 0
    wrong = []
    for pair in pairs:
        found = _detected(sketches, pair, thresholds)
        tp += found and pair.same
        fp += found and not pair.same
        fn += pair.same and not found
        if found != pair.same:
            wrong.append(pair)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, wrong)


def all_pairs_false_merges(
    texts: dict[str, str], thresholds: Thresholds, shingle_words: int
) -> list[tuple[str, str]]:
    """Pairs of texts of different stories in the file that would be merged."""
    sketches = {key: neardup.sketch(text, shingle_words) for key, text in texts.items()}
    return [
        (a, b)
        for a, b in itertools.combinations(sorted(sketches), 2)
        if story_of(a) != story_of(b)
        and _detected(sketches, Pair(a, b, False, "all-pairs"), thresholds)
    ]


@dataclass(frozen=True)
class Measured:
    """Per pair: Jaccard and containment estimates, smaller size, LSH candidate, label."""

    jaccard: np.ndarray
    containment: np.ndarray
    smaller: np.ndarray
    candidate: np.ndarray
    same: np.ndarray

    def detected(self, t: Thresholds) -> np.ndarray:
        by_containment = (self.smaller >= t.containment_min_shingles) & (
            self.containment >= t.containment
        )
        return self.candidate & ((self.jaccard >= t.jaccard) | by_containment)


def measure(sketches: dict[str, Sketch], pairs: Iterable[tuple[str, str, bool]]) -> Measured:
    rows = [
        (
            sketches[a].jaccard(sketches[b]),
            sketches[a].containment(sketches[b]),
            min(sketches[a].size, sketches[b].size),
            candidates(sketches[a], sketches[b]),
            same,
        )
        for a, b, same in pairs
    ]
    columns = list(zip(*rows, strict=True))
    return Measured(*(np.array(c) for c in columns))


def choose(labelled: Measured, others: Measured) -> tuple[Thresholds, float, float]:
    """The thresholds with no false merge (labelled pairs and all other pairs of different
    stories) and the best recall; among those, the farthest from the closest negative."""
    negatives = np.concatenate([labelled.jaccard[~labelled.same], others.jaccard])
    neg_c = np.concatenate(
        [
            np.where(
                labelled.smaller[~labelled.same] >= MIN_SHINGLES,
                labelled.containment[~labelled.same],
                0.0,
            ),
            np.where(others.smaller >= MIN_SHINGLES, others.containment, 0.0),
        ]
    )
    best: tuple[float, float, Thresholds] | None = None
    for j, c in itertools.product(JACCARD_GRID, CONTAINMENT_GRID):
        t = Thresholds(jaccard=j, containment=c or 1.01, containment_min_shingles=MIN_SHINGLES)
        found = labelled.detected(t)
        if (found & ~labelled.same).any() or others.detected(t).any():
            continue
        recall = float((found & labelled.same).sum() / labelled.same.sum())
        margin = min(j - float(negatives.max()), (c or 1.0) - float(neg_c.max()))
        if best is None or (recall, margin) > (best[0], best[1]):
            best = (recall, margin, t)
    assert best is not None
    return best[2], best[0], best[1]


def sweep(texts: dict[str, str], pairs: list[Pair]) -> None:
    print(
        f"{len(pairs)} labelled pairs: {sum(p.same for p in pairs)} same story, "
        f"{sum(not p.same for p in pairs)} different; {len(texts)} texts"
    )
    print(
        f"LSH: {neardup.BANDS} bands x {neardup.ROWS} rows of {neardup.NUM_PERM} values; "
        f"containment only between bodies of >= {MIN_SHINGLES} shingles"
    )
    others = [
        (a, b, False)
        for a, b in itertools.combinations(sorted(texts), 2)
        if story_of(a) != story_of(b)
    ]
    for words in SHINGLE_SIZES:
        sketches = {key: neardup.sketch(text, words) for key, text in texts.items()}
        labelled = measure(sketches, [(p.a, p.b, p.same) for p in pairs])
        t, recall, margin = choose(labelled, measure(sketches, others))
        print(
            f"  shingles of {words} words: recall {recall:.3f} at precision 1 (and no false "
            f"merge among {len(others)} other pairs) with jaccard >= {t.jaccard}, "
            f"containment >= {t.containment}; margin to the closest negative {margin:.2f}"
        )
    words = neardup.SHINGLE_WORDS
    sketches = {key: neardup.sketch(text, words) for key, text in texts.items()}
    labelled = measure(sketches, [(p.a, p.b, p.same) for p in pairs])
    print(
        f"\nshingles of {words} words; rows: jaccard threshold, columns: containment "
        f"(- = off); cells: precision/recall on the labelled pairs"
    )
    print("        " + " ".join(f"{c if c else '-':>9}" for c in CONTAINMENT_GRID))
    for j in JACCARD_GRID:
        cells = []
        for c in CONTAINMENT_GRID:
            found = labelled.detected(Thresholds(j, c or 1.01, MIN_SHINGLES))
            tp = int((found & labelled.same).sum())
            precision = tp / int(found.sum()) if found.any() else 1.0
            cells.append(f"{precision:.2f}/{tp / int(labelled.same.sum()):.2f}")
        print(f"  {j:<5} " + " ".join(f"{cell:>9}" for cell in cells))
    chosen = neardup.DEFAULT_THRESHOLDS
    s = _score(sketches, pairs, chosen)
    print(
        f"\nchosen: {words}-word shingles, jaccard >= {chosen.jaccard}, containment >= "
        f"{chosen.containment} (bodies of >= {chosen.containment_min_shingles} shingles)"
    )
    print(f"  precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}")
    for kind in sorted({p.kind for p in pairs}):
        of_kind = [p for p in pairs if p.kind == kind]
        right = sum(_detected(sketches, p, chosen) == p.same for p in of_kind)
        print(f"  {kind:<18} {right}/{len(of_kind)} right")
    for pair in s.false_pairs:
        a, b = sketches[pair.a], sketches[pair.b]
        print(
            f"  wrong: {pair.kind}: {pair.a} / {pair.b}: jaccard {a.jaccard(b):.2f}, "
            f"containment {a.containment(b):.2f}, {min(a.size, b.size)} shingles"
        )
    merges = all_pairs_false_merges(texts, chosen, words)
    print(f"  all-pairs: {len(merges)} false merges among {len(others)} pairs of different stories")
    for a, b in merges:
        print(f"    {a} / {b}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rebuild " + str(PAIRS))
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    args = parser.parse_args(argv)
    if args.write:
        write(args.pairs)
        print(f"wrote {args.pairs}")
    texts, pairs = load(args.pairs)
    sweep(texts, pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
