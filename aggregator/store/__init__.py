"""Storing and deduplicating stories: SQLite by default (SQLAlchemy), one story per body."""

from aggregator.store.database import open_store, sqlite_url
from aggregator.store.http_validators import Validators
from aggregator.store.repository import (
    AddResult,
    CrawlRecord,
    Outbox,
    SiteActivity,
    StoryStore,
    StoryView,
    Unhealthy,
)

__all__ = [
    "AddResult",
    "CrawlRecord",
    "Outbox",
    "SiteActivity",
    "StoryStore",
    "StoryView",
    "Unhealthy",
    "Validators",
    "open_store",
    "sqlite_url",
]
