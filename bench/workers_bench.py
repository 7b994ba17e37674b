"""Distributed crawling: stories per second for 1, 2 and 4 ``tinlaodong worker`` processes on a
generated mirror, SQLite versus PostgreSQL, and where the CPU goes (workers, database, Redis,
the mirror's server).

Needs Redis ($TINLAODONG_REDIS_URL, default redis://127.0.0.1:6379/15) and, for the PostgreSQL
rows, a server ($TINLAODONG_BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1/test:
a database of its own is created and dropped per run). Politeness is lifted (it is our own
mirror): ``--no-throttle``.

    .venv/bin/python bench/workers_bench.py            # 8 sites x 60 articles, 2 runs each
    .venv/bin/python bench/workers_bench.py --sites 12 --articles 100 --runs 3
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import bigmirror  # noqa: E402
from crawl_bench import Figure, print_table, short_commit  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from mirror.server import MirrorServer  # noqa: E402

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("TINLAODONG_REDIS_URL", "redis://127.0.0.1:6379/15")
PG_URL = os.environ.get(
    "TINLAODONG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IDLE_SECONDS = 1.0
# With --no-throttle (no AutoThrottle, delays or shared per-host spacing: our own mirror).
LIFTED = {
    "TINLAODONG_WORKER_IDLE_SECONDS": str(IDLE_SECONDS),
    # One process per worker: the workers are the parallelism measured here.
    "TINLAODONG_EXTRACT_WORKERS": "0",
    "TINLAODONG_PROGRESS_INTERVAL": "0",
}
TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(names: tuple[str, ...]) -> float:
    """CPU seconds used so far by every process whose command name is one of ``names``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        if comm in names:
            fields = raw[raw.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


@contextmanager
def database(backend: str, data_dir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{data_dir / 'tinlaodong.sqlite3'}"
        return
    name = f"tldbench_{secrets.token_hex(4)}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Run:
    wall: float
    stories: int
    pages: int
    worker_cpu: float
    db_cpu: float
    redis_cpu: float
    server_cpu: float


def run_workers(registry: Path, data_dir: Path, backend: str, workers: int) -> Run:
    prefix = f"tldbench-{secrets.token_hex(4)}"
    with database(backend, data_dir) as url:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONWARNINGS": "ignore",
            "TINLAODONG_DATABASE_URL": url,
            "TINLAODONG_REDIS_URL": REDIS_URL,
        }
        command = [str(BIN / "tinlaodong"), "worker", "--sites", str(registry)]
        command += ["--data-dir", str(data_dir), "--json", "--no-throttle"]
        for name, value in {**LIFTED, "TINLAODONG_REDIS_PREFIX": prefix}.items():
            command += ["-s", f"{name}={value}"]
        # Migrated once before the clock starts, as an operator does before starting workers.
        subprocess.run(
            [str(BIN / "tinlaodong"), "stories", "--data-dir", str(data_dir), "--json"],
            env=env,
            capture_output=True,
            check=True,
        )
        db0, redis0 = cpu_of(("postgres",)), cpu_of(("redis-server",))
        own0 = time.process_time()
        before = os.times()
        start = time.perf_counter()
        # Output to files: pipes read one worker after the other would block the others
        # (a full pipe stops a worker mid-crawl).
        logs = [(data_dir.parent / f"{data_dir.name}-w{i}.out") for i in range(workers)]
        procs = [
            subprocess.Popen(
                command,
                env=env,
                stdout=log.open("wb"),
                stderr=log.with_suffix(".err").open("wb"),
            )
            for log in logs
        ]
        for p in procs:
            p.wait()
        outputs = [(log.read_bytes(), log.with_suffix(".err").read_bytes()) for log in logs]
        wall = time.perf_counter() - start - IDLE_SECONDS
        after = os.times()
        server_cpu = time.process_time() - own0
        db_cpu, redis_cpu = cpu_of(("postgres",)) - db0, cpu_of(("redis-server",)) - redis0
        for p, (_, err) in zip(procs, outputs, strict=True):
            if p.returncode != 0:
                raise RuntimeError(f"worker failed ({p.returncode}): {err.decode()[-2000:]}")
        rows = [
            json.loads(line)
            for out, _ in outputs
            for line in out.decode().splitlines()
            if line.startswith("{")
        ]
        counted = subprocess.run(
            [str(BIN / "tinlaodong"), "stories", "--data-dir", str(data_dir), "--json"]
            + ["--limit", "100000"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        stories = sum(1 for line in counted.stdout.splitlines() if line.startswith("{"))
    return Run(
        wall=wall,
        stories=stories,
        pages=sum(r.get("pages", 0) for r in rows),
        worker_cpu=(after.children_user + after.children_system)
        - (before.children_user + before.children_system),
        db_cpu=db_cpu,
        redis_cpu=redis_cpu,
        server_cpu=server_cpu,
    )


def figures_of(label: str, runs: list[Run]) -> list[Figure]:
    def fig(name: str, unit: str, values: list[float], note: str = "") -> Figure:
        return Figure(f"{label}: {name}", unit, values, note)

    return [
        fig("stories/s", "stories/s", [r.stories / r.wall for r in runs]),
        fig("pages/s", "pages/s", [r.pages / r.wall for r in runs]),
        fig("stories", "stories", [float(r.stories) for r in runs]),
        fig("wall", "s", [r.wall for r in runs], f"less the {IDLE_SECONDS:g} s idle wait"),
        fig("workers CPU per page", "ms", [1000 * r.worker_cpu / max(r.pages, 1) for r in runs]),
        fig("database CPU per page", "ms", [1000 * r.db_cpu / max(r.pages, 1) for r in runs]),
        fig("Redis CPU per page", "ms", [1000 * r.redis_cpu / max(r.pages, 1) for r in runs]),
        fig(
            "mirror server CPU per page",
            "ms",
            [1000 * r.server_cpu / max(r.pages, 1) for r in runs],
            "Python threads in the harness",
        ),
        fig(
            "CPU busy",
            "cores",
            [(r.worker_cpu + r.db_cpu + r.redis_cpu + r.server_cpu) / r.wall for r in runs],
            f"of {os.cpu_count()}",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--articles", type=int, default=60, help="per site")
    parser.add_argument("--runs", type=int, default=2, help="runs per figure (median kept)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    counts = [int(n) for n in args.workers.split(",")]
    backends = args.backends.split(",")
    info: dict[str, Any] = {
        "profile": {"sites": args.sites, "articles": args.articles},
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "load_before": os.getloadavg(),
    }
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="tinlaodong-workers-") as tmp_name:
        tmp = Path(tmp_name)
        built = bigmirror.build(tmp / "mirror", bigmirror.Profile(args.sites, args.articles))
        print(f"mirror: {len(built.sites)} sites, {len(built.articles)} articles", flush=True)
        with MirrorServer(built.sites) as mirror:
            registry = tmp / "sites.yaml"
            mirror.write_registry(registry)
            rates: dict[tuple[str, int], list[float]] = {}
            for backend in backends:
                for count in counts:
                    runs = []
                    for number in range(args.runs):
                        data_dir = tmp / f"{backend}-{count}-{number}"
                        run = run_workers(registry, data_dir, backend, count)
                        print(
                            f"{backend} x{count} run {number}: {run.stories} stories in "
                            f"{run.wall:.1f} s",
                            flush=True,
                        )
                        runs.append(run)
                    rates[(backend, count)] = [r.stories / r.wall for r in runs]
                    figures += figures_of(f"{backend}, {count} worker(s)", runs)
            for backend in backends:
                base = rates.get((backend, counts[0]))
                for count in counts[1:]:
                    got = rates.get((backend, count))
                    if base and got:
                        figures.append(
                            Figure(
                                f"{backend}: {count} workers / {counts[0]} (stories/s)",
                                "x",
                                [g / b for g, b in zip(got, base, strict=False)],
                                "same run number",
                            )
                        )
    info["load_after"] = os.getloadavg()
    print_table(figures, info)
    args.out.mkdir(parents=True, exist_ok=True)
    result = args.out / f"{date.today():%Y-%m-%d}-{short_commit()}-workers.json"
    payload = {"info": info, "figures": [f.to_dict() for f in figures]}
    result.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {result}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
