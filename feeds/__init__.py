"""Publishing: stories as RSS 2.0 and Atom files, an index and an OPML list, and a small server."""

from feeds.model import FeedEntry, FeedSource, FeedSpec
from feeds.server import FeedServer, serve_feeds
from feeds.writer import write_feeds

__all__ = ["FeedEntry", "FeedServer", "FeedSource", "FeedSpec", "serve_feeds", "write_feeds"]
