"""A crawl killed with SIGKILL leaves no extraction worker or fork server behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from spiders.orphans import _alive, exit_with

ROOT = Path(__file__).resolve().parents[1]

# A stand-in for the crawl: a forkserver pool like the crawl's, whose workers say who they are.
CRAWL = textwrap.dedent(
    """
    import multiprocessing, os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from spiders.orphans import exit_with

    if __name__ == "__main__":
        context = multiprocessing.get_context("forkserver")
        pool = ProcessPoolExecutor(
            2, mp_context=context, initializer=exit_with, initargs=(os.getpid(),)
        )
        pids = {pool.submit(time.sleep, 0.2) and pool.submit(os.getpid).result() for _ in range(8)}
        print(" ".join(map(str, sorted(pids))), flush=True)
        time.sleep(120)
    """
)


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for its parent."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc (Linux)")
def test_workers_and_fork_server_end_with_a_killed_crawl(tmp_path: Path) -> None:
    script = tmp_path / "crawl.py"
    script.write_text(CRAWL)
    crawl = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert crawl.stdout is not None
        workers = [int(pid) for pid in crawl.stdout.readline().split()]
        assert workers and all(running(pid) for pid in workers)
        fork_server = parent_of(workers[0])
        assert fork_server != crawl.pid and running(fork_server)
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
        if crawl.stdout is not None:
            crawl.stdout.close()
    deadline = time.monotonic() + 15
    left = [*workers, fork_server]
    while left and time.monotonic() < deadline:
        left = [pid for pid in left if running(pid)]
        time.sleep(0.1)
    assert left == [], f"still running after the crawl was killed: {left}"


def test_the_watch_of_a_process_already_gone_ends_at_once() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert not _alive(gone.pid)
    assert _alive(os.getpid())
    assert callable(exit_with)
