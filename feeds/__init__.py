"""Publishing: stories as RSS 2.0 and Atom files, an index and an OPML list, and a small server.

The names below are imported when first used: a crawl imports ``feeds.publish`` and must not
pay for the server's web framework (uvicorn, Starlette), which it never starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from feeds.model import FeedEntry, FeedSource, FeedSpec
    from feeds.server import FeedServer, serve_feeds
    from feeds.writer import write_feeds

__all__ = ["FeedEntry", "FeedServer", "FeedSource", "FeedSpec", "serve_feeds", "write_feeds"]
_HOMES = {
    "FeedEntry": "feeds.model",
    "FeedSource": "feeds.model",
    "FeedSpec": "feeds.model",
    "FeedServer": "feeds.server",
    "serve_feeds": "feeds.server",
    "write_feeds": "feeds.writer",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'feeds' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
