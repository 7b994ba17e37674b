"""The web app and the feed files on one port: :class:`WebServer` is a :class:`FeedServer`
whose handler asks the app first and serves the static feeds otherwise, at ``/feeds/<name>``
and at the root names they always had (``/all.rss.xml``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from pathlib import Path
from typing import cast
from urllib.parse import parse_qsl, unquote, urlsplit

from aggregator.registry import Site
from aggregator.store import StoryStore
from feeds.listing import INDEX_NAME
from feeds.server import FeedServer, _FeedHandler, _Server
from feeds.web.app import WebApp

logger = logging.getLogger(__name__)
FEEDS_PREFIX = "/feeds/"


class _WebServer(_Server):
    app: WebApp


class _WebHandler(_FeedHandler):
    def _respond(self, *, with_body: bool) -> None:
        app = cast(_WebServer, self.server).app
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = dict(parse_qsl(url.query))
        try:
            response = app.handle(path, query, self._base())
        except Exception:
            logger.exception("error answering %s", self.path)
            app.requests.add(_route(path), 500)
            body = b"internal error\n"
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, body, {"Content-Type": "text/plain"})
            return
        if response is None:
            if path.startswith(FEEDS_PREFIX):  # the same files under /feeds/
                path = "/" + (path.removeprefix(FEEDS_PREFIX) or INDEX_NAME)
            app.requests.add("static", 200)
            self._respond_static(path, with_body=with_body)
            return
        app.requests.add(_route(path), response.status)
        self._send_entity(
            response.body,
            response.content_type,
            response.last_modified,
            with_body=with_body,
            cache_control=response.cache_control,
            status=HTTPStatus(response.status),
        )

    def _base(self) -> str:
        """This server's URL as the client named it (the Host header), else as bound."""
        host = self.headers.get("Host")
        if not host or any(c in host for c in "/\\ @"):
            bound = cast(tuple[str, int], self.server.server_address)
            host = f"{bound[0]}:{bound[1]}"
        return f"http://{host}"


def _route(path: str) -> str:
    return {"/": "page", "/feeds/search": "search_feed", "/healthz": "healthz",
            "/metrics": "metrics"}.get(path, "other")


class WebServer(FeedServer):
    """The browsing page, saved-search feeds, /healthz and /metrics, and the feed files.

    Same API as :class:`FeedServer`; ``store`` is read (never written) per request.
    """

    def __init__(
        self,
        directory: Path,
        store: StoryStore,
        sites: Sequence[Site],
        host: str = "127.0.0.1",
        port: int = 8080,
    ) -> None:
        super().__init__(directory, host, port)
        self.app = WebApp(store, sites, directory)
        self._owned_store: StoryStore | None = None

    @classmethod
    def for_data_dir(
        cls, data_dir: Path, sites: Sequence[Site], host: str = "127.0.0.1", port: int = 8080
    ) -> WebServer:
        """A server of ``data_dir``'s store and feeds (``DATA_DIR/feeds``); :meth:`stop`
        closes the store it opened."""
        from aggregator.paths import feeds_dir
        from aggregator.store import open_store

        store = open_store(data_dir)
        server = cls(feeds_dir(data_dir), store, sites, host, port)
        server._owned_store = store
        return server

    def _make_server(self) -> _Server:
        server = _WebServer((self.host, self.port), self.directory, _WebHandler)
        server.app = self.app
        return server

    def stop(self) -> None:
        super().stop()
        store, self._owned_store = self._owned_store, None
        if store is not None:
            store.close()
