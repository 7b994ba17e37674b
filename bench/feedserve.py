"""Serve a feeds folder with ``feeds.server.FeedServer`` on loopback for the serving benchmark.

    .venv/bin/python bench/feedserve.py FEEDS_DIR

Prints the base URL on one line, serves until its standard input closes. A process of its own,
so that the load generator's threads do not share the server's GIL.
"""

from __future__ import annotations

import sys
from pathlib import Path

from feeds.server import FeedServer


def main(argv: list[str]) -> int:
    with FeedServer(Path(argv[0]), port=0) as server:
        print(server.url, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
