"""What a feed is made of: plain frozen records, filled by the store layer, read by the writer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FeedSource:
    """One site that published the story."""

    site_id: str
    site_name: str
    url: str


@dataclass(frozen=True)
class FeedEntry:
    """One story as it appears in a feed."""

    guid: str  # stable id, e.g. "tag:tinlaodong,2024:story/<content hash>"
    title: str
    link: str  # the first source's URL
    text: str  # plain text, paragraphs separated by blank lines
    published: datetime  # aware
    updated: datetime  # aware: when the story last changed (e.g. a source was added)
    author: str | None
    sources: tuple[FeedSource, ...]
    images: tuple[tuple[str, str | None], ...] = ()  # (src, caption)
    # Categories a reader can filter on: the provinces the story belongs to, its topics.
    categories: tuple[str, ...] = ()
    # Plain text: the story's lead, its entry's summary (RSS description, Atom summary); the
    # body (``text``, with the lead first) is the entry's content.
    summary: str | None = None


@dataclass(frozen=True)
class FeedSpec:
    """One feed: written as ``<slug>.rss.xml``, ``<slug>.atom.xml`` and ``<slug>.json``."""

    slug: str  # file name stem: "all", "site-mirror-quangtri"
    title: str
    description: str
    link: str  # the HTML page showing the same stories (rel="alternate")
    entries: tuple[FeedEntry, ...]
    # Where the OPML lists it: a province's name, "Chủ đề", ...; "" for the top level.
    group: str = ""
    # The feed's date when it has no entries (else its newest entry's): since when it has
    # been empty, as far as the store knows. None: the time it is written.
    updated: datetime | None = None
