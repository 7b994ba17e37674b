"""Full-text search over the stored stories, and the diacritic folding it rests on.

``refresh_index(engine)`` after a crawl; ``search(engine, query, ...)`` to find. The query
language is in ``search.query``; folding rules (used by alert rules too) in ``search.folding``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aggregator.search.folding import fold, has_diacritics, matches
    from aggregator.search.hits import Hit, search
    from aggregator.search.index import refresh_index

__all__ = ["Hit", "fold", "has_diacritics", "matches", "refresh_index", "search"]

# Loaded on first use: ``aggregator.tags`` uses this package's modules and is used by them, so
# importing them all here would make the two packages import each other half-initialised.
_HOMES = {
    "fold": "folding",
    "has_diacritics": "folding",
    "matches": "folding",
    "Hit": "hits",
    "search": "hits",
    "refresh_index": "index",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
