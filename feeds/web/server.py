"""The web app and the feed files on one port: :class:`WebServer` is a :class:`FeedServer`
whose handler asks the app first and serves the static feeds otherwise, at ``/feeds/<name>``
and at the root names they always had (``/all.rss.xml``). A saved-search feed's answer is kept
for a while (``RESPONSE_CACHE_SECONDS``): a search costs far more than sending it."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import cast
from urllib.parse import parse_qsl, unquote, urlsplit

from aggregator.registry import Site
from aggregator.store import StoryStore
from feeds.listing import INDEX_NAME
from feeds.server import FeedServer, _Entity, _FeedHandler, _Server
from feeds.web.app import Response, WebApp

logger = logging.getLogger(__name__)
FEEDS_PREFIX = "/feeds/"
# A saved-search feed costs a search and a feed build (about 0.3 s over 3,000 stories:
# bench/serving.py), and its readers poll the same few URLs. The server keeps each answer this
# long at most, within the max-age it already gives every cache on the way; new stories show
# up in it that much later.
CACHED_ROUTES = frozenset({"/feeds/search"})
RESPONSE_CACHE_SECONDS = 30.0
RESPONSE_CACHE_ENTRIES = 256
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age=(\d+)")


@dataclass(frozen=True)
class _Answer:
    """An app response ready to send again: the validators and gzip computed once."""

    status: HTTPStatus
    entity: _Entity
    cache_control: str


@dataclass
class _Slot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    answer: _Answer | None = None
    expires: float = 0.0


class _ResponseCache:
    """Answers by URL for up to their max-age (capped); one thread computes an expired one
    while the others are answered with the previous, so that a slow search is never run by
    every connection at once."""

    def __init__(
        self, seconds: float = RESPONSE_CACHE_SECONDS, entries: int = RESPONSE_CACHE_ENTRIES
    ) -> None:
        self.seconds = seconds
        self.entries = entries
        self._slots: OrderedDict[tuple[object, ...], _Slot] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...], make: Callable[[], _Answer]) -> _Answer:
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                slot = self._slots[key] = _Slot()
                while len(self._slots) > self.entries:
                    self._slots.popitem(last=False)
            else:
                self._slots.move_to_end(key)
        answer = slot.answer
        if answer is None:
            slot.lock.acquire()  # nothing to answer with until the first is made
        elif time.monotonic() < slot.expires:
            return answer
        elif not slot.lock.acquire(blocking=False):
            return answer  # being made again by another thread: the previous meanwhile
        try:
            if slot.answer is not None and time.monotonic() < slot.expires:
                return slot.answer  # made by the thread this one waited for
            answer = make()
            seconds = min(self.seconds, _shareable_for(answer))
            if seconds > 0:
                slot.answer, slot.expires = answer, time.monotonic() + seconds
            return answer
        finally:
            slot.lock.release()


def _shareable_for(answer: _Answer) -> float:
    """Seconds a shared cache may reuse ``answer``: its max-age, if public and a 200."""
    directives = answer.cache_control.lower()
    found = _MAX_AGE.search(directives)
    if answer.status != HTTPStatus.OK or "public" not in directives or found is None:
        return 0.0
    return float(found.group(1))


def _answer(response: Response) -> _Answer:
    entity = _Entity(response.body, response.content_type, response.last_modified)
    return _Answer(HTTPStatus(response.status), entity, response.cache_control)


class _WebServer(_Server):
    app: WebApp
    responses: _ResponseCache


class _WebHandler(_FeedHandler):
    def _respond(self, *, with_body: bool) -> None:
        server = cast(_WebServer, self.server)
        app = server.app
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = dict(parse_qsl(url.query))
        base = self._base()
        try:
            if path in CACHED_ROUTES:
                key = (path, tuple(sorted(query.items())), base)
                answer: _Answer | None = server.responses.get(
                    key, lambda: _answer(_required(app.handle(path, query, base)))
                )
            else:
                response = app.handle(path, query, base)
                answer = None if response is None else _answer(response)
        except Exception:
            logger.exception("error answering %s", self.path)
            app.requests.add(_route(path), 500)
            body = b"internal error\n"
            self._send(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                body,
                {"Content-Type": "text/plain"},
                with_body=with_body,
            )
            return
        if answer is None:
            if path.startswith(FEEDS_PREFIX):  # the same files under /feeds/
                path = "/" + (path.removeprefix(FEEDS_PREFIX) or INDEX_NAME)
            app.requests.add("static", 200)
            self._respond_static(path, with_body=with_body)
            return
        app.requests.add(_route(path), answer.status)
        self._send_prepared(
            answer.entity,
            with_body=with_body,
            cache_control=answer.cache_control,
            status=answer.status,
        )

    def _base(self) -> str:
        """This server's URL as the client named it (the Host header), else as bound."""
        host = self.headers.get("Host")
        if not host or any(c in host for c in "/\\ @"):
            bound = cast(tuple[str, int], self.server.server_address)
            host = f"{bound[0]}:{bound[1]}"
        return f"http://{host}"


def _required(response: Response | None) -> Response:
    if response is None:  # a route of CACHED_ROUTES is always the app's
        raise LookupError("the app did not answer a route of its own")
    return response


def _route(path: str) -> str:
    return {
        "/": "page",
        "/feeds/search": "search_feed",
        "/healthz": "healthz",
        "/metrics": "metrics",
    }.get(path, "other")


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
        server.responses = _ResponseCache()
        return server

    def stop(self) -> None:
        super().stop()
        store, self._owned_store = self._owned_store, None
        if store is not None:
            store.close()
