"""``tinlaodong demo``: the whole job on the mirror, then feeds served until Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import feedparser

from tests.helpers import tinlaodong


def test_demo_no_serve_leaves_the_store_and_the_feeds_in_the_data_dir(tmp_path: Path) -> None:
    result = tinlaodong("demo", "--no-serve", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tinlaodong.sqlite3").is_file()
    feed = feedparser.parse((tmp_path / "feeds" / "all.atom.xml").read_bytes())
    assert len(feed.entries) >= 10
    assert str(tmp_path / "feeds") in result.stdout


def test_demo_serves_the_feeds_and_the_mirror_until_ctrl_c(tmp_path: Path) -> None:
    _serve_then_stop(tmp_path, signal.SIGINT)


def test_demo_stops_on_sigterm_as_on_ctrl_c(tmp_path: Path) -> None:
    # A service manager stops with SIGTERM. The crawl before the serving once left Scrapy's
    # handlers in place, which swallowed SIGTERM and every Ctrl-C after it.
    _serve_then_stop(tmp_path, signal.SIGTERM)


def _serve_then_stop(tmp_path: Path, stop: signal.Signals) -> None:
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aggregator.cli.main",
            "demo",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            _check_served_then_interrupt(proc, stop)
        finally:
            if proc.poll() is None:
                proc.kill()


def _check_served_then_interrupt(proc: subprocess.Popen[str], stop: signal.Signals) -> None:
    assert proc.stdout is not None
    url = ""
    for line in proc.stdout:
        if line.startswith("serving feeds at "):
            url = line.split()[3].rstrip("/")
            break
    assert url, "the demo never said where it serves the feeds"
    with urllib.request.urlopen(f"{url}/all.rss.xml", timeout=10) as response:
        assert "rss" in response.headers["Content-Type"]
        feed = feedparser.parse(response.read())
    # The stories' links point at the mirror, which is still being served.
    with urllib.request.urlopen(feed.entries[0].link, timeout=10) as response:
        assert response.status == 200
    proc.send_signal(stop)
    assert proc.wait(timeout=15) in (0, 130)
