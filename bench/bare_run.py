"""Bare ``trafilatura.extract`` over the benchmark's pages, in a process of its own.

    .venv/bin/python bench/bare_run.py PAGES_JSON

``PAGES_JSON``: a list of [file, url] pairs. Prints one JSON object: the CPU and wall seconds
of ``trafilatura.extract(html, url=url)`` over the pages (read beforehand) and their number.

Not in the harness's process: that one serves the mirror from 60 threads and holds the built
mirror's records, and trafilatura's allocations there paid for collections of that heap and
took turns with the server's threads (63 pages/s there, 74-79 in a process of its own).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import trafilatura


def main() -> None:
    logging.disable(logging.WARNING)  # trafilatura logs every discarded page
    pairs = json.loads(Path(sys.argv[1]).read_text())
    pages = [(Path(file).read_bytes(), url) for file, url in pairs]
    start, wall = time.process_time(), time.perf_counter()
    for html, url in pages:
        trafilatura.extract(html, url=url)
    cpu, wall = time.process_time() - start, time.perf_counter() - wall
    print(json.dumps({"cpu": cpu, "wall": wall, "pages": len(pages)}))


if __name__ == "__main__":
    main()
