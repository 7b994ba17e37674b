"""Peak memory of a crawl: ``tinlaodong crawl --all --no-throttle`` of a generated mirror.

    .venv/bin/python bench/memory_bench.py             # 60 sites x 170 articles (10,200 pages)
    .venv/bin/python bench/memory_bench.py --quick     # 6 sites x 50 articles

Builds the mirror with ``bench/bigmirror.py``, serves it in this process, runs the crawl in a
subprocess (settings as ``bench/crawl_bench.py``) and polls ``/proc`` every ``--interval``
seconds over the crawl's process tree (the crawl and its extraction workers): the largest
resident set of one process, and the largest sum over the tree of resident sets (RSS, which
counts the pages forked workers share once per process) and of proportional sets (PSS, which
shares them out). ``ru_maxrss`` of the crawl process (``os.wait4``) is reported beside them.
Target: under 500 MB for 10,000 pages. Writes ``bench/results/memory-<date>-<commit>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bigmirror  # noqa: E402
from bench.crawl_bench import BIN, LIFTED, ROOT, short_commit  # noqa: E402
from mirror.server import MirrorServer  # noqa: E402

MB = 1024 * 1024


def children(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc."""
    by_parent: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        by_parent.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += by_parent.get(current, [])
    return found


def memory_of(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; (0, 0) once it is gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    values = {}
    for line in rollup.splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            values[name] = int(rest.split()[0]) * 1024
    return values.get("Rss", 0), values.get("Pss", 0)


def role(pid: int, root: int) -> str:
    """What a process of the crawl's tree is, for the timeline: crawl, forkserver, worker..."""
    if pid == root:
        return "crawl"
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "gone"
    for marker, name in (("forkserver", "forkserver"), ("resource_tracker", "tracker")):
        if marker in cmdline:
            # A forkserver's children have its command line: they are the workers.
            return name if _parent(pid) == root else "worker"
    return "other"


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


@dataclass
class Peak:
    one_rss: int = 0  # the largest process
    tree_rss: int = 0
    tree_pss: int = 0
    processes: int = 0
    samples: int = 0
    # With --timeline: (seconds, {role: PSS MB summed over the role's processes}) per sample.
    timeline: list[tuple[float, dict[str, float]]] | None = None
    start: float = 0.0

    def sample(self, root: int) -> None:
        pids = children(root)
        sizes = [memory_of(pid) for pid in pids]
        if self.timeline is not None:
            roles: dict[str, float] = {}
            for pid, (_, pss) in zip(pids, sizes, strict=True):
                name = role(pid, root)
                roles[name] = round(roles.get(name, 0.0) + pss / MB, 1)
            roles["total"] = round(sum(pss for _, pss in sizes) / MB, 1)
            self.timeline.append((round(time.perf_counter() - self.start, 2), roles))
        self.one_rss = max(self.one_rss, max((rss for rss, _ in sizes), default=0))
        self.tree_rss = max(self.tree_rss, sum(rss for rss, _ in sizes))
        self.tree_pss = max(self.tree_pss, sum(pss for _, pss in sizes))
        self.processes = max(self.processes, len(sizes))
        self.samples += 1


def crawl(
    registry: Path, data_dir: Path, interval: float, timeline: Path | None = None
) -> dict[str, Any]:
    command = [str(BIN / "tinlaodong"), "crawl", "--all", "--no-throttle", "--json"]
    command += ["--sites", str(registry), "--data-dir", str(data_dir)]
    for name, value in LIFTED.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    peak = Peak(timeline=[] if timeline is not None else None)
    out_path = data_dir.parent / "crawl-out.txt"
    with out_path.open("wb") as out:
        start = peak.start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env)
        while True:
            waited, status, usage = os.wait4(process.pid, os.WNOHANG)
            if waited:
                break
            peak.sample(process.pid)
            time.sleep(interval)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"crawl failed: see {out_path}")
    if timeline is not None and peak.timeline is not None:
        timeline.write_text(
            "".join(json.dumps({"t": t, **roles}) + "\n" for t, roles in peak.timeline)
        )
    rows = [json.loads(x) for x in out_path.read_text().splitlines() if x.startswith("{")]
    return {
        "wall_s": round(wall, 1),
        "pages": sum(r["pages"] for r in rows),
        "new_stories": sum(r["new_stories"] for r in rows),
        "peak_rss_one_process_mb": round(peak.one_rss / MB, 1),
        "peak_rss_tree_mb": round(peak.tree_rss / MB, 1),
        "peak_pss_tree_mb": round(peak.tree_pss / MB, 1),
        "ru_maxrss_crawl_mb": round(usage.ru_maxrss / 1024, 1),  # kB on Linux
        "processes": peak.processes,
        "samples": peak.samples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 sites x 50 articles")
    parser.add_argument("--sites", type=int, default=bigmirror.FULL.sites)
    parser.add_argument("--articles", type=int, default=bigmirror.FULL.articles)
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between samples")
    parser.add_argument(
        "--timeline", type=Path, help="write every sample's PSS by process role (JSON lines)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    profile = bigmirror.QUICK if args.quick else bigmirror.Profile(args.sites, args.articles)
    with tempfile.TemporaryDirectory(prefix="tinlaodong-memory-") as tmp_name:
        tmp = Path(tmp_name)
        built = bigmirror.build(tmp / "mirror", profile)
        print(f"mirror: {len(built.sites)} sites, {len(built.articles)} article pages", flush=True)
        with MirrorServer(built.sites) as mirror:
            registry = tmp / "sites.yaml"
            mirror.write_registry(registry)
            result = crawl(registry, tmp / "data", args.interval, args.timeline)
    result["profile"] = profile.__dict__
    result["load_after"] = os.getloadavg()
    for key, value in result.items():
        print(f"{key:<28}{value}")
    target = "met" if result["peak_pss_tree_mb"] < 500 else "MISSED"
    print(f"target: peak memory (PSS of the crawl's processes) under 500 MB: {target}")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"memory-{date.today():%Y-%m-%d}-{short_commit()}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
