"""The CPU of each process of a crawl on real pages: the crawl's own, the fork server's, each
extraction worker's, read apart.

    .venv/bin/python bench/process_cpu_bench.py --corpus vn-dev --variants 1 --runs 3
    .venv/bin/python bench/process_cpu_bench.py --tree ../other-checkout --tree .

The pages of ``../shared/corpus`` as sites (``bench/realpages.py``), served over loopback by
``mirror.server.MirrorServer`` in this process; ``tinlaodong crawl --all --no-throttle`` into
a fresh data directory, run from each ``--tree`` in turn (a checkout: old and new code on one
harness, alternating), ``--runs`` times. The tree's CPU is ``os.wait4``'s rusage; each
process's is read from ``/proc/PID/stat`` every 50 ms while it lives (its last reading: a
process's final few milliseconds are missed). The server's CPU is this process's, the
``/proc`` polling included.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import realpages  # noqa: E402
from bench.crawl_bench import LIFTED  # noqa: E402
from mirror.server import MirrorServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of ``pid``, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _kind(pid: int, parent: int, crawl: int, parent_kind: str) -> str:
    if parent_kind == "fork server":
        return "worker (from the fork server)"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "gone"
    if "forkserver" in command:
        return "fork server"
    if "resource_tracker" in command:
        return "resource tracker"
    return "worker (forked from the crawl)" if parent == crawl else "worker"


def crawl(tree: Path, registry: Path, data_dir: Path) -> dict[str, object]:
    command = [str(BIN / "tinlaodong"), "crawl", "--all", "--no-throttle", "--json"]
    command += ["--sites", str(registry), "--data-dir", str(data_dir)]
    for name, value in LIFTED.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    seen: dict[int, tuple[str, float]] = {}
    start, server = time.perf_counter(), time.process_time()
    process = subprocess.Popen(
        command, env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def poll() -> None:
        while process.returncode is None:
            for name in os.listdir("/proc"):
                if not name.isdigit():
                    continue
                pid, read = int(name), _stat(int(name))
                if read is None:
                    continue
                parent, cpu = read
                if pid == process.pid:
                    seen[pid] = ("crawl", cpu)
                elif pid in seen or parent in seen:
                    above = seen.get(parent, ("", 0.0))[0]
                    kind = seen[pid][0] if pid in seen else _kind(pid, parent, process.pid, above)
                    seen[pid] = (kind, cpu)
            time.sleep(0.05)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    watcher.join()
    by_kind: dict[str, list[float]] = {}
    for kind, cpu in seen.values():
        by_kind.setdefault(kind, []).append(round(cpu, 2))
    return {
        "tree": str(tree),
        "exit": process.returncode,
        "wall s": round(time.perf_counter() - start, 2),
        "tree CPU s": round(usage.ru_utime + usage.ru_stime, 2),
        "server CPU s": round(time.process_time() - server, 2),
        "processes CPU s": by_kind,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=realpages.CORPORA, default="vn-dev")
    parser.add_argument("--variants", type=int, default=1, help="copies a page")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", type=Path, action="append", help="a checkout (default: this)")
    args = parser.parse_args(argv)
    trees = [t.resolve() for t in args.tree or [ROOT]]
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="tinlaodong-procbench-") as tmp_name:
        tmp = Path(tmp_name)
        built = realpages.build(tmp / "sites", realpages.corpus_pages(args.corpus), args.variants)
        print(f"{args.corpus}: {len(built.copies)} pages on {len(built.sites)} sites", flush=True)
        with MirrorServer(built.sites) as server:
            registry = tmp / "sites.yaml"
            server.write_registry(registry)
            for run in range(args.runs):
                for number, tree in enumerate(trees):
                    data_dir = tmp / f"data-{run}-{number}"
                    print(json.dumps(crawl(tree, registry, data_dir), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
