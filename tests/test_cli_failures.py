"""No quiet failures, no tracebacks: a mistake is one line saying what and where, and an exit
code that is not 0 (issue 20, item 6). The real ``tinlaodong`` in a subprocess each time.

A missing store is an SQLite matter: with ``$TINLAODONG_DATABASE_URL`` set the store is that
database, whatever ``--data-dir`` says, so these run on SQLite only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.scheduling.lock import FileLock, lock_path
from aggregator.store import CrawlRecord, open_store
from tests.helpers import closed_port, static_site, tinlaodong, write_registry

ROOT = Path(__file__).resolve().parents[1]

RULES = "rules:\n  - id: r\n    query: lao dong\n    notify: ['json://127.0.0.1:9/']\n"


def one_error_line(result: subprocess.CompletedProcess[str], command: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"tinlaodong {command}: error: "), lines[0]
    return lines[0]


# -- a data directory without a store, for a command that reads one


READING_COMMANDS = [
    ["stories"],
    ["search", "lao", "dong"],
    ["sites"],
    ["feeds", "build", "--out", "{tmp}/out"],
    ["feeds", "serve", "--port", "0"],
    ["alerts", "status"],
    ["alerts", "send"],
    ["alerts", "retry"],
    ["alerts", "test", "{tmp}/rules.yaml"],
    ["schedule"],
]


@pytest.mark.parametrize("command", READING_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("exists", [False, True], ids=["missing dir", "dir without store"])
def test_a_mistyped_data_dir_is_no_store_not_an_empty_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], exists: bool
) -> None:
    monkeypatch.delenv("TINLAODONG_DATABASE_URL", raising=False)
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    typo = tmp_path / "vra"
    if exists:
        typo.mkdir()
    args = [a.format(tmp=tmp_path) for a in command]
    result = tinlaodong(*args, "--data-dir", str(typo), timeout=60)
    assert result.returncode == 2
    line = one_error_line(result, command[0])
    assert f"no store in {typo}" in line and "--data-dir" in line
    assert result.stdout == ""
    assert typo.exists() == exists, "the mistyped directory is not created"
    assert not exists or not any(typo.iterdir()), "nothing is created in it"
    assert not (tmp_path / "out").exists()


def test_sites_before_the_first_crawl_still_lists_the_registry(tmp_path: Path) -> None:
    """./var not made yet and no directory named: the registry, every site never crawled."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TINLAODONG_DATA_DIR", "TINLAODONG_DATABASE_URL")
    }
    result = subprocess.run(
        [sys.executable, "-m", "aggregator.cli.main", "sites"],
        capture_output=True, text=True, check=False, cwd=tmp_path, timeout=60,
        env={**env, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, result.stderr
    assert "(never crawled)" in result.stdout
    assert not (tmp_path / "var").exists()


# -- a Scrapy setting with a value it cannot take


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ("DOWNLOAD_TIMEOUT=abc", "not a number"),
        ("AUTOTHROTTLE_ENABLED=maybe", "not a yes/no value"),
        ("DOWNLOADER_MIDDLEWARES=[1]", "not a JSON object"),
        # A negative deadline gave up every page; nan and inf were taken as numbers.
        ("TINLAODONG_EXTRACT_DEADLINE=-5", "cannot be negative"),
        ("TINLAODONG_EXTRACT_DEADLINE=nan", "not a finite number"),
        ("TINLAODONG_EXTRACT_DEADLINE=1e400", "not a finite number"),
        ("TINLAODONG_MAX_SITEMAPS=-1", "cannot be negative"),
        ("TINLAODONG_EXTRACT_WORKERS=-3", "cannot be negative"),
        ("TINLAODONG_EXTRACT_WORKERS=1.5", "not a whole number"),
        # Read with int(): a traceback for each (re-attack).
        ("TINLAODONG_SITES_AT_ONCE=1e9", "not a whole number"),
        ("CONCURRENT_REQUESTS=2.5", "not a whole number"),
    ],
)
def test_a_bad_setting_value_is_one_line_before_any_request(
    tmp_path: Path, setting: str, problem: str
) -> None:
    data = tmp_path / "data"
    with static_site(tmp_path) as (base, requests):
        registry = write_registry(
            tmp_path / "sites.yaml",
            [{"id": "lai-chau", "name": "Sở LĐ-TB&XH Lai Châu", "province": "Lai Châu",
              "start_urls": [f"{base}/"], "allow_private_network": True}],
        )
        result = tinlaodong(
            "crawl", "--sites", str(registry), "--data-dir", str(data), "--all",
            "-s", "DOWNLOAD_DELAY=0.25", "-s", setting, timeout=60,
        )
    assert result.returncode == 2
    line = one_error_line(result, "crawl")
    assert f"-s {setting}: {problem}" in line
    assert requests == [], "no site is contacted"
    assert not data.exists(), "no crawl is recorded (no store is even made)"
    assert result.stdout == ""


def test_serve_checks_setting_values_before_scheduling(tmp_path: Path) -> None:
    data = tmp_path / "data"
    registry = write_registry(
        tmp_path / "sites.yaml",
        [{"id": "lai-chau", "name": "Sở LĐ-TB&XH Lai Châu", "province": "Lai Châu",
          "start_urls": [f"http://127.0.0.1:{closed_port()}/"], "allow_private_network": True}],
    )
    result = tinlaodong(
        "serve", "--once", "--sites", str(registry), "--data-dir", str(data),
        "-s", "CONCURRENT_REQUESTS=many", timeout=60,
    )
    assert result.returncode == 2
    assert "-s CONCURRENT_REQUESTS=many: not a number" in one_error_line(result, "serve")
    assert not data.exists()


# -- a worker without the [distributed] extra


BLOCKER = '''
import sys


class _Missing:
    """As if scrapy-redis (and redis, which it brings) were not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("scrapy_redis", "redis"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _Missing())
'''


@pytest.mark.parametrize("redis_url", [None, "redis://127.0.0.1:6379/0"], ids=["no url", "url"])
def test_a_worker_without_the_distributed_extra_says_which_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_url: str | None
) -> None:
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(blocker), str(ROOT)]))
    if redis_url:
        monkeypatch.setenv("TINLAODONG_REDIS_URL", redis_url)
    else:
        monkeypatch.delenv("TINLAODONG_REDIS_URL", raising=False)
    data = tmp_path / "data"
    result = tinlaodong("worker", "--data-dir", str(data), "--site", "molisa", timeout=60)
    assert result.returncode == 2
    line = one_error_line(result, "worker")
    assert "pip install 'tinlaodong[distributed]'" in line
    assert not data.exists()


# -- a second serve on the same data directory


@pytest.mark.parametrize("mode", [[], ["--no-crawl"]], ids=["crawling", "no crawl"])
def test_a_second_serve_prints_only_the_lock_error(tmp_path: Path, mode: list[str]) -> None:
    data = tmp_path / "data"
    registry = write_registry(
        tmp_path / "sites.yaml",
        [{"id": "lai-chau", "name": "Sở LĐ-TB&XH Lai Châu", "province": "Lai Châu",
          "start_urls": [f"http://127.0.0.1:{closed_port()}/"], "allow_private_network": True}],
    )
    # The first serve's lock, held here as a running serve holds it.
    with FileLock(lock_path(data)):
        result = tinlaodong(
            "serve", *mode, "--port", "0", "--sites", str(registry), "--data-dir", str(data),
            timeout=60,
        )
    assert result.returncode == 2
    line = one_error_line(result, "serve")
    assert f"pid {os.getpid()} already runs 'tinlaodong serve' for {data}" in line
    assert "feeds serve" in line, "points at what does work: serving the feeds only"
    assert result.stdout == "", "no 'serving feeds at' for a server that is not staying"


# -- the command alone, and its version (issue 20, item 7)


def test_the_command_alone_prints_its_help() -> None:
    result = tinlaodong(timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: tinlaodong")
    assert "crawl" in result.stdout and "search" in result.stdout
    assert result.stderr == ""


def test_version() -> None:
    result = tinlaodong("--version", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("tinlaodong ")
    assert result.stdout.split()[1][0].isdigit(), result.stdout


# -- a rules file that cannot be read, whatever is due


@pytest.mark.parametrize(
    ("rules", "problem"),
    [(None, "cannot read the rules"), ("rules: [1, 2\n", "rules")],
    ids=["missing", "invalid"],
)
def test_crawl_rules_are_checked_before_anything_even_when_nothing_is_due(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules: str | None, problem: str
) -> None:
    monkeypatch.delenv("TINLAODONG_DATABASE_URL", raising=False)
    data = tmp_path / "data"
    registry = write_registry(
        tmp_path / "sites.yaml",
        [{"id": "lai-chau", "name": "Sở LĐ-TB&XH Lai Châu", "province": "Lai Châu",
          "start_urls": [f"http://127.0.0.1:{closed_port()}/"], "allow_private_network": True}],
    )
    store = open_store(data)
    now = datetime.now(UTC)
    store.record_crawl([CrawlRecord("lai-chau", now, now, 1, 0, 0, 0, False)])
    store.close()
    path = tmp_path / "r1.yaml"
    if rules is not None:
        path.write_text(rules, encoding="utf-8")
    args = ["crawl", "--sites", str(registry), "--data-dir", str(data), "--rules", str(path)]
    # Nothing is due: it said so and exited 0, the rules never read.
    result = tinlaodong(*args, timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    line = one_error_line(result, "crawl")
    assert str(path) in line and problem in line, line
    assert result.stdout == ""
