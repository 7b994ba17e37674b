"""``tinlaodong sites check`` against real loopback servers: 200, 301, 500, a closed port,
a server that never answers, and an entry refused its loopback address."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aggregator.app.sitecheck import MAX_REDIRECTS, check_site
from aggregator.registry import parse_registry
from spiders.settings import USER_AGENT
from tests.helpers import closed_port, tinlaodong, write_registry


class Server:
    """A loopback HTTP server answering every GET with one status (and Location)."""

    def __init__(self, status: int, location: str | None = None) -> None:
        self.status, self.location = status, location
        self.user_agents: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.user_agents.append(self.headers.get("User-Agent", ""))
                self.send_response(server.status)
                if server.location:
                    self.send_header("Location", server.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    @property
    def hits(self) -> int:
        return len(self.user_agents)


@contextmanager
def serving(*servers: Server) -> Iterator[None]:
    threads = [
        threading.Thread(target=s.httpd.serve_forever, args=(0.05,), daemon=True) for s in servers
    ]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        for server in servers:
            server.httpd.shutdown()
            server.httpd.server_close()


@contextmanager
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel does) but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def entry(site_id: str, url: str, private: bool = True) -> dict[str, object]:
    data: dict[str, object] = {
        "id": site_id,
        "name": site_id,
        "province": "Hà Nội",
        "start_urls": [url],
    }
    if private:
        data["allow_private_network"] = True
    return data


@pytest.fixture
def servers() -> Iterator[dict[str, Server]]:
    ok, error, guarded = Server(200), Server(500), Server(200)
    moved = Server(301, ok.url + "new/")
    with serving(ok, error, guarded, moved):
        yield {"ok": ok, "moved": moved, "error": error, "guarded": guarded}


def test_check_reports_each_outcome_as_json(tmp_path: Path, servers: dict[str, Server]) -> None:
    registry = write_registry(
        tmp_path / "sites.yaml",
        [
            entry("ok", servers["ok"].url),
            entry("moved", servers["moved"].url),
            entry("error", servers["error"].url),
            entry("closed", f"http://127.0.0.1:{closed_port()}/"),
            entry("guarded", servers["guarded"].url, private=False),
        ],
    )
    result = tinlaodong("sites", "check", "--sites", str(registry), "--json", "--timeout", "2")
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert set(rows) == {"ok", "moved", "error", "closed", "guarded"}
    assert all(
        set(row)
        >= {
            "id",
            "url",
            "outcome",
            "status",
            "final_url",
            "left_host",
            "redirects",
            "reason",
            "seconds",
        }
        for row in rows.values()
    )

    assert rows["ok"]["outcome"] == "reachable" and rows["ok"]["status"] == 200
    moved = rows["moved"]
    assert (moved["outcome"], moved["status"], moved["redirects"]) == ("redirected", 301, 1)
    assert moved["final_url"] == servers["ok"].url + "new/" and moved["final_status"] == 200
    assert moved["left_host"] is True  # another port: another site
    assert rows["error"]["outcome"] == "dead" and rows["error"]["reason"] == "HTTP 500"
    assert rows["closed"]["outcome"] == "dead"
    assert rows["closed"]["reason"] == "connection refused"
    assert rows["guarded"]["outcome"] == "refused"
    assert "127.0.0.1 is a loopback address" in rows["guarded"]["reason"]

    assert servers["guarded"].hits == 0, "a refused site must never be contacted"
    assert servers["ok"].user_agents == [USER_AGENT, USER_AGENT]  # its own check + the redirect
    assert "5 sites: 1 reachable, 1 redirected, 2 dead, 1 refused" in result.stderr


@pytest.mark.parametrize(
    "host", ["127.0.0.1.", "localhost.", "%31%32%37.0.0.1", "[::ffff:0:7f00:1]", "foo.localhost"]
)
def test_check_refuses_every_spelling_the_crawl_refuses(
    tmp_path: Path, servers: dict[str, Server], host: str
) -> None:
    # They were "dead (DNS lookup failed)" here while the crawl refused them as private.
    port = servers["guarded"].url.rsplit(":", 1)[1].rstrip("/")
    registry = write_registry(
        tmp_path / "sites.yaml", [entry("spelled", f"http://{host}:{port}/", private=False)]
    )
    result = tinlaodong("sites", "check", "--sites", str(registry), "--json", "--timeout", "2")
    assert result.returncode == 0, result.stderr
    (row,) = map(json.loads, result.stdout.splitlines())
    assert row["outcome"] == "refused", row
    assert servers["guarded"].hits == 0


def test_check_prints_one_line_per_site_and_a_summary(
    tmp_path: Path, servers: dict[str, Server]
) -> None:
    registry = write_registry(
        tmp_path / "sites.yaml",
        [
            entry("ok", servers["ok"].url),
            entry("error", servers["error"].url),
            entry("moved", servers["moved"].url),
        ],
    )
    result = tinlaodong(
        "sites", "check", "--sites", str(registry), "--site", "ok", "--site", "moved"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and servers["error"].hits == 0
    assert any(line.startswith("ok ") and "reachable" in line for line in lines)
    assert any("redirected" in line and "another host" in line for line in lines)
    assert lines[-1].startswith("2 sites: 1 reachable, 1 redirected, 0 dead, 0 refused")


def test_a_silent_server_times_out() -> None:
    with silent_port() as port:
        site = parse_registry({"sites": [entry("silent", f"http://127.0.0.1:{port}/")]}).sites[0]
        result = check_site(site, timeout=0.3)
    assert (result.outcome, result.reason) == ("dead", "timed out")


def test_a_redirect_loop_is_dead_after_the_limit() -> None:
    loop = Server(302)
    loop.location = loop.url
    with serving(loop):
        site = parse_registry({"sites": [entry("loop", loop.url)]}).sites[0]
        result = check_site(site, timeout=2)
    assert result.outcome == "dead" and result.redirects == MAX_REDIRECTS
    assert result.reason == f"more than {MAX_REDIRECTS} redirects"
    assert result.left_host is False and loop.hits == MAX_REDIRECTS + 1


def test_an_unknown_host_is_dead_not_an_error() -> None:
    site = parse_registry({"sites": [entry("nowhere", "http://nowhere.invalid/")]}).sites[0]
    result = check_site(site, timeout=2)
    assert result.outcome == "dead" and result.reason is not None
    assert result.reason.startswith("DNS lookup")


def test_an_invalid_registry_is_the_only_failure(tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "sites.yaml", [{"id": "a"}])
    result = tinlaodong("sites", "check", "--sites", str(registry))
    assert result.returncode == 2 and "missing" in result.stderr
    assert "Traceback" not in result.stderr
