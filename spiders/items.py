"""What the spider hands to the item pipelines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aggregator.models import Article
from aggregator.store.bodyprint import BodyPrint

FoundIn = Literal["listing", "feed", "sitemap"]


@dataclass
class PageItem:
    """One fetched article page; ``article`` is filled by the extraction pipeline."""

    site_id: str
    url: str
    body: bytes
    http_charset: str | None
    profile: str | None
    # Where the page was found. Linked as an article by one of the site's listing pages, a
    # page taken for no article is a failure (the page objects may no longer fit), not a page
    # to skip; one a sitemap names beside the news may be the site's own (about, contact).
    found_in: FoundIn = "listing"
    article: Article | None = None
    # What the store compares the body by, worked out beside the extraction (off the reactor).
    bodyprint: BodyPrint | None = None
