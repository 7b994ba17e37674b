"""Serve the built mirror over real HTTP on loopback: one ThreadingHTTPServer per site.

Each site gets its own port (its own "host", as real sites have), so site-scoped crawl rules and
the registry's ``start_urls`` work unchanged. Query-string URLs map to static files through
:func:`mirror.paths.file_for`; the broken articles answer with their configured status.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import yaml

from mirror.build import MirrorSite
from mirror.paths import BASE_URL_PLACEHOLDER, file_for

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".aspx": "text/html; charset=utf-8",  # SharePoint pages
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
}
_XML_TYPES = {"rss.xml": "application/rss+xml; charset=utf-8"}
# Files holding absolute URLs written with the placeholder base (sitemap, RSS, robots.txt).
_REWRITTEN_SUFFIXES = (".xml", ".txt")


@dataclass
class _SiteState:
    site: MirrorSite
    statuses: Mapping[str, int]
    base_url: str = ""
    requests: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # time.monotonic() of each request
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    state: ClassVar[_SiteState]  # set on a per-site subclass
    # Keep-alive, as the portals' Apache and IIS answer: a connection per request cost the
    # crawl (and this server) a TCP handshake and teardown per page. Every answer has a length.
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "Apache"  # what the real portals answer; not Python's BaseHTTP banner

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: tests and the demo would drown in one stderr line per request."""

    def _answer(self, *, with_body: bool) -> None:
        state = self.state
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        with state.lock:
            state.requests.append(self.path)
            state.times.append(time.monotonic())
        status = state.statuses.get(path)
        if status is not None:
            self._send_error_page(status, with_body)
            return
        target = state.site.root / file_for(path, parts.query)
        if not target.is_file():
            self._send_error_page(HTTPStatus.NOT_FOUND, with_body)
            return
        body = target.read_bytes()
        if target.suffix in _REWRITTEN_SUFFIXES or _is_feed(body):
            body = body.replace(BASE_URL_PLACEHOLDER.encode(), state.base_url.encode())
        # Like the real portals' web servers: an ETag, and 304 for a matching If-None-Match,
        # so conditional re-crawls can be tested.
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if etag in (self.headers.get("If-None-Match") or ""):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        content_type = _FEED_TYPE if _is_feed(body) else _content_type(target)
        self._send(HTTPStatus.OK, content_type, body, with_body, etag)

    def _send_error_page(self, status: int, with_body: bool) -> None:
        phrase = HTTPStatus(status).phrase
        body = (
            f"<!DOCTYPE html><html><head><title>{status} {phrase}</title></head>"
            f"<body><h1>{status} {phrase}</h1></body></html>"
        ).encode()
        self._send(status, "text/html; charset=utf-8", body, with_body)

    def _send(
        self, status: int, content_type: str, body: bytes, with_body: bool, etag: str = ""
    ) -> None:
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)


# Feeds at extensionless URLs (WordPress's /feed/, Liferay's .../asset_publisher/<id>/rss) are
# stored as index.html like any page: what they are is told by their first bytes.
_FEED_TYPE = "application/rss+xml; charset=utf-8"


def _is_feed(body: bytes) -> bool:
    return body.startswith(b"<?xml") and b"<rss" in body[:300]


def _content_type(target: Path) -> str:
    if target.suffix == ".xml":
        return _XML_TYPES.get(target.name, "application/xml; charset=utf-8")
    return _CONTENT_TYPES.get(target.suffix, "application/octet-stream")


class MirrorPortTaken(OSError):
    """A site's port cannot be listened on (another program has it, most often)."""

    def __init__(self, site_id: str, port: int, reason: str) -> None:
        super().__init__(f"mirror site {site_id}: cannot listen on 127.0.0.1:{port}: {reason}")
        self.site_id = site_id
        self.port = port


class MirrorServer:
    """Serves every site of a built mirror on 127.0.0.1, each on its port of ``ports`` (any
    free one where it names none), in daemon threads.

    >>> with MirrorServer(build_mirror(out, seeds)) as mirror:
    ...     mirror.base_url("mirror-generic")
    'http://127.0.0.1:40123'

    A port already taken raises :class:`MirrorPortTaken` from :meth:`start`, no site left
    listening.
    """

    def __init__(self, sites: list[MirrorSite], ports: Mapping[str, int] | None = None) -> None:
        self._sites = list(sites)
        self._ports = dict(ports or {})
        self._states: dict[str, _SiteState] = {}
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self._servers:
            return
        for site in self._sites:
            state = _SiteState(site=site, statuses=dict(site.statuses))
            handler = type(f"Handler_{site.id.replace('-', '_')}", (_Handler,), {"state": state})
            port = self._ports.get(site.id, 0)
            try:
                server = ThreadingHTTPServer(("127.0.0.1", port), handler)
            except OSError as exc:
                self.stop()  # __exit__ does not run when __enter__ fails
                self._states.clear()
                raise MirrorPortTaken(site.id, port, exc.strerror or str(exc)) from exc
            server.daemon_threads = True
            state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},  # stop() then returns in milliseconds
                name=f"mirror-{site.id}",
                daemon=True,
            )
            thread.start()
            self._states[site.id] = state
            self._servers.append(server)
            self._threads.append(thread)

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> MirrorServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def sites(self) -> list[MirrorSite]:
        return list(self._sites)

    def base_url(self, site_id: str) -> str:
        """'http://127.0.0.1:PORT' of a started site."""
        try:
            return self._states[site_id].base_url
        except KeyError:
            raise KeyError(f"mirror site {site_id!r} is not being served") from None

    def requested_paths(self, site_id: str) -> list[str]:
        """Every path (with query) the site was asked for, in order: lets crawl tests check,
        say, that robots.txt kept the crawler out of /admin/."""
        state = self._states[site_id]
        with state.lock:
            return list(state.requests)

    def request_times(self, site_id: str) -> list[float]:
        """When (``time.monotonic()``) each request reached the site, in order: lets tests
        check how fast the crawlers hit it."""
        state = self._states[site_id]
        with state.lock:
            return list(state.times)

    def registry_entries(self) -> list[dict[str, Any]]:
        """Site-registry entries (see aggregator.registry) pointing at the running mirror."""
        entries: list[dict[str, Any]] = []
        for site in self._sites:
            base = self.base_url(site.id)
            entry: dict[str, Any] = {
                "id": site.id,
                "name": site.name,
                "province": site.province,
                "start_urls": [base + path for path in site.start_paths],
            }
            if site.profile is not None:
                entry["profile"] = site.profile
            entry["allow_private_network"] = True
            entries.append(entry)
        return entries

    def write_registry(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(
            {"sites": self.registry_entries()}, allow_unicode=True, sort_keys=False
        )
        path.write_text(text, encoding="utf-8")
