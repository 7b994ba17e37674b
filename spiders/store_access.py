"""The store a crawl writes to, from its settings (one per crawler; no global)."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from aggregator.paths import data_dir
from aggregator.store import StoryStore, open_store


def store_from_settings(settings: BaseSettings) -> StoryStore:
    return open_store(
        data_dir(settings.get("TINLAODONG_DATA_DIR") or None),
        settings.get("TINLAODONG_DATABASE_URL") or None,
    )
