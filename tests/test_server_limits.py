"""The page and feed server under slow and greedy clients (issue 21, item 2): real servers on
loopback, real sockets.

A flood of idle connections or of heads sent a byte at a time, more than the server has file
descriptors, leaves /healthz and the feeds answering other clients at once, and the store able
to open its files; one address is held to its share; a client that stops reading is dropped;
requests answered at once are bounded (a 503 past it, not a queue).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from aggregator.paths import feeds_dir
from feeds.connection_limits import ConnectionLimits
from feeds.server import FeedServer
from tests.test_web import populated_data_dir

# Descriptors of the server in a subprocess: low, so that a few hundred connections are more
# than it has (as 1,100 are more than a service's usual 1,024).
FD_LIMIT = 256
FLOOD = 400  # connections the attacker opens: more than FD_LIMIT
HEAD_TIMEOUT = 1.0
PROMPT = 2.0  # seconds an answer to another client may take during an attack
MAX_REQUESTS = 32  # requests answered at once (TINLAODONG_MAX_REQUESTS): fewer than a flood's
SEND_TIMEOUT = 2.0  # a client not reading is dropped after this long


@dataclass
class Served:
    url: str
    port: int
    pid: int
    log: Path


def with_fd_limit(fds: int, *argv: str) -> list[str]:
    """A command running ``tinlaodong argv`` with ``fds`` descriptors, soft and hard (set in
    the child itself: no preexec_fn, which forking a threaded process makes unsafe)."""
    launch = (
        "import resource, runpy, sys; "
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({fds}, {fds})); "
        "sys.argv[0] = 'tinlaodong'; "
        "runpy.run_module('aggregator.cli.main', run_name='__main__')"
    )
    return [sys.executable, "-c", launch, *argv]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``tinlaodong feeds serve`` of a populated data directory, with FD_LIMIT descriptors."""
    root = tmp_path_factory.mktemp("limits")
    data = populated_data_dir(root)
    log = root / "server.log"
    env = {
        **os.environ,
        "TINLAODONG_HEAD_TIMEOUT": str(HEAD_TIMEOUT),
        "TINLAODONG_BODY_TIMEOUT": str(HEAD_TIMEOUT),
        "TINLAODONG_MAX_REQUESTS": str(MAX_REQUESTS),
        "TINLAODONG_SEND_TIMEOUT": str(SEND_TIMEOUT),
    }
    # Bigger than the buffers on the way: a client not reading it stalls its answer.
    (feeds_dir(data.data_dir) / "big.html").write_bytes(b"<p>tin</p>" * 200_000)
    command = with_fd_limit(
        FD_LIMIT, "feeds", "serve", "--data-dir", str(data.data_dir), "--sites",
        str(data.sites_file), "--port", "0",
    )  # fmt: skip
    with log.open("w") as errors:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
        )
    try:
        assert process.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:(\d+)", process.stdout.readline())
        assert found, log.read_text()
        port = int(found.group(1))
        yield Served(f"http://127.0.0.1:{port}", port, process.pid, log)
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def _answered(url: str) -> float:
    """Seconds a GET of ``url`` took; it must be a 200."""
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=PROMPT * 2) as response:
        response.read()
        assert response.status == 200, url
    return time.monotonic() - started


def _others_answered(served: Served, times: int = 10) -> list[float]:
    return [
        _answered(served.url + path) for _ in range(times) for path in ("/healthz", "/all.rss.xml")
    ]


def _open(port: int, count: int, source: str = "127.0.0.1", rcvbuf: int = 0) -> list[socket.socket]:
    opened = []
    for _ in range(count):
        sock = socket.socket()
        if rcvbuf:  # a small window: what the server sends it stays in the server's buffers
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.bind((source, 0))
        sock.settimeout(5)
        try:
            sock.connect(("127.0.0.1", port))
        except OSError:  # the backlog full for a moment: this one is not held then
            sock.close()
            continue
        opened.append(sock)
    return opened


def _is_closed(sock: socket.socket) -> bool:
    """Whether the server closed ``sock`` (anything it sent before is read and dropped)."""
    sock.setblocking(False)
    try:
        while chunk := sock.recv(65536):
            del chunk
    except BlockingIOError:
        return False
    except OSError:  # reset
        pass
    return True


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _no_store_failure(served: Served) -> None:
    _others_answered(served, times=2)
    text = served.log.read_text()
    assert "unable to open database file" not in text and "Traceback" not in text, text[-2000:]


def test_idle_connections_beyond_its_descriptors_leave_others_answered(served: Served) -> None:
    flood = _open(served.port, FLOOD)
    try:
        assert len(flood) > FD_LIMIT
        latencies = _others_answered(served)
        assert max(latencies) < PROMPT
        # Some of the flood is held, the rest dropped: the descriptors left are the store's.
        assert _fds(served.pid) < FD_LIMIT - 32
    finally:
        for sock in flood:
            sock.close()
    _no_store_failure(served)


def test_heads_sent_a_byte_at_a_time_are_cut_off_and_others_answered(served: Served) -> None:
    slow = _open(served.port, FLOOD // 2) + _open(served.port, FLOOD // 2, "127.0.0.2")
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 200
    # Bodies too: a head announcing one, then its bytes one at a time.
    for sock in slow[::4]:
        with contextlib.suppress(OSError):
            sock.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 999\r\n\r\n")
    cut: set[int] = set()
    started = time.monotonic()
    stop = threading.Event()

    def trickle() -> None:
        for n in range(len(head)):
            for i, sock in enumerate(slow):
                if i not in cut:
                    try:
                        sock.send(head[n : n + 1])
                    except OSError:
                        cut.add(i)
            if stop.wait(0.1):
                return

    sender = threading.Thread(target=trickle)
    sender.start()
    try:
        latencies = _others_answered(served)
        assert max(latencies) < PROMPT
        # Each is cut off at the deadline for its head, though it goes on sending.
        while len(cut) < len(slow) and time.monotonic() - started < HEAD_TIMEOUT + 5:
            cut.update(i for i, sock in enumerate(slow) if i not in cut and _is_closed(sock))
            time.sleep(0.1)
        assert len(cut) == len(slow)
    finally:
        stop.set()
        sender.join()
        for sock in slow:
            sock.close()
    _no_store_failure(served)


def test_answers_stalled_unread_leave_others_answered(served: Served) -> None:
    # Four addresses, each within its share of connections, each connection asking for the
    # big file again and again and reading nothing: more answers stalled than requests
    # answered at once.
    request = b"GET /big.html HTTP/1.1\r\nHost: x\r\n\r\n" * 20
    flood = [
        sock
        for n in range(2, 6)
        for sock in _open(served.port, MAX_REQUESTS // 2, f"127.0.0.{n}", rcvbuf=4096)
    ]
    try:
        for sock in flood:
            with contextlib.suppress(OSError):
                sock.sendall(request)
        # Through the flood's stall and past its send deadline (where it is dropped).
        held = time.monotonic() + SEND_TIMEOUT * 1.5
        while time.monotonic() < held:
            assert max(_others_answered(served, times=1)) < PROMPT
    finally:
        for sock in flood:
            sock.close()
    _no_store_failure(served)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    directory = tmp_path / "feeds"
    directory.mkdir()
    (directory / "all.rss.xml").write_bytes(b'<?xml version="1.0"?><rss version="2.0"/>')
    # Bigger than every buffer on the way: a client not reading it stalls the answer.
    (directory / "big.html").write_bytes(b"<p>tin</p>" * 3_000_000)
    return directory


def _fetch(server: FeedServer, path: str) -> int:
    try:
        with urllib.request.urlopen(server.url + path, timeout=5) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            return error.code


def test_one_address_is_held_to_its_share(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    limits = ConnectionLimits(per_client=8)
    with FeedServer(folder, port=0, limits=limits) as server:
        greedy = _open(server.port, 40, "127.0.0.2")
        proxy = _open(server.port, 40)  # loopback: a trusted proxy's, not capped
        try:
            deadline = time.monotonic() + 5
            while sum(map(_is_closed, greedy)) < 40 - 8:  # closed at once, each
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert _fetch(server, "/all.rss.xml") == 200
            assert sum(map(_is_closed, greedy)) == 40 - 8
            assert not any(map(_is_closed, proxy))
        finally:
            for sock in greedy + proxy:
                sock.close()
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(said) == 1 and "refused" in said[0] and "from 127.0.0.2" in said[0], said


def test_when_full_a_flood_makes_room_out_of_its_own_connections(folder: Path) -> None:
    with FeedServer(folder, port=0, limits=ConnectionLimits(max_connections=20)) as server:
        reader = http.client.HTTPConnection(
            "127.0.0.1", server.port, timeout=5, source_address=("127.0.0.3", 0)
        )
        flood: list[socket.socket] = []
        try:
            reader.request("GET", "/all.rss.xml")
            assert reader.getresponse().read() and reader.sock is not None
            kept = reader.sock
            flood = _open(server.port, 100)  # the proxy's address: not capped as one client
            deadline = time.monotonic() + 5
            while sum(not _is_closed(sock) for sock in flood) > 20 - 1:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            # The reader's kept-alive connection, idle meanwhile, is still there.
            reader.request("GET", "/all.rss.xml")
            assert reader.getresponse().status == 200 and reader.sock is kept
        finally:
            reader.close()
            for sock in flood:
                sock.close()


def _stalled_reader(server: FeedServer) -> socket.socket:
    """A client that asks for the big file and reads only its first bytes."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(5)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(b"GET /big.html HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(100).startswith(b"HTTP/1.1 200")
    return sock


def test_a_client_that_stops_reading_is_dropped(folder: Path) -> None:
    size = (folder / "big.html").stat().st_size
    with FeedServer(folder, port=0, limits=ConnectionLimits(send_seconds=0.3)) as server:
        with _stalled_reader(server) as sock:
            time.sleep(1.5)  # past the deadline, not reading
            received = 0
            with contextlib.suppress(ConnectionResetError):
                while chunk := sock.recv(1 << 20):
                    received += len(chunk)
        assert received < size  # dropped before the end, not waited for


class _SlowServer(FeedServer):
    """A server whose /slow answers once ``release`` is set, from a worker thread: a search
    that takes long, as the page's and the saved searches' can."""

    def __init__(self, directory: Path, limits: ConnectionLimits) -> None:
        super().__init__(directory, port=0, limits=limits)
        self.release = threading.Event()

    def asgi_app(self) -> ASGIApp:
        async def slow(request: Request) -> Response:
            await run_in_threadpool(self.release.wait, 10)
            return PlainTextResponse("done")

        return Starlette(routes=[Route("/slow", slow), Mount("/", super().asgi_app())])


def test_requests_at_once_are_bounded(folder: Path) -> None:
    server = _SlowServer(folder, ConnectionLimits(max_requests=2))
    with server, ThreadPoolExecutor(2) as pool:
        waiting = [pool.submit(_fetch, server, "/slow") for _ in range(2)]
        try:
            deadline = time.monotonic() + 5
            while (status := _fetch(server, "/all.rss.xml")) == 200:  # until both are in
                assert time.monotonic() < deadline
                time.sleep(0.02)
            assert status == 503  # at once, not queued behind them
        finally:
            server.release.set()
        assert [future.result() for future in waiting] == [200, 200]
        assert _fetch(server, "/all.rss.xml") == 200


def test_settings_out_of_range_are_one_line() -> None:
    from aggregator.exceptions import ConfigError

    with pytest.raises(ConfigError, match="TINLAODONG_HEAD_TIMEOUT='0'"):
        ConnectionLimits.from_environ({"TINLAODONG_HEAD_TIMEOUT": "0"})
    with pytest.raises(ConfigError, match="TINLAODONG_MAX_CONNECTIONS='lots'"):
        ConnectionLimits.from_environ({"TINLAODONG_MAX_CONNECTIONS": "lots"})
    limits = ConnectionLimits.from_environ({"TINLAODONG_MAX_CONNECTIONS_PER_CLIENT": "0"})
    assert limits.per_client == 0
    assert ConnectionLimits().fitted(256).max_connections == 128
    assert ConnectionLimits().fitted(1 << 16).max_connections == 1000
    limits = ConnectionLimits.from_environ({"FORWARDED_ALLOW_IPS": "10.0.0.0/8, proxy.lan"})
    assert limits.is_trusted("10.1.2.3") and limits.is_trusted("::ffff:10.1.2.3")
    assert limits.is_trusted("proxy.lan") and not limits.is_trusted("127.0.0.1")
    assert ConnectionLimits().is_trusted("::ffff:127.0.0.1")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TINLAODONG_BACKLOG", "99999999999"),  # past a C int: a traceback at listen()
        ("TINLAODONG_MAX_CONNECTIONS", "99999999999999999999"),
        ("TINLAODONG_KEEP_ALIVE_TIMEOUT", "1e308"),
    ],
)
def test_huge_server_settings_are_one_line_and_exit_2(
    tmp_path: Path, name: str, value: str
) -> None:
    from aggregator.store import open_store

    open_store(tmp_path).engine.dispose()  # a data directory to serve
    env = {**os.environ, name: value, "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "aggregator.cli.main", "feeds", "serve", "--port", "0"]
    result = subprocess.run(
        [*command, "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert f"{name}={value!r}: expected a number from" in line
