"""``tinlaodong demo``: the whole job on the mirror, then feeds served until Ctrl-C."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import feedparser
import pytest

from tests.backends import backend
from tests.helpers import free_ports, tinlaodong

__all__ = ["backend"]


def test_demo_no_serve_leaves_the_store_and_the_feeds_in_the_data_dir(tmp_path: Path) -> None:
    result = tinlaodong("demo", "--no-serve", "--mirror-port", "0", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tinlaodong.sqlite3").is_file()
    feed = feedparser.parse((tmp_path / "feeds" / "all.atom.xml").read_bytes())
    assert len(feed.entries) >= 10
    assert str(tmp_path / "feeds") in result.stdout


def test_demo_serves_the_feeds_and_the_mirror_until_ctrl_c(tmp_path: Path) -> None:
    # Started as a shell script's background job is (`make demo &`, a test run in the
    # background): with SIGINT ignored, which Python leaves so. The demo once served on
    # through every SIGINT then, until killed.
    _serve_then_stop(tmp_path, signal.SIGINT, sigint_ignored=True)


def test_demo_stops_on_sigterm_as_on_ctrl_c(tmp_path: Path) -> None:
    # A service manager stops with SIGTERM. The crawl before the serving once left Scrapy's
    # handlers in place, which swallowed SIGTERM and every Ctrl-C after it.
    _serve_then_stop(tmp_path, signal.SIGTERM)


# Runs the command after it with SIGINT ignored, as a shell does for a background job
# without job control: the disposition survives exec.
IGNORING_SIGINT = [
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])",
]


def _serve_then_stop(tmp_path: Path, stop: signal.Signals, *, sigint_ignored: bool = False) -> None:
    with subprocess.Popen(
        [
            sys.executable,
            *(IGNORING_SIGINT if sigint_ignored else []),
            "-m",
            "aggregator.cli.main",
            "demo",
            "--port",
            "0",
            "--mirror-port",
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
    # Generous: a loaded machine is slow to stop, and the test is about stopping at all.
    assert proc.wait(timeout=60) in (0, 130)


@pytest.mark.usefixtures("backend")
def test_the_demo_run_twice_leaves_the_same_store(tmp_path: Path) -> None:
    # Its mirror once listened on new ports each run: every story got a second source, at a
    # new address, and the stored links pointed at the first run's dead ports.
    first = tinlaodong(
        "demo", "--no-serve", "--mirror-port", str(free_ports(8)), "--data-dir", str(tmp_path)
    )
    assert first.returncode == 0, first.stderr
    stored = _sources(tmp_path)
    assert len(stored) >= 20
    # As `make demo` runs it again: no options, the ports of the data directory's last demo.
    second = tinlaodong("demo", "--no-serve", "--data-dir", str(tmp_path))
    assert second.returncode == 0, second.stderr
    assert _sources(tmp_path) == stored


def test_a_mirror_port_taken_is_one_line_that_says_which(tmp_path: Path) -> None:
    port = free_ports(8)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port + 3))
        taken.listen()
        result = tinlaodong(
            "demo", "--no-serve", "--mirror-port", str(port), "--data-dir", str(tmp_path)
        )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"127.0.0.1:{port + 3}" in result.stderr and "--mirror-port" in result.stderr
    assert not (tmp_path / "tinlaodong.sqlite3").exists()


def _sources(data_dir: Path) -> list[str]:
    """Every stored story's source links, as `stories --json` lists them."""
    result = tinlaodong("stories", "--json", "--limit", "1000", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    stories = [json.loads(line) for line in result.stdout.splitlines()]
    return sorted(source["url"] for story in stories for source in story["sources"])
