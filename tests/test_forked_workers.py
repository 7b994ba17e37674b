"""Extraction workers forked from the crawl's own process before it starts a thread
(``ExtractionWorkers.start_forked``): no fork server importing the extraction code again, the
pages extracted all the same, Ctrl-C to the process group still the crawl's alone, and the fork
server as before where forking is not safe. Each case runs in a process of its own: pytest's
(with xdist) runs threads of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "tests" / "fixtures" / "generic" / "khong-tac-gia.html"

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, multiprocessing.forkserver, os, signal, sys, threading
    from pathlib import Path
    from spiders.extraction_workers import ExtractionWorkers

    def main():
        thread_first = sys.argv[2] == "thread-first"
        if thread_first:  # a thread already running, as in a long-lived service
            threading.Thread(target=threading.Event().wait, daemon=True).start()
        page = Path(sys.argv[1]).read_bytes()
        with ExtractionWorkers(2) as workers:
            forked = workers.start_forked()
            article, *_ = asyncio.run(
                workers.extract(page, "https://example.org/tin/a.html", None, None)
            )
            pool = workers.started()
            parents = {pool.submit(os.getppid).result() for _ in range(8)}
            # Ctrl-C in a terminal reaches the whole process group: the crawl handles it, and
            # its workers must still be there for the pages under way.
            previous = signal.signal(signal.SIGINT, lambda *_: None)
            os.killpg(os.getpgrp(), signal.SIGINT)
            signal.signal(signal.SIGINT, previous)
            after, *_ = asyncio.run(
                workers.extract(page, "https://example.org/tin/b.html", None, None)
            )
        print(json.dumps({
            "forked": forked,
            "title": article.title if article else None,
            "after_sigint": after is not None,
            "parent_is_crawl": parents == {os.getpid()},
            "fork_server": multiprocessing.forkserver._forkserver._forkserver_pid is not None,
        }))


    if __name__ == "__main__":  # the fork server imports this file again
        main()
    """
)


def run(tmp_path: Path, mode: str) -> dict[str, object]:
    script = tmp_path / "crawl_stand_in.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(PAGE), mode],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        start_new_session=True,  # its SIGINT reaches its own group only
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# Python 3.12 deprecates fork() beside C threads too (numpy's): there the fork server.
FORKS = sys.version_info < (3, 12)


def test_workers_forked_before_any_thread_need_no_fork_server(tmp_path: Path) -> None:
    found = run(tmp_path, "no-thread")
    assert found["forked"] is FORKS
    assert found["parent_is_crawl"] is FORKS
    assert found["fork_server"] is not FORKS
    assert found["title"]
    assert found["after_sigint"] is True


def test_with_a_thread_running_the_workers_come_from_the_fork_server(tmp_path: Path) -> None:
    found = run(tmp_path, "thread-first")
    assert found["forked"] is False
    assert found["parent_is_crawl"] is False
    assert found["fork_server"] is True
    assert found["title"]
    assert found["after_sigint"] is True
