"""Storing and deduplicating stories: SQLite by default (SQLAlchemy), one story per body."""

from aggregator.store.database import open_store, sqlite_url
from aggregator.store.repository import AddResult, StoryStore, StoryView

__all__ = ["AddResult", "StoryStore", "StoryView", "open_store", "sqlite_url"]
