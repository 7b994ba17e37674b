"""A database URL that cannot work: one line naming the problem, a non-zero exit, no traceback.

The real ``tinlaodong crawl`` in a subprocess, with ``$TINLAODONG_DATABASE_URL`` set; the store
is opened before any site is contacted, so the site (a closed port) is never reached.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import closed_port, tinlaodong, write_registry


def crawl_with_database(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a crawl against ``url``; returns its one line of stderr after checking the rest."""
    registry = write_registry(
        tmp_path / "sites.yaml",
        [
            {
                "id": "laichau",
                "name": "Sở LĐ-TB&XH Lai Châu",
                "province": "Lai Châu",
                "start_urls": [f"http://127.0.0.1:{closed_port()}/"],
                "allow_private_network": True,
            }
        ],
    )
    monkeypatch.setenv("TINLAODONG_DATABASE_URL", url)
    result = tinlaodong(
        "crawl", "--sites", str(registry), "--data-dir", str(tmp_path / "data"), timeout=60
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tinlaodong crawl: error: ")
    assert result.stdout == "", "nothing crawled, no report"
    return lines[0]


def test_a_nonsense_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = crawl_with_database("nonsense", tmp_path, monkeypatch)
    assert "bad database URL" in line
    assert "sqlite:///" in line, "says what a URL looks like"


def test_a_postgresql_url_to_a_closed_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = closed_port()
    line = crawl_with_database(
        f"postgresql://crawler:s3cret@127.0.0.1:{port}/news", tmp_path, monkeypatch
    )
    assert f"cannot open store postgresql://crawler:***@127.0.0.1:{port}/news" in line
    assert "Connection refused" in line
    assert "s3cret" not in line, "the password is not printed"


def test_an_sqlite_url_into_a_directory_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    line = crawl_with_database(f"sqlite:///{missing}/tin.sqlite3", tmp_path, monkeypatch)
    assert f"no directory {missing}" in line
    assert not missing.parent.exists(), "nothing created on the way"


def test_an_sqlite_timeout_that_is_not_a_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = crawl_with_database(
        f"sqlite:///{tmp_path}/tin.sqlite3?timeout=soon", tmp_path, monkeypatch
    )
    assert "bad database URL" in line and "'soon'" in line
