"""What the spider hands to the item pipelines."""

from __future__ import annotations

from dataclasses import dataclass

from aggregator.models import Article
from aggregator.store.bodyprint import BodyPrint


@dataclass
class PageItem:
    """One fetched article page; ``article`` is filled by the extraction pipeline."""

    site_id: str
    url: str
    body: bytes
    http_charset: str | None
    profile: str | None
    # Linked as an article by one of the site's listing pages: taken for no article, it is a
    # failure (the page objects may no longer fit), not a page to skip.
    listed: bool = False
    article: Article | None = None
    # What the store compares the body by, worked out beside the extraction (off the reactor).
    bodyprint: BodyPrint | None = None
