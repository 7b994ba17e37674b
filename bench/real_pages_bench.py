"""The crawl against bare trafilatura on real pages, served over loopback HTTP.

    .venv/bin/python bench/real_pages_bench.py                 # 10 copies of each page
    .venv/bin/python bench/real_pages_bench.py --quick         # 3 copies: 2-4 minutes
    .venv/bin/python bench/real_pages_bench.py --variants 25 --corpus vn-dev

The pages are those of ``../shared/corpus`` (``vn-dev``, ``hanoi-portal-2022``,
``fundus-eval``), read at run time, each served under ``--variants`` URLs with a paragraph of
its body text reworded per copy (``bench/realpages.py``), one site per host the pages were
saved from, the articles listed in each site's sitemap only. For each corpus, on exactly the
same files:

1. bare ``trafilatura.extract`` in a process of its own (``bench/bare_run.py``), one core, and
   in two processes at once, each on half the pages (the two-core comparison);
2. the real ``tinlaodong crawl --all --no-throttle`` into a fresh data directory: on every CPU,
   and on one CPU (``TINLAODONG_EXTRACT_WORKERS=1``, the crawl's process tree pinned to the
   first CPU, the server on the others), each run just after a bare one-core run, each ratio
   of the pair. The crawl's CPU is its process tree's (``os.wait4`` rusage: the crawl reaps
   its workers, forked from it, or its fork server, which reaped them); the loopback server
   runs in this process and its CPU is reported apart.

Prints a table and each crawl's site statuses and faults; writes the figures to
``bench/results/real-<date>-<commit>.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import realpages  # noqa: E402
from bench.crawl_bench import Crawl, run_crawl, short_commit  # noqa: E402
from mirror.server import MirrorServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VARIANTS = 10
QUICK_VARIANTS = 3
# Below this share of a CPU for the bare run, the host was busy with other work.
BUSY_HOST = 0.9


@dataclass
class Bare:
    """One bare trafilatura run: pages, CPU seconds (summed over its processes) and the wall
    seconds of its extraction loop (the longest, with two processes)."""

    pages: int
    cpu: float
    wall: float


def bare(pages_files: list[Path]) -> Bare:
    """Bare ``trafilatura.extract`` over each file's pages, one process a file, all at once."""
    command = [sys.executable, str(ROOT / "bench" / "bare_run.py")]
    running = [
        subprocess.Popen([*command, str(f)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
        for f in pages_files
    ]
    results = []
    for process in running:
        out, _ = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"bench/bare_run.py failed ({process.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return Bare(
        pages=sum(r["pages"] for r in results),
        cpu=sum(r["cpu"] for r in results),
        wall=max(r["wall"] for r in results),
    )


@dataclass
class CorpusRun:
    corpus: str
    originals: int  # real pages
    sites: int
    pages: int  # article pages (copies)
    megabytes: float
    bare_before_full: Bare
    full: Crawl
    bare_two: Bare | None = None
    bare_before_one: Bare | None = None
    one_core: Crawl | None = None
    reports: list[dict[str, Any]] | None = None

    def articles(self, crawl: Crawl) -> float:
        """The article pages the crawl extracted, found no article on, or took for none (a
        listing or the sign-in page of the Hà Nội portal): bare trafilatura reads each too."""
        read = ("extracted", "extract_failed", "not_article")
        return sum(crawl.stat(f"tinlaodong/{counter}") for counter in read)

    def figures(self) -> dict[str, Any]:
        full, bare_full = self.full, self.bare_before_full
        rate = self.articles(full) / full.wall
        bare_rate = bare_full.pages / bare_full.cpu
        row: dict[str, Any] = {
            "corpus": self.corpus,
            "sites": self.sites,
            "pages": self.pages,
            "MB": round(self.megabytes, 1),
            "article pages read (two cores)": int(self.articles(full)),
            "articles extracted (two cores)": int(full.stat("tinlaodong/extracted")),
            "crawl pages/s, two cores": rate,
            "bare pages/s, one core": bare_rate,
            "ratio, two cores / bare one core": rate / bare_rate,
            "crawl CPU ms a page": 1000 * full.cpu / max(1.0, self.articles(full)),
            "bare CPU ms a page": 1000 * bare_full.cpu / bare_full.pages,
            "server CPU ms a page": 1000 * full.server_cpu / max(1.0, self.articles(full)),
            "crawl wall s": full.wall,
            "startup s": full.startup,
            "publish s": full.publish,
            "extract CPU ms an article (workers)": full.per_article("extract_cpu_us") / 1000,
            "store CPU ms an article": full.per_article("store_cpu_us") / 1000,
        }
        row["CPU a page, crawl / bare"] = row["crawl CPU ms a page"] / row["bare CPU ms a page"]
        # The share of a CPU the bare run had: far below 1, other work held the cores, and
        # the figures of seconds (pages/s) say more about that work than about the code.
        row["CPU share of the bare run"] = bare_full.cpu / bare_full.wall
        if self.bare_two is not None:
            two = self.bare_two.pages / self.bare_two.wall
            row["bare pages/s, two processes"] = two
            row["ratio, two cores / bare two processes"] = rate / two
        if self.one_core is not None and self.bare_before_one is not None:
            one = self.one_core
            one_rate = self.articles(one) / one.wall
            row["crawl pages/s, one core"] = one_rate
            row["ratio, one core / bare one core"] = one_rate / (
                self.bare_before_one.pages / self.bare_before_one.cpu
            )
            row["one-core crawl CPU ms a page"] = 1000 * one.cpu / max(1.0, self.articles(one))
        return row


def crawl_reports(crawl_dir: Path) -> list[dict[str, Any]]:
    """The crawl's per-site JSON lines (``tinlaodong crawl --json``)."""
    out = crawl_dir.parent / f"{crawl_dir.name}-out.txt"
    return [json.loads(line) for line in out.read_text().splitlines() if line.startswith("{")]


def run_corpus(
    corpus: str, variants: int, tmp: Path, skip: set[str], keep: Path | None
) -> CorpusRun:
    pages = realpages.corpus_pages(corpus)
    built = realpages.build(tmp / corpus / "sites", pages, variants)
    print(
        f"{corpus}: {len(pages)} pages x {variants} variants = {len(built.copies)} copies on "
        f"{len(built.sites)} sites, {built.total_bytes() / 1e6:.1f} MB",
        flush=True,
    )
    with MirrorServer(built.sites) as server:
        registry = tmp / corpus / "sites.yaml"
        server.write_registry(registry)
        pairs = [[str(f), server.base_url(s) + p] for s, p, f in built.copies]
        whole = tmp / corpus / "pages.json"
        whole.write_text(json.dumps(pairs))
        halves = [tmp / corpus / "half-0.json", tmp / corpus / "half-1.json"]
        for number, half in enumerate(halves):
            half.write_text(json.dumps(pairs[number::2]))
        data = keep or tmp
        bare_full = bare([whole])
        full = run_crawl(registry, data / f"{corpus}-data-two-cores")
        print(f"  two cores: {full.pages} pages in {full.wall:.1f} s", flush=True)
        run = CorpusRun(
            corpus,
            len(pages),
            len(built.sites),
            len(built.copies),
            built.total_bytes() / 1e6,
            bare_full,
            full,
            reports=crawl_reports(data / f"{corpus}-data-two-cores"),
        )
        if "bare-two" not in skip:
            run.bare_two = bare(halves)
        if "one-core" not in skip:
            run.bare_before_one = bare([whole])
            run.one_core = one_core_crawl(registry, data / f"{corpus}-data-one-core")
            print(f"  one core: {run.one_core.pages} pages in {run.one_core.wall:.1f} s")
    return run


def one_core_crawl(registry: Path, data_dir: Path) -> Crawl:
    """The crawl and its one extraction worker pinned to the first CPU, this process (the
    server) to the others."""
    cpus = sorted(os.sched_getaffinity(0))
    extra = {"TINLAODONG_EXTRACT_WORKERS": "1"}
    if len(cpus) < 2:
        return run_crawl(registry, data_dir, extra)
    mine = os.sched_getaffinity(0)
    os.sched_setaffinity(0, set(cpus[1:]))
    try:
        return run_crawl(registry, data_dir, extra, {cpus[0]})
    finally:
        os.sched_setaffinity(0, mine)


def summary(runs: list[CorpusRun]) -> list[str]:
    """The issue's table: one row a corpus."""
    lines = [
        "| pages | crawl pages/s, two cores | crawl pages/s, one core | bare trafilatura "
        "pages/s, one core / two processes | ratio two cores / one core (to bare one core) "
        "| CPU a page, crawl / bare | server CPU a page |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        f = run.figures()

        def cell(key: str, form: str = "{:.1f}", f: dict[str, Any] = f) -> str:
            return form.format(f[key]) if key in f else "-"

        lines.append(
            f"| {run.pages} {run.corpus} ({run.pages // run.originals} copies of "
            f"{run.originals} pages, {run.sites} sites) "
            f"| {cell('crawl pages/s, two cores')} | {cell('crawl pages/s, one core')} "
            f"| {cell('bare pages/s, one core')} / {cell('bare pages/s, two processes')} "
            f"| {cell('ratio, two cores / bare one core', '{:.2f}x')} / "
            f"{cell('ratio, one core / bare one core', '{:.2f}x')} "
            f"| {cell('crawl CPU ms a page')} ms / {cell('bare CPU ms a page')} ms "
            f"({cell('CPU a page, crawl / bare', '{:.2f}x')}) "
            f"| {cell('server CPU ms a page')} ms |"
        )
    return lines


def faults_and_health(run: CorpusRun) -> list[str]:
    """What the two-core crawl reported: site statuses and fault counts, summed."""
    statuses: Counter[str] = Counter()
    faults: Counter[str] = Counter()
    for report in run.reports or []:
        healthy = report.get("healthy", True)
        statuses["healthy" if healthy else f"UNHEALTHY ({report.get('health')})"] += 1
        faults.update({k: int(v) for k, v in (report.get("faults") or {}).items()})
    said = ", ".join(f"{n} {s}" for s, n in statuses.most_common())
    found = ", ".join(f"{k} {v}" for k, v in faults.most_common()) or "none"
    return [f"{run.corpus}: sites {said}; faults {found}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=DEFAULT_VARIANTS, help="copies a page")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_VARIANTS} copies a page")
    parser.add_argument(
        "--corpus", action="append", choices=realpages.CORPORA, help="one corpus (repeatable)"
    )
    parser.add_argument("--skip", action="append", default=[], help="one-core, bare-two")
    parser.add_argument("--keep", type=Path, help="leave the crawls' data directories here")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    variants = QUICK_VARIANTS if args.quick else args.variants
    corpora = args.corpus or list(realpages.CORPORA)
    missing = [c for c in corpora if not (realpages.SHARED / c).is_dir()]
    if missing:
        print(
            f"real pages not found: {', '.join(str(realpages.SHARED / c) for c in missing)} "
            "(../shared beside the project): skipped",
            file=sys.stderr,
        )
        corpora = [c for c in corpora if c not in missing]
        if not corpora:
            return 0
    logging.disable(logging.WARNING)  # trafilatura logs every discarded page
    load = os.getloadavg()
    runs = []
    with tempfile.TemporaryDirectory(prefix="tinlaodong-realbench-") as tmp_name:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        for corpus in corpora:
            runs.append(run_corpus(corpus, variants, Path(tmp_name), set(args.skip), args.keep))
    info = {
        "variants": variants,
        "cpus": os.cpu_count(),
        "load_before": load,
        "load_after": os.getloadavg(),
        "commit": short_commit(),
    }
    print()
    print(
        f"real pages, {variants} copies each, {info['cpus']} CPUs, one run each; load average "
        f"before {load[0]:.2f}, after {info['load_after'][0]:.2f}"
    )
    for line in summary(runs):
        print(line)
    shares = [r.figures()["CPU share of the bare run"] for r in runs]
    said = ", ".join(f"{share:.0%}" for share in shares)
    print(f"the bare one-core runs had {said} of a CPU", end="")
    if min(shares, default=1.0) < BUSY_HOST:
        print(": other work held the cores; only the CPU a page compares", end="")
    print()
    print()
    for run in runs:
        for line in faults_and_health(run):
            print(line)
    args.out.mkdir(parents=True, exist_ok=True)
    result = args.out / f"real-{date.today():%Y-%m-%d}-{info['commit']}.json"
    payload = {
        "info": info,
        "corpora": [
            {
                "figures": run.figures(),
                "crawls": {
                    "two-cores": asdict(run.full),
                    "one-core": asdict(run.one_core) if run.one_core else None,
                },
                "bare": {
                    "one-core": asdict(run.bare_before_full),
                    "two-processes": asdict(run.bare_two) if run.bare_two else None,
                },
                "reports": run.reports,
            }
            for run in runs
        ],
    }
    result.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
