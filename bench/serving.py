"""Feed serving under load: a feed file, its 304, and a saved-search feed, requests/s and p99.

    .venv/bin/python bench/serving.py                      # synthetic store of 3,000 stories
    .venv/bin/python bench/serving.py --dir /tmp/serving   # keep (and reuse) the store
    .venv/bin/python bench/serving.py --client python      # the Python client even with wrk
    .venv/bin/python bench/serving.py --feeds DATA/feeds   # an existing data dir's feeds

The server runs in a process of its own (``bench/feedserve.py``): ``feeds.server.FeedServer``
for the feed files, ``feeds.web.WebServer`` (what ``tinlaodong serve`` runs) for
``/feeds/search``; both are uvicorn serving a Starlette app. The load generator is ``wrk``
(Debian's package) when it is on PATH: one C thread with keep-alive connections, far lighter
than Python on a 2-core machine; else a threaded ``http.client`` client. Every figure's note
names the generator that ran. Cases: the full feed (gzip, as readers ask for it), a
conditional GET answered 304, and a search feed (a search in the store and a feed built per
request), plain and conditional.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: ``bench`` and the project importable
    sys.path.insert(0, str(ROOT))

THREADS = 8  # Python client threads
CONNECTIONS = 16  # wrk's keep-alive connections
MAX_REQUESTS = 4000  # Python client: per round
MAX_SECONDS = 10.0  # per round
ROUNDS = 3
FEED = "/all.rss.xml"
QUERY = "lao dong"  # folded: matches "lao động" in most stories, the worst case
STORIES = 3000
# wrk's summary as one parseable line (its text output rounds to 2 digits and a unit).
_WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT %.0f %.0f %.0f %.0f %.0f\\n", summary.requests,
    summary.duration, latency:percentile(99.0), e.connect + e.read + e.write + e.timeout,
    e.status))
end
"""
# Each request with a URL of its own (``&n=<count>``): past any cache of answers by URL.
_WRK_UNIQUE = """
local count = 0
request = function()
  count = count + 1
  return wrk.format(nil, wrk.path .. "&n=" .. count)
end
"""
_WRK_RESULT = re.compile(r"^WRK_RESULT (\d+) (\d+) (\d+) (\d+) (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class Round:
    """One bounded round of load."""

    rps: float
    p99_ms: float
    requests: int
    errors: int  # socket errors and unexpected (4xx/5xx) answers
    client: str  # the load generator that ran, with its concurrency


def wrk_path() -> str | None:
    return shutil.which("wrk")


def load_wrk(
    url: str,
    headers: dict[str, str],
    seconds: float = MAX_SECONDS,
    connections: int = CONNECTIONS,
    unique: bool = False,
) -> Round:
    """A round of ``wrk`` against ``url``: keep-alive connections, p99 from its histogram.
    ``unique``: a different URL each request (``url`` has a query string)."""
    wrk = wrk_path()
    if wrk is None:
        raise RuntimeError("wrk is not on PATH (apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT + (_WRK_UNIQUE if unique else ""))
    try:
        command = [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "5s",
            "-s",
            script.name,
        ]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        done = subprocess.run(
            [*command, url], capture_output=True, text=True, timeout=seconds + 30, check=True
        )
    finally:
        os.unlink(script.name)
    found = _WRK_RESULT.search(done.stdout)
    if found is None:
        raise RuntimeError(f"no result from wrk: {done.stdout}{done.stderr}")
    requests, duration_us, p99_us, socket_errors, bad_status = map(int, found.groups())
    return Round(
        requests / (duration_us / 1e6),
        p99_us / 1000,
        requests,
        socket_errors + bad_status,
        f"wrk, 1 thread, {connections} connections",
    )


def load_python(
    url: str,
    headers: dict[str, str],
    seconds: float = MAX_SECONDS,
    threads: int = THREADS,
    unique: bool = False,
) -> Round:
    """A round of threaded ``http.client`` GETs, each thread on a keep-alive connection (it
    reconnects when the server closes one), bounded by a request count and a time limit.
    ``unique``: a different URL each request (``url`` has a query string)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    counter = itertools.count(1)

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        mine: list[float] = []
        bad = 0
        while len(mine) < MAX_REQUESTS // threads and time.perf_counter() < deadline:
            start = time.perf_counter()
            path = f"{target}&n={next(counter)}" if unique else target
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            bad += response.status >= 400
            if response.will_close:
                conn.close()
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    workers = [threading.Thread(target=client) for _ in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    return Round(
        len(latencies) / elapsed,
        1000 * p99(latencies),
        len(latencies),
        errors,
        f"python http.client, {threads} threads",
    )


def load(
    url: str,
    headers: dict[str, str],
    client: str = "auto",
    seconds: float = MAX_SECONDS,
    connections: int | None = None,
    unique: bool = False,
) -> Round:
    """A round with ``client`` ("wrk", "python", or "auto": wrk when it is installed);
    ``connections``: concurrent ones (default: the client's own)."""
    if client == "wrk" or (client == "auto" and wrk_path() is not None):
        return load_wrk(url, headers, seconds, connections or CONNECTIONS, unique)
    return load_python(url, headers, seconds, connections or THREADS, unique)


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


@contextmanager
def serving(args: Sequence[str]) -> Iterator[str]:
    """``bench/feedserve.py ARGS`` running; yields its base URL."""
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "feedserve.py"), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        # The caller's PYTHONPATH first: another copy of ``feeds`` there is measured instead.
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [p for p in (os.environ.get("PYTHONPATH"), str(ROOT)) if p]
            ),
        },
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        if not base:
            raise RuntimeError("bench/feedserve.py did not start")
        yield base
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=60)


def fetch(url: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """One GET, body read: the answer a case expects, checked before loading it."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        conn.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {}
        )
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


@dataclass(frozen=True)
class Case:
    name: str
    url: str
    headers: dict[str, str]
    status: int  # what the server must answer, or the figures mean nothing
    connections: int | None = None  # concurrent ones, if not the client's default
    unique: bool = False  # a different URL each request


def measure(
    cases: Sequence[Case],
    figure: Callable[..., Any],
    client: str,
    seconds: float,
    rounds: int,
) -> list[Any]:
    found = []
    for case in cases:
        got = fetch(case.url, case.headers).status
        if got != case.status:
            raise RuntimeError(f"{case.name}: {case.url} answered {got}, not {case.status}")
        # Warm up: caches, connections.
        load(case.url, case.headers, client, min(seconds, 2.0), case.connections, case.unique)
        done = [
            load(case.url, case.headers, client, seconds, case.connections, case.unique)
            for _ in range(rounds)
        ]
        note = f"{done[0].client}, {sum(r.requests for r in done)} requests"
        errors = sum(r.errors for r in done)
        if errors:
            note += f", {errors} errors"
        found.append(figure(f"{case.name}: req/s", "req/s", [r.rps for r in done], note))
        found.append(figure(f"{case.name}: p99", "ms", [r.p99_ms for r in done]))
    return found


def figures(
    feeds: Path,
    figure: Callable[..., Any],
    *,
    client: str = "auto",
    seconds: float = MAX_SECONDS,
    rounds: int = ROUNDS,
    query: str | None = QUERY,
    sites: Path | None = None,
) -> list[Any]:
    """Figures of serving ``feeds`` (each a ``figure(name, unit, values[, note])``), and of the
    saved-search feed when ``feeds``' parent is a data directory with a store (``query``
    None: not). ``sites``: the registry the web app names the sources from."""
    from aggregator.store.database import store_exists

    found = []
    with serving([str(feeds)]) as base:
        first = fetch(base + FEED)
        etag = first.getheader("ETag") or ""
        size = len((feeds / FEED.lstrip("/")).read_bytes())
        found += measure(
            [
                Case(
                    f"serving: feed 200 gzip ({size // 1024} KB raw)",
                    base + FEED,
                    {"Accept-Encoding": "gzip"},
                    200,
                ),
                Case(
                    "serving: feed 304 (If-None-Match)", base + FEED, {"If-None-Match": etag}, 304
                ),
            ],
            figure,
            client,
            seconds,
            rounds,
        )
    data_dir = feeds.parent
    if query is None or not store_exists(data_dir):
        return found
    web = ["--web", str(data_dir)] + (["--sites", str(sites)] if sites else [])
    with serving(web) as base:
        url = f"{base}/feeds/search?q={quote(query)}&format=rss"
        first = fetch(url, {"Accept-Encoding": "gzip"})
        etag = first.getheader("ETag") or ""
        found += measure(
            [
                Case(
                    f"serving: search feed 200 gzip (q={query})",
                    url,
                    {"Accept-Encoding": "gzip"},
                    200,
                ),
                Case("serving: search feed 304 (If-None-Match)", url, {"If-None-Match": etag}, 304),
                # What a search costs when no answer is kept: the store's work, per request;
                # few connections, or each waits for all the others' searches.
                Case(
                    "serving: search feed 200, a new URL each",
                    url,
                    {"Accept-Encoding": "gzip"},
                    200,
                    connections=2,
                    unique=True,
                ),
            ],
            figure,
            client,
            seconds,
            rounds,
        )
    return found


# --- a synthetic data directory ----------------------------------------------------------

PROVINCES = ("Hà Nội", "Quảng Trị", "Nam Định")


def make_data(root: Path, stories: int = STORIES) -> tuple[Path, Path]:
    """(data dir, registry file) of a store of ``stories`` synthetic stories (the scale
    benchmark's) on its 120 sites, with its feeds written; a filled one is reused."""
    import yaml

    from aggregator.registry import load_registry
    from aggregator.search import refresh_index
    from aggregator.store import open_store
    from bench.scale_bench import SITES, Filler, site_of
    from feeds.publish import update_feeds

    registry = root / "sites.yaml"
    entries = [
        {
            "id": site_of(n),
            "name": f"Sở LĐ-TB&XH số {n}",
            "province": PROVINCES[n % len(PROVINCES)],
            "start_urls": [f"https://{site_of(n)}.example.vn/"],
        }
        for n in range(SITES)
    ]
    root.mkdir(parents=True, exist_ok=True)
    registry.write_text(yaml.safe_dump({"sites": entries}, allow_unicode=True), "utf-8")
    sites = load_registry(registry).sites
    data_dir = root / "data"
    store = open_store(data_dir)
    try:
        added, _ = Filler(store.engine, os.cpu_count() or 1).fill(stories)
        if added or not (data_dir / "feeds" / FEED.lstrip("/")).exists():
            refresh_index(store.engine)
            update_feeds(store, sites, data_dir / "feeds")
    finally:
        store.close()
    return data_dir, registry


def main(argv: list[str] | None = None) -> int:
    from bench.crawl_bench import Figure

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--seconds", type=float, default=MAX_SECONDS, help="per round")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--stories", type=int, default=STORIES, help="in the synthetic store")
    parser.add_argument("--query", default=QUERY, help="of the search feed")
    parser.add_argument("--no-search", action="store_true", help="the feed file cases only")
    parser.add_argument("--dir", type=Path, help="where the synthetic store is kept and reused")
    parser.add_argument("--feeds", type=Path, help="an existing DATA_DIR/feeds instead")
    parser.add_argument("--sites", type=Path, help="the registry of --feeds' data dir")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tinlaodong-serving-") as tmp:
        if args.feeds:
            feeds, sites = args.feeds, args.sites
        else:
            data_dir, sites = make_data(args.dir or Path(tmp), args.stories)
            feeds = data_dir / "feeds"
        found = figures(
            feeds,
            Figure,
            client=args.client,
            seconds=args.seconds,
            rounds=args.rounds,
            query=None if args.no_search else args.query,
            sites=sites,
        )
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"{'figure':<52}{'median':>10} {'unit':<10}{'min-max':>20}")
    for row in found:
        print(row.row())
    return 0


if __name__ == "__main__":
    sys.exit(main())
