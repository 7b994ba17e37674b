"""feeds.server: a real FeedServer on a loopback port, fetched with urllib."""

from __future__ import annotations

import _thread
import http.client
import logging
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from email.utils import format_datetime
from pathlib import Path

import pytest

from feeds.model import FeedSpec
from feeds.server import FeedServer
from feeds.writer import write_feeds


@pytest.fixture
def feeds_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "feeds"
    spec = FeedSpec("all", "tinlaodong: tất cả", "Tin lao động", "https://tinlaodong.example/", ())
    write_feeds(directory, [spec])
    (tmp_path / "secret.txt").write_text("do not serve")
    (directory / ".all.rss.xml.tmp").write_text("half a feed")
    return directory


@pytest.fixture
def server(feeds_dir: Path) -> Iterator[FeedServer]:
    with FeedServer(feeds_dir, port=0) as running:
        yield running


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (names in any case, as HTTP has them) and body."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def raw_get(server: FeedServer, path: str) -> int:
    """GET with the path sent as is: urllib would not send some of these unchanged."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_port_zero_gets_a_real_port(server: FeedServer) -> None:
    assert server.port != 0
    assert server.url == f"http://127.0.0.1:{server.port}"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/all.rss.xml", "application/rss+xml; charset=utf-8"),
        ("/all.atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feeds.opml", "text/x-opml; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
    ],
)
def test_content_types(server: FeedServer, feeds_dir: Path, path: str, content_type: str) -> None:
    status, headers, body = get(server.url + path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert body == (feeds_dir / (path.lstrip("/") or "index.html")).read_bytes()
    assert headers["Content-Length"] == str(len(body))


def test_query_string_ignored(server: FeedServer) -> None:
    assert get(server.url + "/all.rss.xml?nocache=123")[0] == 200


def test_304_on_if_none_match(server: FeedServer) -> None:
    status, headers, _ = get(server.url + "/all.atom.xml")
    etag = headers["ETag"]
    status, headers, body = get(server.url + "/all.atom.xml", {"If-None-Match": etag})
    assert (status, body) == (304, b"")
    assert headers["ETag"] == etag
    assert get(server.url + "/all.atom.xml", {"If-None-Match": f"W/{etag}"})[0] == 304
    assert get(server.url + "/all.atom.xml", {"If-None-Match": '"other"'})[0] == 200


def test_304_on_if_modified_since(server: FeedServer) -> None:
    _, headers, _ = get(server.url + "/all.rss.xml")
    last_modified = headers["Last-Modified"]
    assert get(server.url + "/all.rss.xml", {"If-Modified-Since": last_modified})[0] == 304
    long_ago = format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)
    assert get(server.url + "/all.rss.xml", {"If-Modified-Since": long_ago})[0] == 200


def test_new_etag_when_feed_changes(server: FeedServer, feeds_dir: Path) -> None:
    _, headers, _ = get(server.url + "/all.rss.xml")
    spec = FeedSpec("all", "đổi tên", "Tin lao động", "https://tinlaodong.example/", ())
    write_feeds(feeds_dir, [spec])
    status, new_headers, body = get(server.url + "/all.rss.xml", {"If-None-Match": headers["ETag"]})
    assert status == 200
    assert new_headers["ETag"] != headers["ETag"]
    assert "đổi tên".encode() in body


def test_head(server: FeedServer) -> None:
    request = urllib.request.Request(server.url + "/all.rss.xml", method="HEAD")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        assert int(response.headers["Content-Length"]) > 0
        assert response.read() == b""


@pytest.mark.parametrize("path", ["/missing.rss.xml", "/missing.json", "/secret.txt"])
def test_404_for_missing(server: FeedServer, path: str) -> None:
    assert get(server.url + path)[0] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/../pyproject.toml",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/.all.rss.xml.tmp",
    ],
)
def test_no_traversal(server: FeedServer, path: str) -> None:
    assert raw_get(server, path) == 404


def test_symlink_out_of_folder_refused(server: FeedServer, feeds_dir: Path) -> None:
    (feeds_dir / "leak.html").symlink_to(feeds_dir.parent / "secret.txt")
    assert get(server.url + "/leak.html")[0] == 404


def test_one_info_line_per_request(server: FeedServer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="feeds.server"):
        get(server.url + "/all.rss.xml")
        get(server.url + "/missing.xml")
    lines = [r for r in caplog.records if r.name == "feeds.server"]
    assert [r.levelno for r in lines] == [logging.INFO, logging.INFO]
    assert '"GET /all.rss.xml HTTP/1.1" 200' in lines[0].getMessage()
    assert lines[1].getMessage().endswith(" 404")


def test_stop_releases_the_port(feeds_dir: Path) -> None:
    server = FeedServer(feeds_dir, port=0).start()
    url = server.url
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/", timeout=2)


def test_serve_forever_until_stopped(feeds_dir: Path) -> None:
    server = FeedServer(feeds_dir, port=0).start()
    foreground = threading.Thread(target=server.serve_forever)
    foreground.start()
    assert get(server.url + "/all.rss.xml")[0] == 200
    server.stop()
    foreground.join(timeout=5)
    assert not foreground.is_alive()


def test_serve_forever_returns_on_ctrl_c(
    feeds_dir: Path, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> None:
    # Python's own Ctrl-C handler, as in a terminal: a shell starting the tests in the
    # background has them ignore SIGINT, and the interrupt would never arrive.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    server = FeedServer(feeds_dir, port=0).start()
    statuses: list[int] = []
    returned = threading.Event()

    def poll_then_interrupt() -> None:
        try:
            statuses.append(get(server.url + "/")[0])
        finally:  # a failed request fails the test below; it must not leave it waiting
            time.sleep(0.2)  # let the main thread get into serve_forever's wait
            _thread.interrupt_main()  # what Ctrl-C does: KeyboardInterrupt in the main thread
            if not returned.wait(10):  # the interrupt went astray: fail, do not hang
                server.stop()

    threading.Thread(target=poll_then_interrupt).start()
    with caplog.at_level(logging.INFO, logger="feeds.server"):
        server.serve_forever()  # returns instead of raising
    returned.set()
    assert statuses == [200]
    assert "interrupted, stopping" in caplog.messages
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.url + "/", timeout=2)


def test_feeds_are_gzipped_for_readers_that_ask(tmp_path: Path) -> None:
    import gzip as gz

    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel>'
        + b"<item/>" * 500
        + b"</channel></rss>"
    )
    (tmp_path / "all.rss.xml").write_bytes(body)
    with FeedServer(tmp_path, port=0) as server:
        request = urllib.request.Request(
            f"{server.url}/all.rss.xml", headers={"Accept-Encoding": "gzip, deflate"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Vary"] == "Accept-Encoding"
            assert gz.decompress(response.read()) == body
        with urllib.request.urlopen(f"{server.url}/all.rss.xml", timeout=5) as response:
            assert response.headers["Content-Encoding"] is None and response.read() == body
