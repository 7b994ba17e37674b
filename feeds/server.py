"""Serve the feeds folder over HTTP: right content types, conditional GET, nothing outside it.

Feed readers poll every few minutes; ETag / Last-Modified let them get a bodiless 304 while
nothing changed. Only regular files directly in the folder with a known feed-ish extension are
served, so neither ``..`` nor a temporary file nor a stray database can leak out.

A file is read, hashed and compressed once per version (a stat per request tells a new one),
and connections are kept alive: ``bench/serving.py`` measures it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import logging
import os
import socket
import stat
import sys
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self, cast
from urllib.parse import unquote, urlsplit

from feeds.listing import INDEX_NAME

logger = logging.getLogger(__name__)

# Smaller bodies gain little from compression and cost a round of CPU each.
GZIP_MIN_BYTES = 1024
CONTENT_TYPES = {
    ".rss.xml": "application/rss+xml; charset=utf-8",
    ".atom.xml": "application/atom+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
# Readers may cache briefly, then must revalidate (cheap: a 304).
CACHE_CONTROL = "public, max-age=300"
# How often the serving loop checks for stop(): stop() waits up to this long.
POLL_INTERVAL = 0.05


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client must not keep the process alive at exit
    # socketserver's listen backlog is 5: more readers connecting at once had their SYNs
    # dropped and retried a second or more later (p99 of 2.7 s at 64 connections).
    request_queue_size = socket.SOMAXCONN

    def __init__(
        self,
        address: tuple[str, int],
        directory: Path,
        handler: type[BaseHTTPRequestHandler] | None = None,
    ) -> None:
        self.directory = directory
        self.files = _FileCache(directory)
        # Keep-alive connections outlive shutdown(); server_close() ends them (see there).
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:  # an IPv6 literal such as "::"; the class default is IPv4
            self.address_family = socket.AF_INET6
        super().__init__(address, handler or _FeedHandler)

    def server_close(self) -> None:
        super().server_close()
        # A stopped server answers nothing more: without this, a reader's kept-alive
        # connection would go on being served by its thread until it idled out.
        with self.connections_lock:
            open_connections = list(self.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):  # already closed by its thread
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: object) -> None:
        # socketserver prints tracebacks to stderr; a reader hanging up mid-response is routine.
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            logger.debug("%s went away: %s", client_address, exc)
        else:
            logger.exception("error serving %s", client_address)


class _FeedHandler(BaseHTTPRequestHandler):
    server_version = "tinlaodong"
    timeout = 30  # seconds a silent client may hold a worker thread
    # Keep-alive: under HTTP/1.0 every request paid a TCP handshake, a thread start and a
    # shutdown (bench/feedserve.py --profile). Every answer carries a Content-Length.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: Nagle would hold the second back for the ACK.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        server = cast(_Server, self.server)
        with server.connections_lock:
            server.connections.add(self.connection)

    def finish(self) -> None:
        server = cast(_Server, self.server)
        with server.connections_lock:
            server.connections.discard(self.connection)
        super().finish()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        # A GET never needs a body and we never read one: were it left on the connection, it
        # would be taken for the next request. Close after answering instead.
        if self.headers.get("Content-Length", "0") != "0" or "Transfer-Encoding" in self.headers:
            self.close_connection = True
        return True

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, *, with_body: bool) -> None:
        self._respond_static(self.path, with_body=with_body)

    def _respond_static(self, raw_path: str, *, with_body: bool) -> None:
        found = cast(_Server, self.server).files.lookup(raw_path)
        if found is None:
            self._send(
                HTTPStatus.NOT_FOUND,
                b"not found\n",
                {"Content-Type": "text/plain"},
                with_body=with_body,
            )
            return
        self._send_prepared(found, with_body=with_body)

    def _send_entity(
        self,
        data: bytes,
        content_type: str,
        mtime: datetime | None,
        *,
        with_body: bool,
        cache_control: str = CACHE_CONTROL,
        status: HTTPStatus = HTTPStatus.OK,
    ) -> None:
        """``data`` with its validators: a 304 to a matching conditional request, gzip to a
        client that takes it. Only a 200 is cached or answered with 304."""
        entity = _Entity(data, content_type, mtime)
        self._send_prepared(entity, with_body=with_body, cache_control=cache_control, status=status)

    def _send_prepared(
        self,
        entity: _Entity,
        *,
        with_body: bool,
        cache_control: str = CACHE_CONTROL,
        status: HTTPStatus = HTTPStatus.OK,
    ) -> None:
        headers = {"Cache-Control": cache_control if status == HTTPStatus.OK else "no-store"}
        if status == HTTPStatus.OK:
            headers["ETag"] = entity.etag
            if entity.last_modified is not None:
                headers["Last-Modified"] = entity.last_modified
            if self._not_modified(entity.etag, entity.mtime):
                self._send(HTTPStatus.NOT_MODIFIED, b"", headers, with_body=False)
                return
        headers["Content-Type"] = entity.content_type
        headers["Vary"] = "Accept-Encoding"
        data = entity.data
        if len(data) > GZIP_MIN_BYTES and _accepts_gzip(self.headers.get("Accept-Encoding")):
            data = entity.gzipped()
            headers["Content-Encoding"] = "gzip"
        self._send(status, data, headers, with_body=with_body)

    def _not_modified(self, etag: str, mtime: datetime | None) -> bool:
        # RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only counts without it.
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return _etag_matches(if_none_match, etag)
        since = _parse_http_date(self.headers.get("If-Modified-Since"))
        return since is not None and mtime is not None and mtime <= since

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        headers: dict[str, str],
        *,
        with_body: bool = True,
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:  # the client asked, or sent a body: say so, then close
            self.send_header("Connection", "close")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # One INFO line per request through logging, instead of http.server's stderr prints.
        status = code.value if isinstance(code, HTTPStatus) else code
        logger.info('%s "%s" %s', self.address_string(), self.requestline, status)

    def log_error(self, format: str, *args: object) -> None:  # noqa: A002
        # send_error() logs here and then through log_request(): keep the second, quieter.
        logger.debug("%s " + format, self.address_string(), *args)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.debug("%s " + format, self.address_string(), *args)


class _Entity:
    """A body with what answering for it needs, computed once per version of the bytes: the
    ETag (a hash of them), the Last-Modified header, the gzipped body (on first demand)."""

    __slots__ = ("data", "content_type", "etag", "mtime", "last_modified", "_gzip", "_lock")

    def __init__(self, data: bytes, content_type: str, mtime: datetime | None) -> None:
        self.data = data
        self.content_type = content_type
        self.etag = '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'
        if mtime is not None:  # HTTP dates are UTC, in whole seconds: compare like with like
            mtime = mtime.astimezone(UTC).replace(microsecond=0)
        self.mtime = mtime
        self.last_modified = None if mtime is None else format_datetime(mtime, usegmt=True)
        self._gzip: bytes | None = None
        self._lock = threading.Lock()

    def gzipped(self) -> bytes:
        packed = self._gzip
        if packed is None:
            # One thread compresses, the others wait for it rather than compress it too.
            with self._lock:
                packed = self._gzip
                if packed is None:
                    # mtime=0: the same bytes always compress to the same bytes.
                    packed = self._gzip = gzip.compress(self.data, compresslevel=6, mtime=0)
        return packed

    @property
    def size(self) -> int:
        return len(self.data) + len(self._gzip or b"")


# Files a server keeps in memory, bytes and their gzip: the feeds readers poll are few and
# small, so the hot ones stay; a request then costs a stat, no read, hash or compression.
FILE_CACHE_BYTES = 64 * 1024 * 1024


class _FileCache:
    """The servable files of a folder, read once per version (a stat tells a new one)."""

    def __init__(self, directory: Path, max_bytes: int = FILE_CACHE_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[tuple[int, ...], _Entity]] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, raw_path: str) -> _Entity | None:
        """The file a request path names, or None if not served."""
        name = unquote(urlsplit(raw_path).path).lstrip("/") or INDEX_NAME
        content_type = _content_type(name)
        # One level, no separators, no hidden files: nothing but the feeds folder's own files.
        if (
            content_type is None
            or "/" in name
            or "\\" in name
            or name.startswith(".")
            or "\0" in name
        ):
            return None
        path = os.path.join(self.directory, name)
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                # A symlink pointing out is refused; one pointing in serves its target. A
                # plain file named without separators is in the folder: nothing to resolve.
                if not Path(path).resolve().is_relative_to(self.directory.resolve()):
                    return None
                info = os.stat(path)
        except OSError:  # missing, or a dangling link
            return None
        if not stat.S_ISREG(info.st_mode):  # also keeps open() from blocking on a FIFO
            return None
        version = _version(info)
        with self._lock:
            cached = self._entries.get(name)
            if cached is not None and cached[0] == version:
                self._entries.move_to_end(name)
                return cached[1]
        found = _read(path, content_type)
        if found is None:
            return None
        version, entity = found
        self._store(name, version, entity)
        return entity

    def _store(self, name: str, version: tuple[int, ...], entity: _Entity) -> None:
        if len(entity.data) > self.max_bytes // 4:  # served, but would crowd out the rest
            return
        if len(entity.data) > GZIP_MIN_BYTES:
            entity.gzipped()  # now, so that the size kept counts it
        with self._lock:
            self._entries[name] = (version, entity)
            self._entries.move_to_end(name)
            total = sum(e.size for _, e in self._entries.values())
            while total > self.max_bytes and len(self._entries) > 1:
                _, (_, dropped) = self._entries.popitem(last=False)
                total -= dropped.size


def _version(info: os.stat_result) -> tuple[int, ...]:
    # The writer replaces a feed by renaming a new file over it: a new inode, at the least.
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _read(path: str, content_type: str) -> tuple[tuple[int, ...], _Entity] | None:
    try:
        with open(path, "rb") as f:
            # mtime from the open file: it matches the bytes even if the writer replaces the
            # feed meanwhile.
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                return None
            data = f.read()
    except (FileNotFoundError, PermissionError):
        return None
    # HTTP dates have whole seconds; compare like with like.
    mtime = datetime.fromtimestamp(int(info.st_mtime), UTC)
    return _version(info), _Entity(data, content_type, mtime)


def _accepts_gzip(header: str | None) -> bool:
    for part in (header or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _content_type(name: str) -> str | None:
    return next((t for ext, t in CONTENT_TYPES.items() if name.endswith(ext)), None)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 8.8.3.2): a proxy may have added W/ to our tag.
    candidates = (tag.strip().removeprefix("W/") for tag in header.split(","))
    return etag in candidates


def _parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class FeedServer:
    """The feeds folder over HTTP, in a background thread (:meth:`start`) or in the foreground.

    Binds only in :meth:`start`, so constructing one has no side effects.
    """

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 8080) -> None:
        self.directory = directory
        self.host = host
        self.port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # start() and stop() may race from different threads

    @property
    def url(self) -> str:
        """Base URL without a trailing slash; with port 0, the port actually bound."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _make_server(self) -> _Server:
        """The bound socket server; a subclass serves more than the folder through its own
        handler class (``feeds.web.server``)."""
        return _Server((self.host, self.port), self.directory)

    def start(self) -> Self:
        """Bind and serve in a daemon thread; raises OSError if the address is taken."""
        with self._lock:
            if self._httpd is not None:
                return self
            httpd = self._make_server()
            self.port = httpd.server_address[1]
            self._httpd = httpd
            # Started under the lock: a stop() in between would wait for a loop never started.
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": POLL_INTERVAL},
                name=f"feed-server-{self.port}",
                daemon=True,
            )
            self._thread.start()
        logger.info("serving %s at %s/", self.directory, self.url)
        return self

    def serve_forever(self) -> None:
        """Serve until Ctrl-C (or :meth:`stop` from another thread); for the CLI."""
        self.start()
        thread = self._thread
        try:
            # Join in short slices: a plain join() would not let Ctrl-C through promptly.
            while thread is not None and thread.is_alive():
                thread.join(timeout=0.5)
        except KeyboardInterrupt:
            logger.info("interrupted, stopping")
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving and release the socket; safe to call twice."""
        with self._lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_feeds(directory: Path, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve ``directory`` until Ctrl-C."""
    FeedServer(directory, host, port).serve_forever()
