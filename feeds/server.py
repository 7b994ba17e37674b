"""Serve the feeds folder over HTTP: right content types, conditional GET, nothing outside it.

Feed readers poll every few minutes; ETag / Last-Modified let them get a bodiless 304 while
nothing changed. Only regular files directly in the folder with a known feed-ish extension are
served, so neither ``..`` nor a temporary file nor a stray database can leak out.

The app is a Starlette ASGI app (:func:`feed_files_app`), served by uvicorn in a thread of its
own (:class:`FeedServer`). A file is read, hashed and compressed once per version (a stat per
request tells a new one): ``bench/serving.py`` measures it. Slow clients are bounded
(``feeds.connection_limits``: connections in all and per client, deadlines for each request's
head and body and for a client that stops reading, requests answered at once); a reverse proxy
in front does more (``docs/deployment.md``).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import socket
import stat
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Self

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from feeds.connection_limits import ConnectionLimits, RequestLimit, raise_fd_limit
from feeds.listing import INDEX_NAME
from feeds.origin import has_local_origin, public_origin, with_origin
from feeds.protocol import bounded_protocol

logger = logging.getLogger(__name__)

# Addresses a file written without a public one is kept for (``_Entity.for_origin``).
MAX_ORIGINS = 4
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
# Seconds stop() lets answers being sent finish before cancelling them.
GRACEFUL_SECONDS = 5


class _Entity:
    """A body with what answering for it needs, computed once per version of the bytes: the
    ETag (a hash of them), the Last-Modified header, the gzipped body (on first demand), the
    header lines of each kind of answer (on first demand)."""

    __slots__ = (
        "data",
        "content_type",
        "etag",
        "mtime",
        "last_modified",
        "_gzip",
        "_heads",
        "_lock",
        "_variants",
        "vary_host",
    )

    def __init__(self, data: bytes, content_type: str, mtime: datetime | None) -> None:
        self.data = data
        self.content_type = content_type
        self.etag = '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'
        if mtime is not None:  # HTTP dates are UTC, in whole seconds: compare like with like
            mtime = mtime.astimezone(UTC).replace(microsecond=0)
        self.mtime = mtime
        self.last_modified = None if mtime is None else format_datetime(mtime, usegmt=True)
        self._gzip: bytes | None = None
        self._heads: dict[tuple[int, str, bool, bool], list[tuple[bytes, bytes]]] = {}
        self._lock = threading.Lock()
        self._variants: dict[tuple[str, str], _Entity] | None = None
        # Its links follow the Host header the client sent: a shared cache must key on it.
        self.vary_host = False

    def for_origin(self, home_url: str, feeds_url: str) -> _Entity:
        """This file as served at ``home_url`` (its feeds at ``feeds_url``): written without a
        public address, it names the stand-in of ``feeds.origin``, replaced here. Each address
        made once; a few kept (the Host header is the client's: any number may come)."""
        if self._variants is None:
            if not has_local_origin(self.data):
                return self
            self._variants = {}
        key = (home_url, feeds_url)
        variant = self._variants.get(key)
        if variant is None:
            data = with_origin(self.data, home_url, feeds_url)
            variant = _Entity(data, self.content_type, self.mtime)
            variant.vary_host = public_origin() is None
            if len(self._variants) < MAX_ORIGINS:
                self._variants[key] = variant
        return variant

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

    def head(
        self, status: int, cache_control: str, gzipped: bool, vary_host: bool = False
    ) -> list[tuple[bytes, bytes]]:
        """The header lines of an answer with this body (a 304: the validators and Vary),
        encoded once: the same few are sent over and over. ``vary_host``: the body's links
        follow the request's Host."""
        vary_host = vary_host or self.vary_host
        key = (status, cache_control, gzipped, vary_host)
        lines = self._heads.get(key)
        if lines is None:
            cacheable = status in (200, 304)
            named = {"Cache-Control": cache_control if cacheable else "no-store"}
            if cacheable:
                named["ETag"] = self.etag
                if self.last_modified is not None:
                    named["Last-Modified"] = self.last_modified
            named["Vary"] = "Accept-Encoding, Host" if vary_host else "Accept-Encoding"
            if status != 304:
                if gzipped:
                    named["Content-Encoding"] = "gzip"
                named["Content-Type"] = self.content_type
                length = len(self.gzipped() if gzipped else self.data)
                named["Content-Length"] = str(length)
            lines = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in named.items()]
            self._heads[key] = lines
        return lines

    @property
    def size(self) -> int:
        variants = sum(v.size for v in (self._variants or {}).values())
        return len(self.data) + len(self._gzip or b"") + variants


class _Prepared(Response):
    """Starlette's Response with header lines encoded beforehand (:meth:`_Entity.head`)."""

    def __init__(self, status: int, body: bytes, lines: list[tuple[bytes, bytes]]) -> None:
        self.status_code = status
        self.body = body
        self.raw_headers = list(lines)  # a copy: whoever sends it may add a line
        self.background = None


def entity_response(
    entity: _Entity,
    request_headers: Headers,
    *,
    cache_control: str = CACHE_CONTROL,
    status: int = 200,
    vary_host: bool = False,
) -> Response:
    """``entity`` with its validators: a 304 to a matching conditional request, gzip to a
    client that takes it. Only a 200 is cached or answered with 304. ``vary_host``: its
    links follow the request's Host (``Vary: Host``, for the caches on the way)."""
    if status == 200 and _not_modified(request_headers, entity.etag, entity.mtime):
        return _Prepared(304, b"", entity.head(304, cache_control, False, vary_host))
    packed = len(entity.data) > GZIP_MIN_BYTES and _accepts_gzip(
        request_headers.get("accept-encoding")
    )
    body = entity.gzipped() if packed else entity.data
    return _Prepared(status, body, entity.head(status, cache_control, packed, vary_host))


def _not_modified(request_headers: Headers, etag: str, mtime: datetime | None) -> bool:
    # RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only counts without it.
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    since = _parse_http_date(request_headers.get("if-modified-since"))
    return since is not None and mtime is not None and mtime <= since


def plain_response(status: int, text: str) -> Response:
    return Response(text.encode("utf-8"), status, {"Content-Type": "text/plain"})


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

    def lookup(self, path: str) -> _Entity | None:
        """The file a request path (percent-decoded) names, or None if not served."""
        name = path.lstrip("/") or INDEX_NAME
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


def file_response(
    files: _FileCache, request: Request, path: str | None = None, *, feeds_dir: str = ""
) -> Response:
    """The feed file a request names (``path``, else the request's own), or a 404. A file
    written without a public address gets this server's (the feeds under ``feeds_dir``)."""
    found = files.lookup(request.scope["path"] if path is None else path)
    if found is None:
        return plain_response(404, "not found\n")
    home = request_origin(request) + "/"
    return entity_response(found.for_origin(home, home + feeds_dir), request.headers)


def request_origin(request: Request) -> str:
    """This server's public URL (``$TINLAODONG_PUBLIC_URL``, without its final ``/``) if set;
    else its URL as the client named it (the Host header), else as bound; https when a trusted
    reverse proxy says so (uvicorn reads its X-Forwarded-Proto)."""
    public = public_origin()
    if public is not None:
        return public
    host = request.headers.get("host")
    if not host or any(c in host for c in "/\\ @"):
        bound = request.scope.get("server") or ("127.0.0.1", 80)
        host = f"{bound[0]}:{bound[1]}"
    scheme = "https" if request.scope.get("scheme") == "https" else "http"
    return f"{scheme}://{host}"


def feed_files_app(directory: Path) -> Starlette:
    """The feeds folder as an ASGI app: every GET or HEAD names a file of it."""
    files = _FileCache(directory)

    # A coroutine: answered on the event loop, as it is mostly a stat (and a read once per
    # version of a file), which costs less than a hop to a worker thread.
    async def feed_file(request: Request) -> Response:
        return file_response(files, request)

    return Starlette(routes=[Route("/{name:path}", feed_file)])


class HttpLog:
    """One INFO line per request through ``feeds.server``'s logger, and ``Connection: close``
    after a request that sent a body (a GET needs none: a client sending one is closed on,
    rather than trusted to frame it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        close = any(
            (name == b"content-length" and value != b"0") or name == b"transfer-encoding"
            for name, value in scope["headers"]
        )

        async def logged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                if close:
                    message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
                if logger.isEnabledFor(logging.INFO):
                    logger.info(
                        '%s "%s" %s', _client(scope), _request_line(scope), message["status"]
                    )
            await send(message)

        await self.app(scope, receive, logged_send)


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "-"


def _request_line(scope: Scope) -> str:
    target = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
    if scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    return f"{scope['method']} {target} HTTP/{scope['http_version']}"


class FeedServer:
    """The feeds folder over HTTP, in a background thread (:meth:`start`) or in the foreground.

    Binds only in :meth:`start`, so constructing one has no side effects.
    """

    def __init__(
        self,
        directory: Path,
        host: str = "127.0.0.1",
        port: int = 8080,
        limits: ConnectionLimits | None = None,
    ) -> None:
        self.directory = directory
        self.host = host
        self.port = port
        self.limits = limits  # None: the settings in the environment (read by start())
        self._server: uvicorn.Server | None = None
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()  # set when the serving loop has ended
        self._lock = threading.Lock()  # start() and stop() may race from different threads

    @property
    def url(self) -> str:
        """Base URL without a trailing slash; with port 0, the port actually bound."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def asgi_app(self) -> ASGIApp:
        """The ASGI app served; a subclass serves more than the folder (``feeds.web``)."""
        return feed_files_app(self.directory)

    def start(self) -> Self:
        """Bind and serve in a daemon thread; raises OSError if the address is taken."""
        with self._lock:
            if self._server is not None:
                return self
            wanted = self.limits or ConnectionLimits.from_environ()
            # As many connections as the descriptors allow, with room left for the store.
            fds = raise_fd_limit()
            limits = wanted.fitted(fds)
            if limits.max_connections < wanted.max_connections:
                logger.warning(
                    "open-file limit %d: at most %d connections at once, not %d (raise the "
                    "hard limit: LimitNOFILE in a systemd unit)",
                    fds,
                    limits.max_connections,
                    wanted.max_connections,
                )
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            # Bound here, not by uvicorn: an address in use is an OSError now, and port 0
            # is known before the first request.
            sock = socket.create_server(
                (self.host, self.port), family=family, backlog=limits.backlog
            )
            self.port = sock.getsockname()[1]
            protocol = bounded_protocol(limits)  # httptools, counted, with deadlines
            # Past the requests at once, an answer stalled on a client not reading makes room.
            requests = RequestLimit(self.asgi_app(), limits.max_requests, protocol.make_room)
            config = uvicorn.Config(
                HttpLog(requests),
                http=protocol,
                loop="uvloop",
                ws="none",
                lifespan="off",
                log_config=None,  # the application's logging, as it configured it
                access_log=False,  # HttpLog writes the line, to this module's logger
                server_header=False,
                headers=[("Server", "tinlaodong")],
                # Connections are counted by the protocol, requests by RequestLimit.
                limit_concurrency=None,
                timeout_keep_alive=limits.keep_alive_seconds,  # type: ignore[arg-type]
                timeout_graceful_shutdown=GRACEFUL_SECONDS,
                backlog=limits.backlog,
            )
            server = uvicorn.Server(config)
            self._server, self._socket = server, sock
            self._stopped = threading.Event()
            # Started under the lock: a stop() in between would wait for a loop never started.
            self._thread = threading.Thread(
                target=_run,
                args=(server, sock, self._stopped),
                name=f"feed-server-{self.port}",
                daemon=True,
            )
            self._thread.start()
        # DEBUG: the commands announce the address themselves, once they are sure to stay up
        # (a second ``serve`` binds, then finds the data directory taken, and says only that).
        logger.debug("serving %s at %s/", self.directory, self.url)
        return self

    def serve_forever(self) -> None:
        """Serve until Ctrl-C (or :meth:`stop` from another thread); for the CLI."""
        self.start()
        stopped = self._stopped
        try:
            # Wait in short slices: a plain wait would not let Ctrl-C through promptly. Not
            # Thread.join: Ctrl-C during a join marks a running thread as stopped (Python 3.11).
            while not stopped.wait(timeout=0.5):
                pass
        except KeyboardInterrupt:
            logger.info("interrupted, stopping")
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving, end kept-alive connections and release the socket; safe to call
        twice."""
        with self._lock:
            server, sock, thread = self._server, self._socket, self._thread
            self._server = self._socket = self._thread = None
        if server is None:
            return
        server.should_exit = True
        self._stopped.wait()
        if thread is not None:
            thread.join()
        if sock is not None:
            sock.close()  # if the loop stopped before it took the socket over

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _run(server: uvicorn.Server, sock: socket.socket, stopped: threading.Event) -> None:
    try:
        server.run(sockets=[sock])
    except (Exception, SystemExit):  # uvicorn raises SystemExit when its startup fails
        logger.exception("the feed server stopped")
    finally:
        stopped.set()


def serve_feeds(directory: Path, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve ``directory`` until Ctrl-C."""
    FeedServer(directory, host, port).serve_forever()
