"""Shared test helpers: where ../shared is, and skipping with a stated reason when it is absent."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Property tests (tests/test_fuzz.py): a few dozen examples each in the ordinary run; thousands
# with HYPOTHESIS_PROFILE=fuzz (make fuzz). No deadline: the first call of trafilatura or
# dateparser loads data and would be reported as "too slow".
settings.register_profile("default", max_examples=50, deadline=None, database=None)
settings.register_profile(
    "fuzz",
    max_examples=5000,
    deadline=None,
    database=None,  # nothing written into the checkout; a failure prints its example
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the checkout (a user's fresh clone): nothing to read")
    return SHARED


@pytest.fixture
def corpus() -> Path:
    """The real Liferay 6.2 portal pages of ../shared/corpus/hanoi-portal-2022."""
    path = SHARED / "corpus" / "hanoi-portal-2022"
    if not path.is_dir():
        pytest.skip(f"no Liferay corpus at {path} (../shared is not beside the checkout)")
    return path


@dataclass
class Webhook:
    """A JSON webhook receiver: records each POST's key (payload and header), then answers
    ``statuses`` in turn (then 200) after ``delay`` seconds."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0

    def keys(self) -> Counter[str]:
        return Counter(r["idempotency_key"] for r in self.received)


@contextmanager
def webhook_receiver() -> Iterator[Webhook]:
    """A JSON webhook receiver on loopback (apprise's json:// URL in ``url``)."""
    hook = Webhook("")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            payload = json.loads(body)
            # apprise's json:// schema: version, title, message, attachments, type; ours added.
            assert {"version", "title", "message", "type"} <= set(payload)
            with lock:
                hook.received.append(payload)
                hook.headers.append(self.headers["X-Tinlaodong-Key"])
                status = hook.statuses.pop(0) if hook.statuses else 200
            time.sleep(hook.delay)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"json://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with webhook_receiver() as hook:
        yield hook
