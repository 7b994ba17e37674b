"""CPU time and text quality of ``extract_article`` against bare ``trafilatura.extract``.

Data: ``../shared/corpus/fundus-eval`` (80 English news pages ``html/*.html.gz`` and
``ground_truth.json`` giving each file's ``url`` and ``body`` paragraphs), read at run time.

Quality is token F1, the bag-of-words measure of extraction benchmarks (trafilatura's,
Fundus's): text and ground truth are lower-cased and split into word tokens (``\\w+``);
the overlap is the multiset intersection of the two bags; precision = overlap / tokens
extracted, recall = overlap / ground-truth tokens, F1 their harmonic mean. F1 is computed per
page (0 when nothing is extracted) and averaged over pages.

CPU time is ``time.process_time()`` over all pages, the best of ``--repeat`` runs, with the
pages decompressed beforehand. Requirement: ours <= 1.5x trafilatura's CPU time, F1 >= its.

    .venv/bin/python bench/extract_bench.py [--repeat 3] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from aggregator.exceptions import TinlaodongError
from aggregator.extraction import extract_article

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "fundus-eval"
MAX_CPU_RATIO = 1.5
_TOKEN = re.compile(r"\w+")

Page = tuple[bytes, str, str]  # html, url, ground-truth text
Extractor = Callable[[bytes, str], str]


def load_pages(corpus: Path) -> list[Page]:
    truth = json.loads((corpus / "ground_truth.json").read_text(encoding="utf-8"))
    pages = []
    for name, entry in sorted(truth.items()):
        html = gzip.decompress((corpus / "html" / name).read_bytes())
        body = entry["body"]
        expected = "\n".join(body) if isinstance(body, list) else str(body)
        pages.append((html, entry["url"], expected))
    return pages


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def f1(extracted: str, expected: str) -> float:
    got, want = tokens(extracted), tokens(expected)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def bare_trafilatura(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url) or ""


def ours(html: bytes, url: str) -> str:
    try:
        return extract_article(html, url=url).text
    except TinlaodongError:
        return ""


def measure(extractor: Extractor, pages: list[Page], repeat: int) -> tuple[float, float]:
    """Best CPU seconds over ``repeat`` runs and mean F1."""
    best = float("inf")
    texts: list[str] = []
    for _ in range(repeat):
        start = time.process_time()
        texts = [extractor(html, url) for html, url, _ in pages]
        best = min(best, time.process_time() - start)
    score = sum(f1(text, expected) for text, (_, _, expected) in zip(texts, pages, strict=True))
    return best, score / len(pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per extractor (best kept)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    if not (args.corpus / "ground_truth.json").is_file():
        print(
            f"extract_bench: no evaluation corpus at {args.corpus} (../shared is not beside "
            "the checkout?): nothing to measure",
            file=sys.stderr,
        )
        return 2
    logging.disable(logging.WARNING)  # trafilatura logs every discarded page
    pages = load_pages(args.corpus)
    ours(*pages[0][:2])  # warm-up: imports, dateparser's and trafilatura's lazy set-up
    base_cpu, base_f1 = measure(bare_trafilatura, pages, args.repeat)
    our_cpu, our_f1 = measure(ours, pages, args.repeat)
    ratio = our_cpu / base_cpu
    print(f"{len(pages)} pages, best of {args.repeat} runs\n")
    print(f"{'extractor':<28}{'CPU s':>8}{'F1':>8}")
    print(f"{'trafilatura.extract':<28}{base_cpu:>8.2f}{base_f1:>8.3f}")
    print(f"{'extract_article':<28}{our_cpu:>8.2f}{our_f1:>8.3f}")
    print(f"\nCPU ratio {ratio:.2f} (limit {MAX_CPU_RATIO}), F1 difference {our_f1 - base_f1:+.3f}")
    passed = ratio <= MAX_CPU_RATIO and our_f1 >= base_f1
    print("requirement met" if passed else "REQUIREMENT NOT MET")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
