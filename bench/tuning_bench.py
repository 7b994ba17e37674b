"""The crawl's tuning (``aggregator/app/tuning.py``) on and off: instructions and peak memory.

    .venv/bin/python bench/tuning_bench.py --measure instructions --variant on= \\
        --variant off=TINLAODONG_TUNING=off
    .venv/bin/python bench/tuning_bench.py --measure memory --sites 16 --articles 40 \\
        --variant on= --variant off=TINLAODONG_TUNING=off --rounds 3

Builds a generated mirror (``bench/bigmirror.py``), serves it in this process and runs
``tinlaodong crawl --all --no-throttle`` (settings as ``bench/crawl_bench.py``) once per variant
and round, the variants taking turns. A variant is ``NAME=VAR=VALUE;VAR=VALUE...``: environment
variables of its crawls.

- ``instructions``: the crawl process under ``valgrind --tool=callgrind`` (its extraction
  workers run natively: callgrind does not follow them), a full crawl then a re-crawl that
  finds nothing new; instructions are what a shared, loaded machine does not distort.
- ``memory``: the crawl natively, its tree's peak PSS (``bench/memory_bench.py``).

Prints one line per crawl and writes them as JSON to ``--out`` if given.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bigmirror, memory_bench  # noqa: E402
from bench.crawl_bench import BIN, LIFTED, ROOT  # noqa: E402
from mirror.server import MirrorServer  # noqa: E402

_TOTALS = re.compile(r"^(?:summary|totals): (\d+)", re.MULTILINE)


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    name, _, rest = text.partition("=")
    env = dict(pair.split("=", 1) for pair in rest.split(";") if pair)
    return name, env


def instructions(registry: Path, data_dir: Path, env: dict[str, str], work: Path) -> int:
    """Instructions of one crawl's process (callgrind, workers not followed)."""
    out_file = work / f"callgrind-{time.monotonic_ns()}.out"
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}"]
    command += [str(BIN / "tinlaodong"), "crawl", "--all", "--no-throttle", "--json"]
    command += ["--sites", str(registry), "--data-dir", str(data_dir)]
    for name, value in LIFTED.items():
        command += ["-s", f"{name}={value}"]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    done = subprocess.run(command, capture_output=True, text=True, env=full_env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"crawl failed ({done.returncode}): {done.stderr[-2000:]}")
    match = _TOTALS.search(out_file.read_text())
    out_file.unlink()
    if match is None:
        raise RuntimeError(f"no totals in {out_file}")
    return int(match.group(1))


def memory(registry: Path, data_dir: Path, env: dict[str, str], interval: float) -> float:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return float(memory_bench.crawl(registry, data_dir, interval)["peak_pss_tree_mb"])
    finally:
        os.environ.clear()
        os.environ.update(saved)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", choices=("instructions", "memory"), required=True)
    parser.add_argument("--sites", type=int, default=bigmirror.QUICK.sites)
    parser.add_argument("--articles", type=int, default=bigmirror.QUICK.articles)
    parser.add_argument("--variant", action="append", required=True, help="NAME=VAR=VALUE;...")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--no-recrawl", action="store_true", help="instructions: the full crawl only"
    )
    parser.add_argument("--interval", type=float, default=0.1, help="memory: seconds a sample")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    variants = [parse_variant(v) for v in args.variant]
    profile = bigmirror.Profile(args.sites, args.articles)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tinlaodong-tuning-") as tmp_name:
        tmp = Path(tmp_name)
        built = bigmirror.build(tmp / "mirror", profile)
        with MirrorServer(built.sites) as mirror:
            registry = tmp / "sites.yaml"
            mirror.write_registry(registry)
            for round_ in range(args.rounds):
                for name, env in variants:
                    data_dir = tmp / f"data-{name}-{round_}"
                    row: dict[str, Any] = {"variant": name, "env": env, "round": round_}
                    if args.measure == "instructions":
                        row["crawl"] = instructions(registry, data_dir, env, tmp)
                        if not args.no_recrawl:
                            row["recrawl"] = instructions(registry, data_dir, env, tmp)
                    else:
                        row["peak_pss_mb"] = memory(registry, data_dir, env, args.interval)
                    shutil.rmtree(data_dir, ignore_errors=True)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    if args.out is not None:
        info = {"profile": profile.__dict__, "measure": args.measure, "cwd": str(ROOT)}
        args.out.write_text(json.dumps({"info": info, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
