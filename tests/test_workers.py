"""Distributed crawling: ``tinlaodong worker`` processes sharing Redis queues and one PostgreSQL
store store the same stories as one ``tinlaodong crawl``, none twice; also when one of them is
killed with SIGKILL mid-crawl and another started in its place; and together they space their
requests to a host as one polite crawler would.

Skips, saying why, without PostgreSQL, Redis or scrapy-redis; with ``CI=true`` it fails instead.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from aggregator.store import open_store
from mirror.build import build_mirror
from mirror.server import MirrorServer
from tests.backends import ENV, fresh_postgres_database

REDIS_URL = os.environ.get("TINLAODONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SPEED = ["-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "AUTOTHROTTLE_MAX_DELAY=0.5"]
# Workers in these tests: a quick end once the queues are empty, a killed one noticed fast.
WORKER = [
    "-s",
    "TINLAODONG_WORKER_IDLE_SECONDS=1",
    "-s",
    "TINLAODONG_WORKER_LIVE_SECONDS=2",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the Redis server; its keys deleted afterwards."""
    try:
        import redis
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        _unavailable(f"{exc.name} is not installed (pip install -e '.[dev]')")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        _unavailable(f"Redis is not reachable at {REDIS_URL}: {exc}")
    prefix = f"tldtest-{secrets.token_hex(6)}"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(match=f"{prefix}:*", count=500):
            client.delete(key)
        client.close()


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONWARNINGS": "ignore",
        ENV: database_url,
        "TINLAODONG_REDIS_URL": REDIS_URL,
    }


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "aggregator.cli.main", *args]


Story = tuple[str, frozenset[str]]


def _stories(data_dir: Path, url: str) -> list[Story]:
    store = open_store(data_dir, url)
    try:
        return [
            (s.title, frozenset(src.url for src in s.sources)) for s in store.stories(limit=5000)
        ]
    finally:
        store.close()
        store.engine.dispose()


def _worker(registry: Path, data_dir: Path, prefix: str, *extra: str) -> list[str]:
    return _command(
        "worker",
        "--sites",
        str(registry),
        "--data-dir",
        str(data_dir),
        "--json",
        *SPEED,
        *WORKER,
        "-s",
        f"TINLAODONG_REDIS_PREFIX={prefix}",
        *extra,
    )


def _start(command: Sequence[str], database_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command,
        env=_env(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _reference(registry: Path, data_dir: Path, database_url: str) -> list[Story]:
    """What one ``tinlaodong crawl`` of the sites stores."""
    crawl = subprocess.run(
        _command("crawl", "--all", "--sites", str(registry), "--data-dir", str(data_dir)) + SPEED,
        env=_env(database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert crawl.returncode == 0, crawl.stderr
    stories = _stories(data_dir, database_url)
    assert stories, crawl.stderr
    return stories


def _finish(workers: Sequence[subprocess.Popen[str]]) -> list[str]:
    """Waits for the workers; their stderr. Their pipes are read at once (threads): one
    worker's full pipe, unread while we wait on another, would stop it mid-crawl."""
    with ThreadPoolExecutor(max(1, len(workers))) as pool:
        outputs = list(pool.map(lambda w: w.communicate(timeout=180), workers))
    errors = []
    for w, (out, err) in zip(workers, outputs, strict=True):
        assert w.returncode == 0, err
        assert "Traceback" not in err, err
        assert out.strip(), err  # one JSON line per site
        errors.append(err)
    return errors


def _stop(workers: Sequence[subprocess.Popen[str]]) -> None:
    """Kills the workers still running (a test that failed half-way) and closes their pipes,
    so that the failure is reported alone, not buried under warnings about them."""
    for w in workers:
        if w.poll() is None:
            w.kill()
            w.wait(timeout=30)
        for pipe in (w.stdout, w.stderr):
            if pipe is not None:
                pipe.close()


def _assert_same_stories(got: list[Story], expected: list[Story]) -> None:
    # Equal, and none twice: no story and no source URL stored twice.
    assert len(got) == len(set(got))
    urls = [u for _, sources in got for u in sources]
    assert len(urls) == len(set(urls))
    assert sorted(got, key=repr) == sorted(expected, key=repr)


def test_two_workers_store_what_one_crawl_stores(tmp_path: Path, redis_prefix: str) -> None:
    sites = build_mirror(tmp_path / "sites", None)
    with (
        MirrorServer(sites) as mirror,
        fresh_postgres_database() as shared,
        fresh_postgres_database() as reference,
    ):
        registry = tmp_path / "sites.yaml"
        mirror.write_registry(registry)
        command = _worker(
            registry, tmp_path / "worker", redis_prefix, "-s", "TINLAODONG_SHARED_DOMAIN_DELAY=0"
        )
        workers = [_start(command, shared) for _ in range(2)]
        expected = _reference(registry, tmp_path / "one", reference)
        _finish(workers)
        got = _stories(tmp_path / "worker", shared)
    _assert_same_stories(got, expected)


def _leased_by(client: Any, prefix: str, pid: int) -> int:
    """How many requests the worker process ``pid`` holds on lease, over all sites."""
    return sum(
        int(client.hlen(key)) for key in client.scan_iter(match=f"{prefix}:*:lease:*:{pid}:*")
    )


def test_a_worker_killed_mid_crawl_loses_no_request(tmp_path: Path, redis_prefix: str) -> None:
    """Two workers; one is killed with SIGKILL while it holds requests (taken off the shared
    queue, not yet stored) and another started in its place: the store ends up with what one
    clean crawl stores, none twice. The killed worker's requests are queued again by the
    others once its liveness key expires (2 s here)."""
    import redis

    sites = build_mirror(tmp_path / "sites", None)
    client = redis.Redis.from_url(REDIS_URL)
    with (
        MirrorServer(sites) as mirror,
        fresh_postgres_database() as shared,
        fresh_postgres_database() as reference,
    ):
        registry = tmp_path / "sites.yaml"
        mirror.write_registry(registry)
        expected = _reference(registry, tmp_path / "one", reference)
        # Requests to a host 0.4 s apart: each site's crawl lasts several seconds, long
        # enough to kill a worker in the middle of it.
        command = _worker(
            registry,
            tmp_path / "worker",
            redis_prefix,
            "-s",
            "TINLAODONG_SHARED_DOMAIN_DELAY=0.4",
            # One request in hand per site and worker: the worker that starts first would
            # otherwise take every queued request of a small site into its downloader, and
            # the other, with nothing to hold, could not be killed while holding any.
            "-s",
            "CONCURRENT_REQUESTS=1",
        )
        victim = _start(command, shared)
        survivor = _start(command, shared)
        workers = [victim, survivor]
        try:
            started = time.monotonic()
            held = 0
            while time.monotonic() - started < 60 and victim.poll() is None:
                held = _leased_by(client, redis_prefix, victim.pid)
                if held and time.monotonic() - started > 2:
                    break
                time.sleep(0.05)
            assert victim.poll() is None and held, "the crawl ended before the worker was killed"
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=30)
            # Not read to the end: its extraction processes, orphaned, may hold the pipes.
            for pipe in (victim.stdout, victim.stderr):
                if pipe is not None:
                    pipe.close()
            replacement = _start(command, shared)
            workers.append(replacement)
            errors = _finish([survivor, replacement])
            got = _stories(tmp_path / "worker", shared)
        finally:
            _stop(workers)
    client.close()
    assert any("queued again" in err for err in errors), errors
    _assert_same_stories(got, expected)


def test_workers_space_their_requests_to_a_host(tmp_path: Path, redis_prefix: str) -> None:
    """Two workers on one site, each allowed 2 requests at a time to it (Scrapy's own limit,
    per process): together they still send one request per interval (0.25 s)."""
    sites = build_mirror(tmp_path / "sites", None)
    interval = 0.25
    with MirrorServer(sites) as mirror, fresh_postgres_database() as shared:
        registry = tmp_path / "sites.yaml"
        mirror.write_registry(registry)
        site = sites[0].id
        command = _worker(
            registry,
            tmp_path / "worker",
            redis_prefix,
            "--site",
            site,
            "-s",
            f"TINLAODONG_SHARED_DOMAIN_DELAY={interval}",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "DOWNLOAD_DELAY=0",
        )
        _finish([_start(command, shared) for _ in range(2)])
        times = mirror.request_times(site)
    assert len(times) >= 10
    # Each request waits for its slot; the HTTP round trip after it adds jitter (a request sent
    # late is closer to the next one), never a burst: any run of k requests spans at least
    # k - 1 intervals, less half an interval of jitter.
    worst = min(
        (times[j] - times[i]) - (j - i) * interval
        for i in range(len(times))
        for j in range(i + 1, len(times))
    )
    assert worst > -0.5 * interval, times


def test_a_worker_without_redis_or_a_reachable_store_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import tinlaodong

    monkeypatch.delenv("TINLAODONG_REDIS_URL", raising=False)
    monkeypatch.setenv(ENV, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = tinlaodong("worker", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TINLAODONG_REDIS_URL" in result.stderr
    monkeypatch.setenv("TINLAODONG_REDIS_URL", REDIS_URL)
    result = tinlaodong("worker", "--data-dir", str(tmp_path))
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "Traceback" not in result.stderr
    monkeypatch.setenv(ENV, "nonsense://")
    result = tinlaodong("worker", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "database URL" in result.stderr or ENV in result.stderr


def test_serve_without_crawls_publishes_what_workers_store(
    tmp_path: Path, redis_prefix: str
) -> None:
    """The deployment of docs/deployment.md on one machine: ``serve --no-crawl`` crawls
    nothing, workers fill the store (here the SQLite file of a shared data directory), and
    the served feeds show their stories within the feeds service's interval (2 minutes,
    scaled to 0.6 s here)."""
    import urllib.request

    sites = build_mirror(tmp_path / "sites", None)
    data = tmp_path / "data"
    sqlite_url = f"sqlite:///{data / 'tinlaodong.sqlite3'}"
    env = {**_env(sqlite_url), "TINLAODONG_SCHEDULE_SCALE": "0.005"}
    with MirrorServer(sites) as mirror:
        registry = tmp_path / "sites.yaml"
        mirror.write_registry(registry)
        log = (tmp_path / "serve.log").open("w")
        serve = subprocess.Popen(
            _command("serve", "--no-crawl", "--port", "0", "--sites", str(registry))
            + ["--data-dir", str(data)],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=env,
        )
        assert serve.stdout is not None
        try:
            first = serve.stdout.readline()
            assert first.startswith("serving feeds at "), first
            feed_url = first.split()[3].rstrip("/") + "/all.rss.xml"
            command = _worker(
                registry, data, redis_prefix, "-s", "TINLAODONG_SHARED_DOMAIN_DELAY=0"
            )
            _finish([_start(command, sqlite_url)])
            stored = _stories(data, sqlite_url)
            assert stored
            title = stored[0][0]
            deadline = time.monotonic() + 30
            body = ""
            while time.monotonic() < deadline:
                with urllib.request.urlopen(feed_url, timeout=5) as response:
                    body = response.read().decode("utf-8")
                if body.count("<item>") >= min(len(stored), 20):
                    break
                time.sleep(0.3)
            assert body.count("<item>") >= min(len(stored), 20), body[:2000]
            assert any(t in body for t, _ in stored), title
            serve.send_signal(signal.SIGINT)
            assert serve.wait(timeout=15) == 0
        finally:
            if serve.poll() is None:
                serve.kill()
                serve.wait()
            serve.stdout.close()
            log.close()
    text = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "service feeds: done" in text and "service alerts: done" in text, text
    assert "crawl " not in text.replace("no crawls", "")
