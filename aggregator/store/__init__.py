"""Storing and deduplicating stories: SQLite by default (SQLAlchemy), one story per body.

One module a job: ``writes`` (storing an article, writers taking turns) and ``dedup`` (its
story by hash or near-duplicate, the canonical article), ``views`` (stories as the feeds
read them), ``crawls`` (crawl history and health), ``http_validators``, ``flags``, the
facade ``repository.StoryStore`` composing them, and ``database`` (opening, migrating).
"""

from aggregator.store.crawls import CrawlRecord, SiteActivity, Unhealthy
from aggregator.store.database import sqlite_url
from aggregator.store.dedup import AddResult
from aggregator.store.http_validators import Validators
from aggregator.store.opening import open_store, require_store
from aggregator.store.repository import StoryStore
from aggregator.store.times import LOCAL_TZ
from aggregator.store.views import SourceView, StoryView
from aggregator.store.writes import Outbox

__all__ = [
    "LOCAL_TZ",
    "AddResult",
    "CrawlRecord",
    "Outbox",
    "SiteActivity",
    "SourceView",
    "StoryStore",
    "StoryView",
    "Unhealthy",
    "Validators",
    "open_store",
    "require_store",
    "sqlite_url",
]
