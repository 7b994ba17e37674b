"""uvicorn's HTTP/1.1 protocol (httptools) with the two bounds on a request's head it lacks.

uvicorn limits connections (``limit_concurrency``) and idle time between requests
(``timeout_keep_alive``), but a connection that sends nothing, or sends its head a byte at a
time, or a head of megabytes, is kept as long as the client likes: a few hundred such
clients take every connection (slowloris). Here a request's head must arrive within
``HEAD_SECONDS`` of the connection or of its first byte, and within ``MAX_HEAD_BYTES``;
otherwise the connection is closed (with a 431 for a head too large). A reverse proxy in front
does this too and more (``docs/deployment.md``).
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_SECONDS = 10.0
# Request line and headers together; browsers and feed readers send a few hundred bytes.
MAX_HEAD_BYTES = 32 * 1024
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 20\r\n"
    b"connection: close\r\n\r\nrequest head too big"
)


class BoundedHttpProtocol(HttpToolsProtocol):
    """One connection: uvicorn's, with a deadline and a size limit on each request head."""

    head_seconds = HEAD_SECONDS
    max_head_bytes = MAX_HEAD_BYTES

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes = 0
        self._reading_head = True  # until the head is parsed; again after each answer
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

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
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        self._reading_head = False
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        # Idle until the next request's first byte: uvicorn's keep-alive timeout applies.
        self._reading_head, self._head_bytes = True, 0
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.head_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()
