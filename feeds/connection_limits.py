"""How many connections the page and feed server keeps, for how long, and which it drops first.

Every connection costs a file descriptor. Left to the clients, idle or slow connections take
them all: the server can then accept no one, and the store can open no file ("unable to open
database file"). So the server keeps at most ``max_connections`` (fewer if the descriptor
limit is low: some are kept free for the store, the logs and the crawls), at most
``per_client`` from one address, and when it is full a new connection takes the place of the
one that has waited longest for a request (idle, or sending its head a byte at a time); if
every connection is being answered, the new one is refused at once. Each request's head, its
body, and each pause of a client that stops reading its answer have a deadline
(``feeds.protocol`` enforces them), and the requests answered at once are bounded
(:class:`RequestLimit`: past it, the answer stalled longest on a client that stops reading
makes room, else a 503 at once rather than a queue that grows).

Nothing here touches uvicorn: ``feeds.protocol`` wires it into uvicorn's connection class.
"""

from __future__ import annotations

import ipaddress
import os
import resource
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aggregator.exceptions import ConfigError

# Seconds between two lines saying connections were refused or dropped: a flood is one line a
# minute in the log, not one per connection.
REPORT_EVERY = 60.0
# Descriptors never given to connections: the store (a few per pooled SQLite connection), the
# logs, crawl subprocesses' pipes, the event loop's own. A quarter of the limit, at least this.
RESERVED_FDS = 128


@dataclass(frozen=True)
class ConnectionLimits:
    """The server's bounds on its clients; :meth:`from_environ` reads them from settings."""

    max_connections: int = 1000
    per_client: int = 64  # 0: no cap per address
    head_seconds: float = 10.0  # the request line and headers, from the first byte or connect
    body_seconds: float = 10.0  # a request's body, once its head is in
    send_seconds: float = 30.0  # a client that stops reading its answer
    keep_alive_seconds: float = 15.0  # idle between two requests
    max_requests: int = 200  # requests being answered at once; past it, 503
    backlog: int = 511  # connections the kernel queues before the server accepts them
    # Addresses allowed many connections: reverse proxies (uvicorn's FORWARDED_ALLOW_IPS).
    trusted: tuple[str, ...] = ("127.0.0.1",)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ConnectionLimits:
        """The defaults, with each ``TINLAODONG_*`` setting of :data:`SETTINGS` that is set;
        a value it cannot take is a :class:`ConfigError` naming it."""
        environ = os.environ if environ is None else environ
        limits = cls()
        changes: dict[str, object] = {}
        for name, (field, kind, least, most) in SETTINGS.items():
            text = environ.get(name, "").strip()
            if not text:
                continue
            try:
                value = kind(text)
            except ValueError:
                value = None
            if value is None or not least <= value <= most:
                raise ConfigError(
                    f"{name}={text!r}: expected a number from {least:g} to {most:,g}"
                    f" (default {getattr(limits, field):g})"
                )
            changes[field] = value
        trusted = environ.get("FORWARDED_ALLOW_IPS")
        if trusted is not None:
            changes["trusted"] = tuple(p.strip() for p in trusted.split(",") if p.strip())
        return replace(limits, **changes)  # type: ignore[arg-type]

    def fitted(self, fd_limit: int) -> ConnectionLimits:
        """These limits with no more connections than ``fd_limit`` descriptors leave room
        for, once the store and the rest have theirs."""
        room = max(fd_limit - max(RESERVED_FDS, fd_limit // 4), fd_limit // 2, 1)
        return replace(self, max_connections=min(self.max_connections, room))

    def is_trusted(self, host: str) -> bool:
        """Whether ``host`` is a proxy the per-client cap does not apply to."""
        try:
            address: ipaddress.IPv4Address | ipaddress.IPv6Address | None
            address = ipaddress.ip_address(host)
        except ValueError:  # not an address (a Unix socket's peer): compared as text
            address = None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped  # an IPv4 client of a dual-stack socket
        for entry in self.trusted:
            if entry == "*" or entry == host:
                return True
            try:
                if address is not None and address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:  # a name, not a network: compared as text above
                continue
        return False


# Setting name: (field, type, least value, greatest value). The greatest keep a typo's huge
# number from reaching the socket calls (a backlog past a C int was a traceback).
_DAY = 86_400.0
SETTINGS: dict[str, tuple[str, type[int] | type[float], float, float]] = {
    "TINLAODONG_MAX_CONNECTIONS": ("max_connections", int, 1, 1_000_000),
    "TINLAODONG_MAX_CONNECTIONS_PER_CLIENT": ("per_client", int, 0, 1_000_000),
    "TINLAODONG_HEAD_TIMEOUT": ("head_seconds", float, 0.01, _DAY),
    "TINLAODONG_BODY_TIMEOUT": ("body_seconds", float, 0.01, _DAY),
    "TINLAODONG_SEND_TIMEOUT": ("send_seconds", float, 0.01, _DAY),
    "TINLAODONG_KEEP_ALIVE_TIMEOUT": ("keep_alive_seconds", float, 0.01, _DAY),
    "TINLAODONG_MAX_REQUESTS": ("max_requests", int, 1, 1_000_000),
    "TINLAODONG_BACKLOG": ("backlog", int, 1, 65_535),
}


def raise_fd_limit() -> int:
    """Lift this process's soft limit on open files to its hard limit (a service manager's
    default soft limit, often 1,024, is what a flood of connections runs into first); returns
    the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):  # a sandbox may refuse: keep the soft limit
            pass
    elif hard == resource.RLIM_INFINITY and soft == resource.RLIM_INFINITY:
        return 1 << 20
    return soft


class ConnectionTable:
    """The open connections by client address, and the waiting ones (no request being
    answered) of each address in the order they started waiting. Used from the event loop's
    thread only."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self._clients: dict[Hashable, str] = {}
        self._per_client: dict[str, int] = {}
        self._waiting: dict[str, OrderedDict[Hashable, None]] = {}
        # Of each address, the connections whose answer waits on a client not reading it, in
        # the order they stalled.
        self._stalled: dict[str, OrderedDict[Hashable, None]] = {}
        self._refused: Counter[str] = Counter()  # by address, since the last report
        self._made_room = 0
        self._cut_stalled = 0
        self._reported = -REPORT_EVERY

    def __len__(self) -> int:
        return len(self._clients)

    def admit(self, conn: Hashable, host: str) -> tuple[bool, Hashable | None]:
        """Whether ``conn`` from ``host`` may stay, and the connection to drop for it if the
        server is full: of the address holding the most connections, the one that has waited
        longest for a request. So a flood from one address (a proxy's too) makes room out of
        its own connections, never out of a reader's single one. An admitted one waits."""
        cap = self.limits.per_client
        if cap and self._per_client.get(host, 0) >= cap and not self.limits.is_trusted(host):
            self._refused[host] += 1
            return False, None
        victim = None
        if len(self._clients) >= self.limits.max_connections:
            if not self._waiting:
                self._refused[host] += 1
                return False, None  # every connection is being answered
            holder = max(self._waiting, key=self._per_client.__getitem__)
            victim = next(iter(self._waiting[holder]))
            self.release(victim)
            self._made_room += 1
        self._clients[conn] = host
        self._per_client[host] = self._per_client.get(host, 0) + 1
        self._waiting.setdefault(host, OrderedDict())[conn] = None
        return True, victim

    def report(self, now: float) -> str | None:
        """A line on the connections refused and dropped since the last one, if there were any
        and the last was ``REPORT_EVERY`` seconds before ``now`` (the event loop's clock)."""
        if (
            not (self._refused or self._made_room or self._cut_stalled)
            or now - self._reported < REPORT_EVERY
        ):
            return None
        parts = []
        if self._refused:
            (most, count), *_ = self._refused.most_common(1)
            parts.append(
                f"{self._refused.total()} refused ({count} from {most}; at most "
                f"{self.limits.per_client} a client, TINLAODONG_MAX_CONNECTIONS_PER_CLIENT)"
            )
        if self._made_room:
            parts.append(
                f"{self._made_room} waiting for a request closed to make room (at most "
                f"{self.limits.max_connections} in all, TINLAODONG_MAX_CONNECTIONS)"
            )
        if self._cut_stalled:
            parts.append(
                f"{self._cut_stalled} stalled on a client not reading closed to make room for "
                f"a request (at most {self.limits.max_requests} at once, TINLAODONG_MAX_REQUESTS)"
            )
        self._refused.clear()
        self._made_room, self._cut_stalled, self._reported = 0, 0, now
        return "connections " + ", ".join(parts)

    def busy(self, conn: Hashable) -> None:
        """``conn``'s request is in: it is not dropped for a newcomer until answered."""
        host = self._clients.get(conn)
        if host is not None:
            self._unwait(conn, host)

    def waiting(self, conn: Hashable) -> None:
        """``conn`` waits for its next request (its address's last to be dropped)."""
        host = self._clients.get(conn)
        if host is not None:
            queue = self._waiting.setdefault(host, OrderedDict())
            queue[conn] = None
            queue.move_to_end(conn)

    def stalled(self, conn: Hashable) -> None:
        """``conn``'s answer waits for its client to read: it may make room for a request."""
        host = self._clients.get(conn)
        if host is not None:
            self._stalled.setdefault(host, OrderedDict())[conn] = None

    def unstalled(self, conn: Hashable) -> None:
        """``conn``'s client reads its answer again."""
        host = self._clients.get(conn)
        if host is not None:
            _discard(self._stalled, host, conn)

    def take_stalled(self) -> Hashable | None:
        """The connection to drop so that a new request can be answered, if any answer is
        stalled: of the address with the most stalled, the one stalled longest. So requests
        a flood leaves unread make room out of its own, never out of a reader's."""
        if not self._stalled:
            return None
        holder = max(self._stalled, key=lambda host: len(self._stalled[host]))
        victim = next(iter(self._stalled[holder]))
        self.release(victim)
        self._cut_stalled += 1
        return victim

    def release(self, conn: Hashable) -> None:
        host = self._clients.pop(conn, None)
        if host is None:
            return
        self._unwait(conn, host)
        _discard(self._stalled, host, conn)
        left = self._per_client[host] - 1
        if left:
            self._per_client[host] = left
        else:
            del self._per_client[host]

    def _unwait(self, conn: Hashable, host: str) -> None:
        _discard(self._waiting, host, conn)


def _discard(queues: dict[str, OrderedDict[Hashable, None]], host: str, conn: Hashable) -> None:
    queue = queues.get(host)
    if queue is not None:
        queue.pop(conn, None)
        if not queue:
            del queues[host]


class RequestLimit:
    """At most ``limit`` requests answered at once; past it, ``make_room`` may drop one whose
    answer is stalled on a client not reading it (it returns whether it did: that request
    ends on the loop's next turn), else a 503 at once (with ``Retry-After``), rather than a
    queue of requests waiting for a worker thread that grows as long as clients send them."""

    def __init__(
        self, app: ASGIApp, limit: int, make_room: Callable[[], bool] | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        self.make_room = make_room
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit and not (self.make_room and self.make_room()):
            start: Message = {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"retry-after", b"1"),
                    (b"cache-control", b"no-store"),
                ],
            }
            await send(start)
            await send({"type": "http.response.body", "body": b"busy, try again\n"})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
