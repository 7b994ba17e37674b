"""Feeds written without a public address name a stand-in origin; the server serving them
puts its own address in its place.

A feed needs absolute links (its channel link, its self link, its pages): without
``$TINLAODONG_PUBLIC_URL`` the writer cannot know them, so it writes ``LOCAL_ORIGIN`` (a
reserved ``.invalid`` name, never a real site) and :func:`with_origin` replaces it, when the
file is served, with the address the client reached the server by.
"""

from __future__ import annotations

import os

# The same name feeds.publish reads when it writes the files.
PUBLIC_URL_ENV = "TINLAODONG_PUBLIC_URL"
LOCAL_ORIGIN = "http://tinlaodong.invalid/"
LOCAL_FEEDS = LOCAL_ORIGIN + "feeds/"
_ORIGIN = LOCAL_ORIGIN.encode("ascii")
_FEEDS = LOCAL_FEEDS.encode("ascii")


def has_local_origin(data: bytes) -> bool:
    return _ORIGIN in data


def with_origin(data: bytes, home_url: str, feeds_url: str) -> bytes:
    """``data`` with the stand-in's feeds folder replaced by ``feeds_url`` and the stand-in's
    home page by ``home_url`` (both ending in ``/``)."""
    data = data.replace(_FEEDS, feeds_url.encode("utf-8"))
    return data.replace(_ORIGIN, home_url.encode("utf-8"))


def public_origin() -> str | None:
    """``$TINLAODONG_PUBLIC_URL`` without its final ``/``, or None if unset: where set, every
    link the server gives names it, whatever Host header a client sent."""
    public = os.environ.get(PUBLIC_URL_ENV, "").strip()
    return public.rstrip("/") or None
