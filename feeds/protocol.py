"""uvicorn's HTTP/1.1 protocol (httptools) with the bounds on slow clients it lacks.

uvicorn limits idle time between requests (``timeout_keep_alive``) and answers 503 past
``limit_concurrency``, but a connection that sends nothing, sends its head a byte at a time, or
stops reading its answer is kept as long as the client likes, each holding a file descriptor: a
few hundred such clients take them all (slowloris), and then neither new clients nor the store
get one. Here each connection is counted in a :class:`~feeds.connection_limits.ConnectionTable`
(at most so many, so many a client; when full, the one waiting longest for a request makes
room), a request's head must arrive within ``head_seconds`` of the connection or of its first
byte and within ``MAX_HEAD_BYTES`` (else a 431), its body within ``body_seconds`` of the head,
and a client that stops reading is dropped after ``send_seconds``.

This subclasses uvicorn's private ``HttpToolsProtocol`` (uvicorn offers no hook for any of
this); it overrides only the asyncio.Protocol and httptools callbacks and calls up first, so a
uvicorn upgrade that keeps those names keeps working (``tests/test_server_limits.py`` tells).
A reverse proxy in front does this too and more (``docs/deployment.md``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from feeds.connection_limits import ConnectionLimits, ConnectionTable

# The server's log (feeds.server's): what a flood did, a line a minute at most.
logger = logging.getLogger("feeds.server")
HEAD_SECONDS = ConnectionLimits.head_seconds
# Request line and headers together; browsers and feed readers send a few hundred bytes.
MAX_HEAD_BYTES = 32 * 1024
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 20\r\n"
    b"connection: close\r\n\r\nrequest head too big"
)
_FULL = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 21\r\n"
    b"retry-after: 1\r\nconnection: close\r\n\r\ntoo many connections\n"
)


class BoundedHttpProtocol(HttpToolsProtocol):
    """One connection: uvicorn's, counted, with deadlines on each request and on a stalled
    answer. :func:`bounded_protocol` makes one class per server, with its limits and table."""

    head_seconds = HEAD_SECONDS
    max_head_bytes = MAX_HEAD_BYTES
    limits = ConnectionLimits()
    table: ConnectionTable | None = None  # None: not counted (a class used on its own)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = _ClosedQuiet(transport)  # type: ignore[assignment]
        self._head_bytes = 0
        self._reading_head = True  # until the head is parsed; again after each answer
        self._deadline: asyncio.TimerHandle | None = None
        self._stalled: asyncio.TimerHandle | None = None
        if self.table is not None:
            host = self.client[0] if self.client else ""
            admitted, victim = self.table.admit(self, host)
            if victim is not None:
                assert isinstance(victim, BoundedHttpProtocol)
                victim.drop()
            if victim is not None or not admitted:
                line = self.table.report(self.loop.time())
                if line is not None:
                    logger.warning("%s", line)
            if not admitted:
                # Closed at once: its descriptor is free again for the others and the store.
                self.transport.write(_FULL)
                self.transport.close()
                return
        self._arm(self.head_seconds, self.drop)

    def data_received(self, data: bytes) -> None:
        if self._reading_head:
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._disarm()
                self.transport.write(_TOO_LARGE)
                self.transport.close()
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # a kept-alive connection's next request: time it too
            self._arm(self.head_seconds, self.drop)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        if self.table is not None:
            self.table.busy(self)
        # Until the body is in (at once for a request without one: on_message_complete).
        self._arm(self.limits.body_seconds, self.drop)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        # Idle until the next request's first byte: uvicorn's keep-alive timeout applies.
        self._reading_head, self._head_bytes = True, 0
        if self.table is not None:
            self.table.waiting(self)
        super().on_response_complete()

    def pause_writing(self) -> None:
        # The client reads its answer slower than it is sent, or not at all.
        super().pause_writing()
        if self._stalled is None:
            self._stalled = self.loop.call_later(self.limits.send_seconds, self.drop)
            if self.table is not None:
                self.table.stalled(self)

    def resume_writing(self) -> None:
        if self._stalled is not None:
            self._stalled.cancel()
            self._stalled = None
            if self.table is not None:
                self.table.unstalled(self)
        super().resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._stalled is not None:
            self._stalled.cancel()
            self._stalled = None
        if self.table is not None:
            self.table.release(self)
        super().connection_lost(exc)

    def drop(self) -> None:
        """Close this connection now, unsent data and all: its client is too slow, or it
        waited longest when a newcomer needed its place."""
        self._disarm()
        if self.table is not None:
            self.table.release(self)
        # The answer being sent ends here, as uvicorn ends it when the client goes (its
        # connection_lost comes a turn later): a send meanwhile would write to a closed
        # transport, a RuntimeError for every dropped connection.
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.flow.resume_writing()
        if not self.transport.is_closing():
            self.transport.abort()

    @classmethod
    def make_room(cls) -> bool:
        """Drop the connection whose answer waits longest on a client not reading it (of the
        address with the most such), if there is one: whether a request being answered ended
        so. One stalled between two answers holds none: dropped too, and the next tried."""
        while cls.table is not None and (victim := cls.table.take_stalled()) is not None:
            assert isinstance(victim, BoundedHttpProtocol)
            answering = victim.cycle is not None and not victim.cycle.response_complete
            victim.drop()
            line = cls.table.report(victim.loop.time())
            if line is not None:
                logger.warning("%s", line)
            if answering:
                return True
        return False

    def _arm(self, seconds: float, then: Callable[[], None]) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, then)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None


class _ClosedQuiet:
    """A transport whose writes after it closed are dropped, as asyncio's own transports drop
    them. uvloop's raise a RuntimeError instead, and a client's reset closes the transport a
    turn before uvicorn learns of it (``connection_lost``): an answer sent in between would be
    a traceback for what is the normal end of a connection the client dropped."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._transport.is_closing():
            self._transport.write(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self._transport, name)


def bounded_protocol(limits: ConnectionLimits) -> type[BoundedHttpProtocol]:
    """A protocol class for one server: ``limits``, and a table of its connections."""
    return type(
        "ServerHttpProtocol",
        (BoundedHttpProtocol,),
        {"limits": limits, "table": ConnectionTable(limits), "head_seconds": limits.head_seconds},
    )
