"""Distributed crawling: two ``tinlaodong worker`` processes at once, sharing Redis queues and
one PostgreSQL store, store the same stories as one ``tinlaodong crawl``, none twice.

Skips, saying why, without PostgreSQL, Redis or scrapy-redis; with ``CI=true`` it fails instead.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.store import open_store
from mirror.build import build_mirror
from mirror.server import MirrorServer
from tests.backends import ENV, fresh_postgres_database

REDIS_URL = os.environ.get("TINLAODONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SPEED = ["-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "AUTOTHROTTLE_MAX_DELAY=0.5"]


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


def _stories(data_dir: Path, url: str) -> list[tuple[str, frozenset[str]]]:
    store = open_store(data_dir, url)
    try:
        return [
            (s.title, frozenset(src.url for src in s.sources)) for s in store.stories(limit=5000)
        ]
    finally:
        store.close()
        store.engine.dispose()


def test_two_workers_store_what_one_crawl_stores(tmp_path: Path, redis_prefix: str) -> None:
    sites = build_mirror(tmp_path / "sites", None)
    with (
        MirrorServer(sites) as mirror,
        fresh_postgres_database() as shared,
        fresh_postgres_database() as reference,
    ):
        registry = tmp_path / "sites.yaml"
        mirror.write_registry(registry)
        worker = _command(
            "worker",
            "--sites",
            str(registry),
            "--data-dir",
            str(tmp_path / "worker"),
            "--json",
            *SPEED,
            "-s",
            f"TINLAODONG_REDIS_PREFIX={redis_prefix}",
            "-s",
            "TINLAODONG_WORKER_IDLE_SECONDS=1",
        )
        workers = [
            subprocess.Popen(
                worker, env=_env(shared), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        crawl = subprocess.run(
            _command(
                "crawl", "--all", "--sites", str(registry), "--data-dir", str(tmp_path / "one")
            )
            + SPEED,
            env=_env(reference),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        outputs = [w.communicate(timeout=120) for w in workers]
        assert crawl.returncode == 0, crawl.stderr
        for w, (out, err) in zip(workers, outputs, strict=True):
            assert w.returncode == 0, err
            assert "Traceback" not in err, err
            assert out.strip(), err  # one JSON line per site
        expected = _stories(tmp_path / "one", reference)
        got = _stories(tmp_path / "worker", shared)
    assert expected, crawl.stderr
    # Equal, and none twice: no story and no source URL stored twice.
    assert len(got) == len(set(got))
    urls = [u for _, sources in got for u in sources]
    assert len(urls) == len(set(urls))
    assert sorted(got, key=repr) == sorted(expected, key=repr)


def test_a_worker_without_redis_or_postgresql_is_one_line(
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
    monkeypatch.delenv(ENV, raising=False)
    result = tinlaodong("worker", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert ENV in result.stderr and "PostgreSQL" in result.stderr
