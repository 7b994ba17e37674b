"""Test helpers: a static site on loopback that records what it was asked, and the CLI."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import BaseRequestHandler

import yaml

# Tests crawl the same loopback sites again at once: --all, not only the sites that are due.
FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "AUTOTHROTTLE_MAX_DELAY=0.5", "--all"]


class RecordingHandler(SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class QuietHandler(BaseHTTPRequestHandler):
    """A test server's handler that logs nothing and answers HTML in one call."""

    def send_html(self, body: bytes, status: int = 200, location: str | None = None) -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def loopback_server(handler: Callable[..., BaseRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1:<any port> in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def static_site(root: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``root`` on 127.0.0.1:<any port>; yields (base URL, paths requested)."""
    requests: list[str] = []
    handler = type("Handler", (RecordingHandler,), {"requests": requests})
    with loopback_server(partial(handler, directory=str(root))) as base:
        yield base, requests


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (Linux's default where unreadable)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive ports nobody listens on now, for a server that
    needs fixed ports (the demo's mirror), away from the usual ones other tests may hold, and
    below the kernel's ephemeral range: a test running alongside (pytest -n) has its servers on
    port 0 and its client sockets there, and one took a port between two demo runs."""
    low = _ephemeral_low()
    for _ in range(200):
        first = random.randrange(10000, low - count)
        with ExitStack() as held:
            try:
                for port in range(first, first + count):
                    sock = held.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return first
    raise RuntimeError(f"no {count} consecutive free ports found")


def write_registry(path: Path, sites: list[dict[str, object]]) -> Path:
    path.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
    return path


def tinlaodong(
    *args: str, timeout: float = 300, warnings: str = "ignore"
) -> subprocess.CompletedProcess[str]:
    """Run the real ``tinlaodong`` command in a subprocess; ``warnings``: Python's warnings
    filter in it ("default": as a user's shell shows them)."""
    env = {**os.environ, "PYTHONWARNINGS": warnings}
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


@contextmanager
def redirecting_site(target_base: str) -> Iterator[str]:
    """A loopback host that answers every path with a 301 to the same path on ``target_base``."""

    class Redirect(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(301)
            self.send_header("Location", target_base + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
