"""Full-text search over the stored stories.

``refresh_index(engine)`` after a crawl; ``search(engine, query, ...)`` to find. The query
language, alert rules' too, is in ``search.query``; diacritic folding in ``aggregator.folding``;
the search tables in ``aggregator.store.search_schema``.
"""

from aggregator.folding import fold, has_diacritics, matches
from aggregator.search.hits import Hit, search
from aggregator.search.index import refresh_index

__all__ = ["Hit", "fold", "has_diacritics", "matches", "refresh_index", "search"]
