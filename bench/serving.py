"""Feed serving under load: ``feeds.server.FeedServer`` (own process) and a threaded client.

Each client thread keeps an ``http.client`` connection (it reconnects by itself when the
server closes one) and sends GETs as fast as answers come, bounded by a request count and a
time limit. Two cases: the full feed (gzip, as readers ask for it) and a conditional GET that
the server answers 304.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
THREADS = 8
MAX_REQUESTS = 4000
MAX_SECONDS = 10.0
ROUNDS = 3
FEED = "/all.rss.xml"


def load(base: str, headers: dict[str, str]) -> tuple[float, list[float]]:
    """Requests/s and every latency (s) of one bounded round."""
    parts = urlsplit(base)
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + MAX_SECONDS

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        mine: list[float] = []
        while len(mine) < MAX_REQUESTS // THREADS and time.perf_counter() < deadline:
            start = time.perf_counter()
            conn.request("GET", FEED, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.will_close:
                conn.close()
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - start), latencies


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def figures(feeds: Path, figure: Callable[..., Any]) -> list[Any]:
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "feedserve.py"), str(feeds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
        conn.request("GET", FEED)
        first = conn.getresponse()
        body = first.read()
        etag = first.getheader("ETag") or ""
        conn.close()
        cases = {
            f"serving: feed 200 gzip ({len(body) // 1024} KB raw)": {"Accept-Encoding": "gzip"},
            "serving: feed 304 (If-None-Match)": {"If-None-Match": etag},
        }
        found = []
        for name, headers in cases.items():
            rounds = [load(base, headers) for _ in range(ROUNDS)]
            note = f"{THREADS} client threads, {sum(len(r[1]) for r in rounds)} requests"
            found.append(figure(f"{name}: req/s", "req/s", [r[0] for r in rounds], note))
            found.append(figure(f"{name}: p99", "ms", [1000 * p99(r[1]) for r in rounds]))
        return found
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
