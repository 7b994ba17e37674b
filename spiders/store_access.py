"""The store a crawl writes to, from its settings.

A crawler opens its own store from the data directory and URL in its settings, unless its
runner handed one to every crawler it runs (:class:`SharedStore` under
:data:`SHARED_STORE_SETTING`): ``tinlaodong crawl`` opens the store once, and opening it per
site and per component (two opens a site, each a new engine, pool and connections) was a
fifth of a re-crawl in which nothing had changed. Whoever opened a store closes it:
:func:`release_store` leaves a shared one open.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from aggregator.paths import data_dir
from aggregator.store import StoryStore, open_store

SHARED_STORE_SETTING = "TINLAODONG_SHARED_STORE"


class SharedStore:
    """A store for every crawler of a run, as a setting. Scrapy copies each crawler's settings
    deeply; the store is handed on, not copied (its engine is safe across threads)."""

    def __init__(self, store: StoryStore) -> None:
        self.store = store

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedStore:
        return self

    def __repr__(self) -> str:
        return f"SharedStore({self.store.engine.url.render_as_string(hide_password=True)})"


def store_from_settings(settings: BaseSettings) -> StoryStore:
    shared = settings.get(SHARED_STORE_SETTING)
    if isinstance(shared, SharedStore):
        return shared.store
    return open_store(
        data_dir(settings.get("TINLAODONG_DATA_DIR") or None),
        settings.get("TINLAODONG_DATABASE_URL") or None,
    )


def release_store(settings: BaseSettings, store: StoryStore) -> None:
    """Close ``store`` (from :func:`store_from_settings`) unless the run shares it."""
    shared = settings.get(SHARED_STORE_SETTING)
    if not (isinstance(shared, SharedStore) and shared.store is store):
        store.close()
