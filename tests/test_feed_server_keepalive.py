"""feeds.server under keep-alive, with slow clients, and its in-memory caches: files by version,
web answers."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import threading
import time
from collections.abc import Iterator
from functools import partial
from http import HTTPStatus
from pathlib import Path

import pytest

from feeds.connection_limits import ConnectionLimits
from feeds.server import FeedServer, _Entity, _FileCache
from feeds.web.server import _Answer, _ResponseCache

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel>' + b"<item/>" * 500 + b"</channel></rss>"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    directory = tmp_path / "feeds"
    directory.mkdir()
    (directory / "all.rss.xml").write_bytes(FEED)
    (tmp_path / "secret.html").write_text("do not serve")
    return directory


@pytest.fixture
def server(folder: Path) -> Iterator[FeedServer]:
    with FeedServer(folder, port=0) as running:
        yield running


def connect(server: FeedServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)


def fetch(
    conn: http.client.HTTPConnection,
    path: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
) -> http.client.HTTPResponse:
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response


def test_one_connection_serves_many_requests(server: FeedServer) -> None:
    conn = connect(server)
    try:
        first = fetch(conn, "/all.rss.xml", {"Accept-Encoding": "gzip"})
        sock = conn.sock
        assert first.version == 11 and not first.will_close
        etag = first.getheader("ETag") or ""
        assert fetch(conn, "/all.rss.xml", {"If-None-Match": etag}).status == 304
        assert fetch(conn, "/missing.rss.xml").status == 404
        assert fetch(conn, "/all.rss.xml").status == 200
        assert conn.sock is sock  # no reconnection in between
    finally:
        conn.close()


def test_head_answers_have_no_body_on_a_kept_connection(server: FeedServer) -> None:
    # A body after a HEAD answer would be read as the next answer's status line.
    conn = connect(server)
    try:
        assert fetch(conn, "/missing.rss.xml", method="HEAD").status == 404
        assert fetch(conn, "/all.rss.xml", method="HEAD").status == 200
        response = fetch(conn, "/all.rss.xml")
        assert response.status == 200 and response.getheader("Content-Length") == str(len(FEED))
    finally:
        conn.close()


def test_a_request_body_closes_the_connection(server: FeedServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            b"GET /all.rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 32\r\n\r\n"
            b"GET /secret.html HTTP/1.1\r\n\r\n\r\n"
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head = received.split(b"\r\n\r\n", 1)[0]
    assert head.startswith(b"HTTP/1.1 200") and b"\r\nconnection: close" in head.lower()
    assert received.count(b"HTTP/1.1 ") == 1  # the body was not taken for a request


def test_http_1_0_client_gets_its_answer_and_a_close(server: FeedServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /all.rss.xml HTTP/1.0\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 200") and received.endswith(FEED)


def test_stop_ends_kept_connections(folder: Path) -> None:
    server = FeedServer(folder, port=0).start()
    conn = connect(server)
    try:
        assert fetch(conn, "/all.rss.xml").status == 200
        server.stop()
        with pytest.raises((http.client.HTTPException, OSError)):
            fetch(conn, "/all.rss.xml")
    finally:
        conn.close()
        server.stop()


def test_rewritten_in_place_same_size_is_a_new_version(server: FeedServer, folder: Path) -> None:
    conn = connect(server)
    try:
        etag = fetch(conn, "/all.rss.xml").getheader("ETag") or ""
        feed = folder / "all.rss.xml"
        changed = FEED.replace(b"<item/>", b"<ITEM/>", 1)
        with feed.open("r+b") as f:  # same inode, same size
            f.write(changed)
        later = time.time_ns() + 2_000_000_000
        os.utime(feed, ns=(later, later))
        response = fetch(conn, "/all.rss.xml", {"If-None-Match": etag})
        assert response.status == 200 and response.getheader("ETag") != etag
        conn.request("GET", "/all.rss.xml")
        assert conn.getresponse().read() == changed
    finally:
        conn.close()


def test_symlinks_in_the_folder_served_out_of_it_refused(server: FeedServer, folder: Path) -> None:
    (folder / "alias.rss.xml").symlink_to(folder / "all.rss.xml")
    (folder / "leak.html").symlink_to(folder.parent / "secret.html")
    (folder / "dangling.html").symlink_to(folder / "nothing.html")
    conn = connect(server)
    try:
        assert fetch(conn, "/alias.rss.xml").status == 200
        assert fetch(conn, "/leak.html").status == 404
        assert fetch(conn, "/dangling.html").status == 404
    finally:
        conn.close()


def test_a_fifo_is_not_served(server: FeedServer, folder: Path) -> None:
    os.mkfifo(folder / "pipe.rss.xml")
    conn = connect(server)
    try:
        assert fetch(conn, "/pipe.rss.xml").status == 404  # promptly: never opened
    finally:
        conn.close()


def test_file_cache_keeps_to_its_bytes(folder: Path) -> None:
    for n in range(5):
        (folder / f"f{n}.html").write_bytes(bytes([65 + n]) * 500)
    cache = _FileCache(folder, max_bytes=2000)
    for n in range(5):
        entity = cache.lookup(f"/f{n}.html")
        assert entity is not None and entity.data == bytes([65 + n]) * 500
    assert sum(e.size for _, e in cache._entries.values()) <= 2000
    assert list(cache._entries) == ["f1.html", "f2.html", "f3.html", "f4.html"]  # latest used
    assert cache.lookup("/f0.html") is not None  # read again


def answer(body: bytes, cache_control: str = "public, max-age=300") -> _Answer:
    return _Answer(HTTPStatus.OK, _Entity(body, "text/plain", None), cache_control)


def test_response_cache_makes_each_answer_once() -> None:
    cache = _ResponseCache(seconds=60)
    made: list[int] = []
    started = threading.Barrier(8)

    def make() -> _Answer:
        made.append(1)
        time.sleep(0.2)  # a slow search: the other threads wait for this one
        return answer(b"feed")

    def get() -> None:
        started.wait()
        assert cache.get(("/feeds/search", (("q", "x"),), "b"), make).entity.data == b"feed"

    threads = [threading.Thread(target=get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1


def test_response_cache_expiry_and_what_it_keeps() -> None:
    cache = _ResponseCache(seconds=0.2)
    assert cache.get(("a",), lambda: answer(b"1")).entity.data == b"1"
    assert cache.get(("a",), lambda: answer(b"2")).entity.data == b"1"
    time.sleep(0.25)
    assert cache.get(("a",), lambda: answer(b"3")).entity.data == b"3"
    # Not shareable: made every time.
    for cache_control in ("no-cache", "private, max-age=60", "public, max-age=0"):
        cache.get(("b",), partial(answer, b"1", cache_control))
        assert cache.get(("b",), lambda: answer(b"2")).entity.data == b"2"
        cache = _ResponseCache(seconds=0.2)
    failed = _Answer(HTTPStatus.BAD_REQUEST, _Entity(b"x", "text/plain", None), "public, max-age=9")
    cache.get(("c",), lambda: failed)
    assert cache.get(("c",), lambda: answer(b"ok")).entity.data == b"ok"


def test_response_cache_answers_the_previous_while_one_thread_remakes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = _ResponseCache(seconds=0.1)
    cache.get(("a",), lambda: answer(b"old"))
    time.sleep(0.15)
    remaking = threading.Event()
    release = threading.Event()

    def slow() -> _Answer:
        remaking.set()
        release.wait(5)
        return answer(b"new")

    thread = threading.Thread(target=cache.get, args=(("a",), slow))
    thread.start()
    assert remaking.wait(5)
    assert cache.get(("a",), lambda: answer(b"other")).entity.data == b"old"
    release.set()
    thread.join()
    assert cache.get(("a",), lambda: answer(b"other")).entity.data == b"new"


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closed ``sock`` within ``seconds``, and what it sent before."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        return False, received
    except ConnectionResetError:
        pass
    return True, received


def test_a_silent_or_slow_client_is_closed_on(folder: Path) -> None:
    with FeedServer(folder, port=0, limits=ConnectionLimits(head_seconds=0.5)) as server:
        _silent_or_slow_closed_on(server)


def _silent_or_slow_closed_on(server: FeedServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as silent:
        assert _closed_within(silent, 3)[0]
    # A head a byte at a time (slowloris): the deadline runs from its first byte.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as slow:
        started = time.monotonic()
        with contextlib.suppress(OSError):  # closed on while still sending
            for byte in b"GET /all.rss.xml HTTP/1.1\r\nHost: x\r\n":
                slow.send(bytes([byte]))
                time.sleep(0.05)
        assert _closed_within(slow, 3)[0] and time.monotonic() - started < 3
    # A kept-alive connection idles between requests by the keep-alive timeout, not this.
    conn = connect(server)
    try:
        assert fetch(conn, "/all.rss.xml").status == 200
        time.sleep(0.8)
        assert fetch(conn, "/all.rss.xml").status == 200
    finally:
        conn.close()


def test_a_request_head_too_large_is_refused(server: FeedServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        with contextlib.suppress(OSError):  # closed on while still sending
            sock.sendall(b"GET /all.rss.xml HTTP/1.1\r\nHost: x\r\n")
            for _ in range(100):
                sock.sendall(b"X-Padding: " + b"a" * 1000 + b"\r\n")
        closed, received = _closed_within(sock, 5)
    assert closed and received.startswith(b"HTTP/1.1 431")
    conn = connect(server)  # the server goes on answering the others
    try:
        assert fetch(conn, "/all.rss.xml").status == 200
    finally:
        conn.close()


def test_response_cache_peek_never_waits() -> None:
    cache = _ResponseCache(seconds=0.1)
    assert cache.peek(("a",)) is None  # nothing yet: get() makes it
    cache.get(("a",), lambda: answer(b"old"))
    peeked = cache.peek(("a",))
    assert peeked is not None and peeked.entity.data == b"old"
    time.sleep(0.15)
    assert cache.peek(("a",)) is None  # expired: get() makes it again
    release = threading.Event()
    remaking = threading.Event()

    def slow() -> _Answer:
        remaking.set()
        release.wait(5)
        return answer(b"new")

    thread = threading.Thread(target=cache.get, args=(("a",), slow))
    thread.start()
    assert remaking.wait(5)
    peeked = cache.peek(("a",))  # the previous one, while another thread makes the next
    assert peeked is not None and peeked.entity.data == b"old"
    release.set()
    thread.join()
