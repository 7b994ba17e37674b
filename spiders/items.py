"""What the spider hands to the item pipelines."""

from __future__ import annotations

from dataclasses import dataclass

from aggregator.models import Article
from aggregator.store.neardup import Sketch


@dataclass
class PageItem:
    """One fetched article page; ``article`` is filled by the extraction pipeline."""

    site_id: str
    url: str
    body: bytes
    http_charset: str | None
    profile: str | None
    article: Article | None = None
    # The body's near-duplicate sketch, worked out beside the extraction (off the reactor).
    sketch: Sketch | None = None
