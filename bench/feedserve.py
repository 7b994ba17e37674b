"""Serve a feeds folder on loopback for the serving benchmark (``bench/serving.py``).

    .venv/bin/python bench/feedserve.py FEEDS_DIR                   # feeds.server.FeedServer
    .venv/bin/python bench/feedserve.py --web DATA_DIR [--sites F]  # feeds.web.WebServer
    ... --profile OUT.prof   # cProfile of the event loop's and the worker threads

Prints the base URL on one line, serves until its standard input closes. A process of its own,
so that the load generator does not share the server's GIL.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from feeds.server import FeedServer


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="feeds folder, or data dir with --web")
    parser.add_argument("--web", action="store_true", help="the web app over DATA_DIR's store")
    parser.add_argument("--sites", type=Path, help="registry file for --web (default: none)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the serving threads")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # one INFO line per request is not what is measured
    profilers = _start_profiling() if args.profile else None
    server: FeedServer
    if args.web:
        from aggregator.registry import load_registry
        from feeds.web import WebServer

        sites = load_registry(args.sites).sites if args.sites else ()
        server = WebServer.for_data_dir(args.directory, sites, port=0)
    else:
        server = FeedServer(args.directory, port=0)
    with server:
        print(server.url, flush=True)
        sys.stdin.read()
    if profilers:
        threading.setprofile(None)  # type: ignore[arg-type]
        for profiler in profilers:
            profiler.create_stats()  # a snapshot, whichever thread it ran in
        pstats.Stats(*profilers).dump_stats(args.profile)
    return 0


def _start_profiling() -> list[cProfile.Profile]:
    """A profiler per thread started from now on (uvicorn's event loop, the worker threads
    that read the store), merged at the end: one cProfile sees only the thread that enabled
    it, and sharing one between threads mixes up their call stacks."""
    profilers: list[cProfile.Profile] = []
    lock = threading.Lock()

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        # Called once, at a new thread's first call: from then on that thread's own profiler.
        profiler = cProfile.Profile()
        with lock:
            profilers.append(profiler)
        profiler.enable()

    threading.setprofile(hook)
    return profilers


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
