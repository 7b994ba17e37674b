"""The web app and the feed files on one port: :class:`WebServer` is a :class:`FeedServer`
whose Starlette app routes the page, saved searches, /healthz and /metrics to the
:class:`WebApp` and serves the static feeds otherwise, at ``/feeds/<name>`` and at the root
names they always had (``/all.rss.xml``). A saved-search feed's answer is kept for a while
(``RESPONSE_CACHE_SECONDS``): a search costs far more than sending it."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response as HttpResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from aggregator.paths import feeds_dir
from aggregator.registry import Site
from aggregator.store import StoryStore, open_store
from feeds.origin import public_origin
from feeds.server import (
    FeedServer,
    _Entity,
    _FileCache,
    entity_response,
    file_response,
    plain_response,
    request_origin,
)
from feeds.web.app import Response, WebApp

logger = logging.getLogger(__name__)
# A saved-search feed costs a search and a feed build (bench/serving.py measures it), and its
# readers poll the same few URLs. The server keeps each answer this long at most, within the
# max-age it already gives every cache on the way; new stories show up in it that much later.
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

    def peek(self, key: tuple[object, ...]) -> _Answer | None:
        """The answer kept for ``key`` if it can be sent as it is (fresh, or being made
        again), without waiting: else None, and :meth:`get` makes one."""
        with self._lock:
            slot = self._slots.get(key)
        if slot is None or slot.answer is None:
            return None
        if time.monotonic() < slot.expires or slot.lock.locked():
            return slot.answer
        return None

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


def _send(answer: _Answer, request: Request, *, linked: bool = False) -> HttpResponse:
    """``answer`` to ``request``; ``linked``: its links name this server, which follows the
    request's Host unless a public address is set (then ``Vary: Host``)."""
    return entity_response(
        answer.entity,
        request.headers,
        cache_control=answer.cache_control,
        status=answer.status,
        vary_host=linked and public_origin() is None,
    )


def web_app(app: WebApp, directory: Path) -> Starlette:
    """The routes: the :class:`WebApp`'s, then the feed files of ``directory``.

    The app's routes read the store, in worker threads. The feed files and kept answers are
    sent from the event loop (a stat, a dictionary look-up)."""
    files = _FileCache(directory)
    responses = _ResponseCache()

    def counted(
        route: str, make: Callable[[Request], Awaitable[HttpResponse]]
    ) -> Callable[[Request], Awaitable[HttpResponse]]:
        """``make``'s answer, counted for /metrics."""

        async def endpoint(request: Request) -> HttpResponse:
            try:
                response = await make(request)
            except Exception:
                logger.exception("error answering %s", request.scope["path"])
                app.requests.add(route, 500)
                return plain_response(500, "internal error\n")
            app.requests.add(route, response.status_code)
            return response

        return endpoint

    def page(request: Request) -> HttpResponse:
        return _send(_answer(app.home(_query(request), _base(request))), request, linked=True)

    async def search_feed(request: Request) -> HttpResponse:
        base = _base(request)
        # By the query string as sent (parsed only for a search), and the host named.
        key = (request.scope["query_string"], base)
        # A kept answer is sent from the event loop; a search runs in a worker thread.
        answer = responses.peek(key)
        if answer is None:
            answer = await run_in_threadpool(
                responses.get, key, lambda: _answer(app.search_feed(_query(request), base))
            )
        return _send(answer, request, linked=True)

    def healthz(request: Request) -> HttpResponse:
        return _send(_answer(app.healthz()), request)

    def metrics(request: Request) -> HttpResponse:
        return _send(_answer(app.metrics()), request)

    def story(request: Request) -> HttpResponse:
        answer = app.story(request.path_params["id"], _query(request))
        return _send(_answer(answer), request)

    async def favicon(request: Request) -> HttpResponse:
        return _send(_answer(app.favicon()), request)

    async def feed_file(request: Request) -> HttpResponse:
        name = "/" + request.path_params["name"]
        response = file_response(files, request, name, feeds_dir="feeds/")
        app.requests.add("static", response.status_code)
        return response

    async def root_file(request: Request) -> HttpResponse:
        response = file_response(files, request, feeds_dir="feeds/")
        app.requests.add("static", response.status_code)
        return response

    return Starlette(
        routes=[
            Route("/", counted("page", _in_thread(page))),
            Route("/feeds/search", counted("search_feed", search_feed)),
            Route("/healthz", counted("healthz", _in_thread(healthz))),
            Route("/metrics", counted("metrics", _in_thread(metrics))),
            Route("/story/{id}", counted("story", _in_thread(story))),
            Route("/favicon.ico", counted("favicon", favicon)),
            Route("/favicon.svg", counted("favicon", favicon)),
            Route("/feeds/{name:path}", feed_file),
            Route("/{name:path}", root_file),
        ]
    )


def _in_thread(
    endpoint: Callable[[Request], HttpResponse],
) -> Callable[[Request], Awaitable[HttpResponse]]:
    """``endpoint`` run in a worker thread: it reads the store."""

    async def answer(request: Request) -> HttpResponse:
        return await run_in_threadpool(endpoint, request)

    return answer


def _query(request: Request) -> dict[str, str]:
    """The query string's parameters, the last of each name; blank ones left out."""
    return {name: value for name, value in request.query_params.items() if value}


def _base(request: Request) -> str:
    return request_origin(request)


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
        store = open_store(data_dir)
        server = cls(feeds_dir(data_dir), store, sites, host, port)
        server._owned_store = store
        return server

    def asgi_app(self) -> ASGIApp:
        return web_app(self.app, self.directory)

    def stop(self) -> None:
        super().stop()
        store, self._owned_store = self._owned_store, None
        if store is not None:
            store.close()
