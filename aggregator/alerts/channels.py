"""Handing one message to one target through apprise (email, Telegram, Slack, Teams, Discord,
JSON webhooks, ...): one URL per target, see https://github.com/caronc/apprise/wiki.

A target that has not answered within the delivery timeout (``READ_TIMEOUT`` unless the URL
sets ``rto=``) may have the message all the same: that outcome is "maybe delivered", not a
refusal (the sender's retries of it are bounded, ``sender.Backoff.max_unconfirmed``).

The idempotency key rides in every message: in the text's last line always, as the headers
``X-Tinlaodong-Key`` and ``Idempotency-Key`` where the channel has headers (email, json://,
xml://, form://), and as the field ``idempotency_key`` of a json:// payload (with
``rule_id``, ``link`` and the rest of :attr:`Message.fields`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

# apprise is imported where a message is sent or a target checked, not with this module: a
# crawl queues alerts in the store (alerts.outbox) and sends none itself unless some are due,
# and loading apprise slowed each crawl's start.

KEY_HEADER = "X-Tinlaodong-Key"
# Seconds to wait for a target's answer once it has the message (apprise's own default, 4 s,
# took receivers that are slow to answer for refusing, and sent them every alert again).
READ_TIMEOUT = 15.0


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    key: str  # the idempotency key
    fields: dict[str, Any] = field(default_factory=dict)  # for structured (JSON) targets


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str | None = None
    # No answer within the read timeout: the target may have accepted the message.
    unconfirmed: bool = False


def target_id(url: str) -> str:
    """What identifies a target without its secrets: sha256 of its URL."""
    return hashlib.sha256(url.encode()).hexdigest()


def check_target(url: str) -> str | None:
    """Why ``url`` is not a notification URL apprise can use, or None."""
    return None if _plugin(url) is not None else f"{mask(url)!r}: not a URL apprise knows"


@lru_cache(maxsize=256)
def mask(url: str) -> str:
    """The URL with passwords and tokens hidden, for messages and the attempts table."""
    plugin = _plugin(url)
    if plugin is None:
        return url.split("://", 1)[0] + "://…"
    return str(plugin.url(privacy=True))


def notify(url: str, message: Message) -> Outcome:
    """Send ``message`` to the target ``url``; ok once the target accepted it."""
    import apprise
    from apprise.plugins.custom_json import NotifyJSON

    plugin = _plugin(url)
    if plugin is None:
        return Outcome(False, "not a URL apprise knows")
    headers = getattr(plugin, "headers", None)
    if isinstance(headers, dict):
        headers.update({KEY_HEADER: message.key, "Idempotency-Key": message.key})
    extras = getattr(plugin, "payload_extras", None)
    if isinstance(extras, dict) and isinstance(plugin, NotifyJSON):
        extras.update({"idempotency_key": message.key, **message.fields})
    if "rto" not in parse_qs(urlsplit(url).query):
        plugin.socket_read_timeout = READ_TIMEOUT
    with _apprise_log() as log:
        try:
            ok = bool(
                plugin.notify(
                    body=message.body, title=message.title, body_format=apprise.NotifyFormat.TEXT
                )
            )
        except Exception as exc:  # a plugin's bug must not stop the other alerts
            return Outcome(False, f"{exc.__class__.__name__}: {exc}")
    if ok:
        return Outcome(True)
    logged = log.getvalue()
    if "Read timed out" in logged:  # requests' words, in the log of apprise's HTTP plugins
        wait = f"{plugin.socket_read_timeout:g}"
        return Outcome(False, f"no answer within {wait} s: the target may have it", True)
    warned = [
        message
        for level, _, message in (line.partition(" ") for line in logged.splitlines())
        if level in _WARNED and message.strip()
    ]
    return Outcome(False, warned[-1] if warned else "the target did not accept the message")


_WARNED = {str(logging.WARNING), str(logging.ERROR), str(logging.CRITICAL)}


@contextlib.contextmanager
def _apprise_log() -> Iterator[StringIO]:
    """What apprise logs while it sends, its debug lines included (where it says why a
    connection failed), kept from the process's log: the sender logs the outcome itself.
    One sender a process, delivering one message at a time: the logger is not shared."""
    log = logging.getLogger("apprise")
    buffer = StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelno)d %(message)s"))
    level, propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    try:
        yield buffer
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        log.propagate = propagate


def _plugin(url: str) -> Any:
    """A fresh apprise plugin for ``url`` (None if apprise knows no such URL). Its timeouts
    (4 s to connect; to answer, ``READ_TIMEOUT`` when :func:`notify` sends) can be set in the
    URL: ``?cto=10&rto=30``."""
    import apprise

    _load_plugins()
    return apprise.Apprise.instantiate(url, suppress_exceptions=True)


@lru_cache(maxsize=1)
def _load_plugins() -> None:
    """Load apprise's plugins once. Its email plugin imports ``imghdr``, deprecated since
    Python 3.11 (apprise shims it for 3.13): that one warning is not ours to act on."""
    import apprise

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="'imghdr' is deprecated", category=DeprecationWarning
        )
        apprise.Apprise.instantiate("json://localhost", suppress_exceptions=True)
