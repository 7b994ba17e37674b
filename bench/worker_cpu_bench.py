"""CPU a page of what each extraction worker runs (``extract_outcome``) against bare
``trafilatura.extract`` on the same real pages, in the same process.

    .venv/bin/python bench/worker_cpu_bench.py                  # every corpus, best of 5
    .venv/bin/python bench/worker_cpu_bench.py --rounds 3 --corpus vn-dev
    .venv/bin/python bench/worker_cpu_bench.py --profile        # and where our CPU goes

The pages are those of ``../shared/corpus`` (``vn-dev``, ``hanoi-portal-2022``,
``fundus-eval``; ``bench/realpages.py`` reads them), read beforehand. Each is handed over as
the crawl of ``bench/real_pages_bench.py`` would: its bytes, its loopback URL there
(``http://127.0.0.1:PORT/NAME-v1.html``, one port a host), no profile (the real-pages
registry names none), no charset header, no CPU deadline. Bare trafilatura gets the same bytes
and URL.

CPU is ``time.process_time()`` of this process, each page's best of ``--rounds`` rounds after
one warm-up round (imports, lazy set-ups), summed over a corpus's pages; ours and bare
trafilatura run one after the other on each page, so a busy machine weighs on both alike.

``--profile``: one more round of ours under cProfile, printing the cumulative CPU of our own
functions (``aggregator.*``) and of the libraries they call, as a share of the round.
Figures and what bounds them: docs/performance.md, "Real pages".
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aggregator.extraction import extract_outcome  # noqa: E402
from bench import realpages  # noqa: E402

FIRST_PORT = 8081
DEFAULT_ROUNDS = 5
SHOWN = 45  # rows of the profile's breakdown

Page = tuple[bytes, str]  # body, URL


def crawl_pages(corpus: str) -> list[Page]:
    """The corpus's pages with the URLs the real-pages crawl fetches them by."""
    pages = realpages.corpus_pages(corpus)
    ports = {host: FIRST_PORT + n for n, host in enumerate(sorted({p.host for p in pages}))}
    return [(p.html, f"http://127.0.0.1:{ports[p.host]}/{p.name}-v1.html") for p in pages]


def ours(body: bytes, url: str) -> object:
    return extract_outcome(body, url, None, None)


def bare(body: bytes, url: str) -> object:
    return trafilatura.extract(body, url=url)


def cpu_of(run: Callable[[bytes, str], object], pages: list[Page]) -> float:
    start = time.process_time()
    for body, url in pages:
        run(body, url)
    return time.process_time() - start


def measure(pages: list[Page], rounds: int) -> tuple[float, float]:
    """CPU seconds of ours and of bare trafilatura over the pages: each page's best of
    ``rounds``, the two run one after the other on each page, summed over the pages (on a
    shared machine a page's best is steadier than a whole round's)."""
    cpu_of(ours, pages)
    cpu_of(bare, pages)
    best_ours = [float("inf")] * len(pages)
    best_bare = [float("inf")] * len(pages)
    for _ in range(rounds):
        for number, page in enumerate(pages):
            best_ours[number] = min(best_ours[number], cpu_of(ours, [page]))
            best_bare[number] = min(best_bare[number], cpu_of(bare, [page]))
    return sum(best_ours), sum(best_bare)


def profile_breakdown(pages: list[Page]) -> list[str]:
    """Cumulative CPU of our functions and the libraries' entry points, one round of ours."""
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    cpu_of(ours, pages)
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    raw = stats.stats  # type: ignore[attr-defined]
    total = max(value[3] for value in raw.values())
    rows: list[tuple[float, float, int, str]] = []
    for (file, line, function), (_, calls, own, cumulative, _) in raw.items():
        rows.append((cumulative, own, calls, _where(file, line, function)))
    rows.sort(reverse=True)
    lines = [f"{'cumulative':>10} {'own':>6} {'calls':>7}  function (of {total:.3f} s)"]
    for cumulative, own, calls, where in rows[:SHOWN]:
        lines.append(f"{cumulative / total:>10.1%} {own / total:>6.1%} {calls:>7}  {where}")
    return lines


def _where(file: str, line: int, function: str) -> str:
    for marker in ("/aggregator/", "/site-packages/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{file}:{line} {function}" if line else function


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="best of N rounds")
    parser.add_argument(
        "--corpus", action="append", choices=realpages.CORPORA, help="one corpus (repeatable)"
    )
    parser.add_argument("--profile", action="store_true", help="print where our CPU goes")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura logs every discarded page
    corpora = [c for c in args.corpus or realpages.CORPORA if (realpages.SHARED / c).is_dir()]
    if not corpora:
        print(f"no real pages under {realpages.SHARED}: nothing to measure", file=sys.stderr)
        return 2
    print(f"CPU ms a page (process time), each page's best of {args.rounds} rounds\n")
    print(f"{'corpus':<20}{'pages':>6}{'ours':>9}{'bare':>9}{'ratio':>8}")
    for corpus in corpora:
        pages = crawl_pages(corpus)
        mine, theirs = measure(pages, args.rounds)
        print(
            f"{corpus:<20}{len(pages):>6}{1000 * mine / len(pages):>9.1f}"
            f"{1000 * theirs / len(pages):>9.1f}{mine / theirs:>7.2f}x",
            flush=True,
        )
        if args.profile:
            print()
            print("\n".join(profile_breakdown(pages)))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
