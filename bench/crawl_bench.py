"""End-to-end crawl benchmark on a large generated mirror served over loopback HTTP.

    .venv/bin/python bench/crawl_bench.py --quick            # 6 sites x 50 articles
    .venv/bin/python bench/crawl_bench.py --sites 60 --articles 170 --runs 3

Builds the mirror with ``bench/bigmirror.py`` (pages 30-120 KB), serves it with the mirror's
threaded server (``mirror.server.MirrorServer``, one port per site) in this process, and
measures, each figure the median of ``--runs`` runs with min-max:

1. the real ``tinlaodong crawl --all --no-throttle`` in a subprocess: pages/s,
   stories/s, CPU ms per page (``os.wait4`` rusage of the crawl), CPU per stage from the
   pipelines' ``tinlaodong/time/*`` counters (extraction includes the near-duplicate sketch;
   store includes the near-duplicate lookup); on every CPU with the extraction workers, and
   pinned to one CPU with extraction in the reactor's process (the mirror server then runs on
   another CPU);
2. bare ``trafilatura.extract`` in a loop on the article pages, in a process of its own
   (``bench/bare_run.py``), once before each crawl of 1. (each ratio is of a crawl and the run
   just before it), and a Scrapy crawl that only downloads the same URLs
   (``bench/download_spider.py``);
3. news-please (``NewsPlease.from_html``, its own venv ``bench/.venv-newsplease``) on the same
   pages, and its F1 on ``../shared/corpus/fundus-eval``;
4. an incremental re-crawl with nothing changed and with 1% new articles (``--new N``: N a
   site);
5. feed serving (``feeds.server.FeedServer`` in a subprocess): requests/s and p99 latency.

Prints one table and writes it as JSON to ``bench/results/<date>-<commit>.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bigmirror, serving  # noqa: E402
from mirror.server import MirrorServer  # noqa: E402
from spiders import settings as project_settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NEWSPLEASE_PY = ROOT / "bench" / ".venv-newsplease" / "bin" / "python"
FUNDUS = ROOT.parent / "shared" / "corpus" / "fundus-eval"
# Politeness is lifted by ``--no-throttle``; these lift the crawl's size limits (and robots.txt,
# which the generated mirror does not need).
LIFTED = {
    "ROBOTSTXT_OBEY": "false",
    "TINLAODONG_MAX_ARTICLES": "100000",
    "TINLAODONG_MAX_LISTING_PAGES": "10000",
}
EXTENSIONS = {**project_settings.EXTENSIONS, "bench.stagestats.StageStats": 900}


@dataclass
class Crawl:
    """One ``tinlaodong crawl`` run."""

    wall: float
    cpu: float  # the crawl process and the children it reaped
    pages: int
    stories: int
    stats: dict[str, float] = field(default_factory=dict)  # summed over the sites
    startup: float = 0.0  # process start to the first spider opened
    publish: float = 0.0  # last spider closed to the process's end (index, feeds, report)
    server_cpu: float = 0.0  # this process's CPU meanwhile: the mirror server

    def stat(self, key: str) -> float:
        return self.stats.get(key, 0.0)

    def staged_ms(self) -> float:
        """CPU ms of extraction and store, summed."""
        timers = ("tinlaodong/time/extract_cpu_us", "tinlaodong/time/store_cpu_us")
        return sum(self.stat(t) for t in timers) / 1000

    def per_article(self, timer: str) -> float:
        """A pipeline's ``tinlaodong/time/<timer>`` counter per extracted article."""
        return self.stat(f"tinlaodong/time/{timer}") / max(1, self.stat("tinlaodong/extracted"))


def run_crawl(
    registry: Path,
    data_dir: Path,
    extra: dict[str, str] | None = None,
    cpus: set[int] | None = None,
) -> Crawl:
    """One crawl in a subprocess; ``cpus``: the CPUs it may run on (all by default)."""
    stats_file = data_dir.parent / f"{data_dir.name}-stats.jsonl"
    stats_file.unlink(missing_ok=True)
    settings = {
        **LIFTED,
        **(extra or {}),
        "EXTENSIONS": json.dumps(EXTENSIONS),
        "BENCH_STATS_FILE": str(stats_file),
    }
    command = [str(BIN / "tinlaodong"), "crawl", "--all", "--no-throttle", "--sites", str(registry)]
    command += ["--data-dir", str(data_dir), "--json"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out_path = data_dir.parent / f"{data_dir.name}-out.txt"
    err_path = data_dir.parent / f"{data_dir.name}-err.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start, epoch, own_cpu = time.perf_counter(), time.time(), time.process_time()
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=err,
            env=env,
            cwd=ROOT,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        end, server_cpu = time.time(), time.process_time() - own_cpu
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"crawl failed ({process.returncode}): see {out_path}")
    rows = [json.loads(line) for line in out_path.read_text().splitlines() if line.startswith("{")]
    summed: dict[str, float] = {}
    sites = [json.loads(line) for line in stats_file.read_text().splitlines()]
    for site in sites:
        for key, value in site["stats"].items():
            summed[key] = summed.get(key, 0) + value
    # The workers' CPU is in it: the crawl reaps them (forked from it: tuning.workers_forked),
    # or stops its fork server, which reaped them, and reaps it (tuning.stop_fork_server; not
    # with TINLAODONG_TUNING=off). Adding the
    # workers' own counters too, as before 40d3eba stopped the fork server, counted their
    # extraction twice.
    cpu = usage.ru_utime + usage.ru_stime
    return Crawl(
        wall=wall,
        cpu=cpu,
        startup=min(s["opened"] for s in sites) - epoch,
        publish=end - max(s["closed"] for s in sites),
        server_cpu=server_cpu,
        pages=sum(r["pages"] for r in rows),
        stories=sum(r["new_stories"] for r in rows),
        stats=summed,
    )


@dataclass
class Figure:
    """A measured quantity: the median of runs, with min and max."""

    name: str
    unit: str
    values: list[float]
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "median": self.median,
            "min": min(self.values),
            "max": max(self.values),
            "runs": self.values,
            "note": self.note,
        }

    def row(self) -> str:
        spread = f"{min(self.values):.4g}-{max(self.values):.4g}" if len(self.values) > 1 else ""
        return f"{self.name:<52}{self.median:>10.4g} {self.unit:<10}{spread:>20}  {self.note}"


def figures_of_crawls(label: str, crawls: Sequence[Crawl]) -> list[Figure]:
    def fig(name: str, unit: str, of: Callable[[Crawl], float], note: str = "") -> Figure:
        return Figure(f"{label}: {name}", unit, [of(c) for c in crawls], note)

    return [
        fig("wall", "s", lambda c: c.wall),
        fig("pages fetched", "pages", lambda c: c.pages),
        fig("pages/s", "pages/s", lambda c: c.pages / c.wall),
        fig("article pages/s", "pages/s", lambda c: c.stat("tinlaodong/extracted") / c.wall),
        fig("stories/s", "stories/s", lambda c: c.stories / c.wall),
        fig("CPU per page", "ms", lambda c: 1000 * c.cpu / max(1, c.pages), "all crawl processes"),
        fig("startup (to first spider open)", "s", lambda c: c.startup),
        fig("publish (last spider closed to exit)", "s", lambda c: c.publish),
        fig("mirror server CPU per page", "ms", lambda c: 1000 * c.server_cpu / max(1, c.pages)),
        fig("extract CPU per article", "ms", lambda c: c.per_article("extract_cpu_us") / 1000),
        fig("store CPU per article", "ms", lambda c: c.per_article("store_cpu_us") / 1000),
        fig(
            "rest CPU per page",
            "ms",
            lambda c: (1000 * c.cpu - c.staged_ms()) / max(1, c.pages),
            "fetch, parse, schedule, startup, index, feeds",
        ),
    ]


def bare_trafilatura(pages_file: Path) -> float:
    """CPU seconds of ``trafilatura.extract`` over the pages of ``pages_file`` (one core), in
    a process of its own (``bench/bare_run.py``)."""
    command = [sys.executable, str(ROOT / "bench" / "bare_run.py"), str(pages_file)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["cpu"])


def download_only(urls_file: Path) -> tuple[float, float, int]:
    """Wall s, CPU s and pages of the download-only spider."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "download_spider.py"), str(urls_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, int(json.loads(output)["pages"])


def news_please(pages_file: Path) -> dict[str, Any]:
    if not NEWSPLEASE_PY.exists():
        return {
            "error": f"no {NEWSPLEASE_PY}: python3 -m venv bench/.venv-newsplease && "
            "bench/.venv-newsplease/bin/pip install news-please"
        }
    command = [str(NEWSPLEASE_PY), str(ROOT / "bench" / "newsplease_run.py"), str(pages_file)]
    if (FUNDUS / "ground_truth.json").is_file():
        command.append(str(FUNDUS))
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def short_commit() -> str:
    """The checked-out commit ("unknown" outside a git checkout). Asked of git itself: a
    worktree's .git is a file, and refs may be packed."""
    done = subprocess.run(
        ["git", "rev-parse", "--short=8", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 sites x 50 articles")
    parser.add_argument("--sites", type=int, default=bigmirror.FULL.sites)
    parser.add_argument("--articles", type=int, default=bigmirror.FULL.articles)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median kept)")
    parser.add_argument("--sample", type=int, default=600, help="pages for the bare extractors")
    parser.add_argument("--skip", action="append", default=[], help="newsplease, serving, one-core")
    parser.add_argument(
        "--new",
        type=int,
        default=None,
        help="new articles a site for the second re-crawl (default: 1%% of --articles)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    profile = bigmirror.QUICK if args.quick else bigmirror.Profile(args.sites, args.articles)
    logging.disable(logging.WARNING)  # trafilatura logs every discarded page
    load = os.getloadavg()
    figures: list[Figure] = []
    info: dict[str, Any] = {"profile": profile.__dict__, "cpus": os.cpu_count(), "runs": args.runs}
    with tempfile.TemporaryDirectory(prefix="tinlaodong-bench-") as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        built = bigmirror.build(tmp / "mirror", profile)
        info["mirror"] = {
            "sites": len(built.sites),
            "articles": len(built.articles),
            "bytes": built.total_bytes(),
            "build_s": round(time.perf_counter() - started, 1),
            "server": "mirror.server.MirrorServer (ThreadingHTTPServer, HTTP/1.1 keep-alive, "
            "in the harness process)",
        }
        print(f"mirror: {info['mirror']}", flush=True)
        with MirrorServer(built.sites) as mirror:
            registry = tmp / "sites.yaml"
            mirror.write_registry(registry)
            sample = write_sample(built, mirror, args.sample, tmp / "pages.json")
            # Bare trafilatura runs just before each crawl, and each ratio is of the two: this
            # machine's speed drifts by a fifth within a benchmark (a shared host), and a
            # ratio of runs minutes apart measured the drift as much as the code.
            bare_full: list[float] = []
            run = _Runner(tmp, registry, args.runs, lambda: bare_full.append(sample.bare()))
            full = run.crawls("full", {})
            figures += figures_of_crawls("crawl", full)
            one_core: list[Crawl] = []
            bare_one: list[float] = []
            if "one-core" not in args.skip:
                run.before = lambda: bare_one.append(sample.bare())
                one_core = one_core_crawls(run)
                figures += figures_of_crawls("crawl on one core, extraction in-thread", one_core)
            run.before = None
            figures += bare_figures(
                built, mirror, sample, (full, bare_full), (one_core, bare_one), tmp, args, info
            )
            figures += incremental_figures(built, run, full, profile, tmp, args.new)
            if "serving" not in args.skip:
                figures += serving.figures(run.data_dir("full", 0) / "feeds", Figure)
    info["load_before"] = load
    info["load_after"] = os.getloadavg()
    print_table(figures, info)
    args.out.mkdir(parents=True, exist_ok=True)
    result = args.out / f"{date.today():%Y-%m-%d}-{short_commit()}.json"
    payload = {"info": info, "figures": [f.to_dict() for f in figures]}
    result.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {result}")
    return 0


class _Runner:
    """Runs the crawls; ``before``: called before each crawl (a bare run to pair it with)."""

    def __init__(
        self, tmp: Path, registry: Path, runs: int, before: Callable[[], None] | None = None
    ) -> None:
        self.tmp, self.registry, self.runs = tmp, registry, runs
        self.before = before

    def data_dir(self, label: str, number: int) -> Path:
        return self.tmp / f"data-{label}-{number}"

    def crawls(
        self, label: str, extra: dict[str, str], cpus: set[int] | None = None
    ) -> list[Crawl]:
        done = []
        for number in range(self.runs):
            if self.before is not None:
                self.before()
            crawl = run_crawl(self.registry, self.data_dir(label, number), extra, cpus)
            print(f"{label} #{number}: {crawl.pages} pages in {crawl.wall:.1f} s", flush=True)
            done.append(crawl)
        return done


def one_core_crawls(run: _Runner) -> list[Crawl]:
    """The crawl pinned to one CPU with extraction in its own thread (no workers), the mirror
    server (this process) on another: what one core of crawling gives."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return run.crawls("one-core", {"TINLAODONG_EXTRACT_WORKERS": "0"})
    mine = os.sched_getaffinity(0)
    os.sched_setaffinity(0, set(cpus[1:]))
    try:
        return run.crawls("one-core", {"TINLAODONG_EXTRACT_WORKERS": "0"}, {cpus[0]})
    finally:
        os.sched_setaffinity(0, mine)


@dataclass(frozen=True)
class Sample:
    """The pages the bare extractors read: ``pages`` of them, listed in ``file``."""

    file: Path
    pages: int

    def bare(self) -> float:
        """CPU seconds of one bare trafilatura run over the sample."""
        return bare_trafilatura(self.file)


def write_sample(built: bigmirror.Built, mirror: MirrorServer, size: int, file: Path) -> Sample:
    pages = [(path, mirror.base_url(site) + url) for site, url, path in built.sample(size)]
    file.write_text(json.dumps([[str(path), url] for path, url in pages]))
    return Sample(file, len(pages))


def bare_figures(
    built: bigmirror.Built,
    mirror: MirrorServer,
    sample: Sample,
    full_runs: tuple[Sequence[Crawl], Sequence[float]],
    one_core_runs: tuple[Sequence[Crawl], Sequence[float]],
    tmp: Path,
    args: argparse.Namespace,
    info: dict[str, Any],
) -> list[Figure]:
    """The bare libraries' figures; ``*_runs``: the crawls and the bare runs (CPU seconds)
    made just before each."""
    (full, bare_full), (one_core, bare_one) = full_runs, one_core_runs
    bare = [*bare_full, *bare_one]
    pages_file = sample.file
    rate = [sample.pages / cpu for cpu in bare]
    crawl_rate = [c.stat("tinlaodong/extracted") / c.wall for c in full]
    one_rate = [c.stat("tinlaodong/extracted") / c.wall for c in one_core]
    figures = [
        Figure(
            "bare trafilatura.extract, one core",
            "pages/s",
            rate,
            f"{sample.pages} pages, a run before each crawl",
        ),
        Figure(
            "bare trafilatura.extract CPU per page",
            "ms",
            [1000 * c / sample.pages for c in bare],
        ),
        Figure(
            "crawl article pages/s / bare trafilatura pages/s",
            "x",
            [c * cpu / sample.pages for c, cpu in zip(crawl_rate, bare_full, strict=True)],
            f"{os.cpu_count()} CPUs, each crawl against the bare run before it; target >= 1.5",
        ),
    ]
    if one_rate:
        figures.append(
            Figure(
                "one-core crawl article pages/s / bare trafilatura pages/s",
                "x",
                [c * cpu / sample.pages for c, cpu in zip(one_rate, bare_one, strict=True)],
                "target >= 0.8",
            )
        )
    urls_file = tmp / "urls.txt"
    urls_file.write_text(
        "\n".join(mirror.base_url(site) + url for site, url, _ in built.articles) + "\n"
    )
    downloads = [download_only(urls_file) for _ in range(args.runs)]
    figures += [
        Figure("bare Scrapy download-only: pages/s", "pages/s", [p / w for w, _, p in downloads]),
        Figure(
            "bare Scrapy download-only: CPU per page", "ms", [1000 * c / p for _, c, p in downloads]
        ),
    ]
    if "newsplease" not in args.skip:
        result = news_please(pages_file)
        info["newsplease"] = result
        if "cpu" in result:
            figures.append(
                Figure(
                    "news-please from_html, one core",
                    "pages/s",
                    [result["pages"] / result["cpu"]],
                    "1 run",
                )
            )
            figures.append(
                Figure(
                    "news-please / bare trafilatura CPU per page",
                    "x",
                    [
                        result["cpu"]
                        / result["pages"]
                        * 1000
                        / statistics.median(1000 * c / sample.pages for c in bare)
                    ],
                    "1 run",
                )
            )
            # The target compares pages/s: the crawl end to end (fetch, extract, dedup,
            # store, index, feeds) against news-please's extraction alone on the same pages.
            theirs = result["pages"] / result["cpu"]
            figures.append(
                Figure(
                    "crawl article pages/s / news-please pages/s",
                    "x",
                    [c / theirs for c in crawl_rate],
                    "the crawl on 2 CPUs, news-please on one; target >= 7",
                )
            )
            if one_rate:
                figures.append(
                    Figure(
                        "one-core crawl article pages/s / news-please pages/s",
                        "x",
                        [c / theirs for c in one_rate],
                        "one CPU each",
                    )
                )
            if "f1" in result:
                figures.append(
                    Figure(
                        "news-please F1 on fundus-eval",
                        "F1",
                        [result["f1"]],
                        f"{result['f1_pages']} pages",
                    )
                )
    return figures


def incremental_figures(
    built: bigmirror.Built,
    run: _Runner,
    full: Sequence[Crawl],
    profile: bigmirror.Profile,
    tmp: Path,
    new: int | None = None,
) -> list[Figure]:
    base = run.data_dir("full", 0)
    snapshot = tmp / "snapshot"
    shutil.copytree(base, snapshot)

    def recrawls(label: str) -> list[Crawl]:
        done = []
        for number in range(run.runs):
            target = run.data_dir(label, number)
            shutil.copytree(snapshot, target)
            done.append(run_crawl(run.registry, target))
            print(f"{label} #{number}: {done[-1].pages} pages in {done[-1].wall:.1f} s", flush=True)
        return done

    same = recrawls("unchanged")
    extra = max(1, math.ceil(profile.articles / 100)) if new is None else new
    bigmirror.build(tmp / "mirror", profile, extra=extra)
    new = recrawls("new1pct")
    figures = []
    full_wall = statistics.median(c.wall for c in full)
    full_cpu = statistics.median(c.cpu for c in full)
    full_req = statistics.median(c.stat("downloader/request_count") for c in full)
    full_bytes = statistics.median(c.stat("downloader/response_bytes") for c in full)
    figures.append(
        Figure("full crawl: requests", "req", [c.stat("downloader/request_count") for c in full])
    )
    figures.append(
        Figure(
            "full crawl: bytes received",
            "MB",
            [c.stat("downloader/response_bytes") / 1e6 for c in full],
        )
    )
    for label, crawls, target in (
        ("re-crawl, nothing changed", same, "target < 2"),
        (f"re-crawl, {extra}/site new", new, "target <= 5 (2 a site)"),
    ):
        figures += [
            Figure(
                f"{label}: requests",
                "req",
                [c.stat("downloader/request_count") for c in crawls],
                f"full {full_req:.0f}",
            ),
            Figure(
                f"{label}: 304 answers",
                "req",
                [c.stat("downloader/response_status_count/304") for c in crawls],
            ),
            Figure(
                f"{label}: bytes received",
                "MB",
                [c.stat("downloader/response_bytes") / 1e6 for c in crawls],
                f"full {full_bytes / 1e6:.1f}",
            ),
            Figure(f"{label}: wall", "s", [c.wall for c in crawls], f"full {full_wall:.1f}"),
            # CPU (os.wait4 rusage of the crawl and what it reaped): steadier than the wall
            # time on a shared host, whose load changes between the full crawl and these.
            Figure(f"{label}: CPU", "s", [c.cpu for c in crawls], f"full {full_cpu:.1f}"),
            Figure(f"{label}: startup (to first spider open)", "s", [c.startup for c in crawls]),
            Figure(
                f"{label}: publish (last spider closed to exit)", "s", [c.publish for c in crawls]
            ),
            # The target reads as shares of the full crawl's (medians of the full crawls).
            Figure(
                f"{label}: requests / full crawl's",
                "%",
                [100 * c.stat("downloader/request_count") / full_req for c in crawls],
                target,
            ),
            Figure(
                f"{label}: wall / full crawl's",
                "%",
                [100 * c.wall / full_wall for c in crawls],
                target,
            ),
            Figure(f"{label}: CPU / full crawl's", "%", [100 * c.cpu / full_cpu for c in crawls]),
            Figure(f"{label}: new stories", "stories", [c.stories for c in crawls]),
        ]
    return figures


def print_table(figures: Sequence[Figure], info: dict[str, Any]) -> None:
    print()
    print(
        f"profile {info['profile']}, {info['runs']} runs each, {info['cpus']} CPUs; "
        f"load average before {info['load_before'][0]:.2f}, after {info['load_after'][0]:.2f}"
    )
    print(f"{'figure':<52}{'median':>10} {'unit':<10}{'min-max':>20}")
    for figure in figures:
        print(figure.row())


if __name__ == "__main__":
    sys.exit(main())
