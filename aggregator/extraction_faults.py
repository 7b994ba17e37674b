"""The faults a page's extraction can end in, by name: counted as ``tinlaodong/faults/<name>``
in the crawl report (``aggregator.faults`` names those of the fetches). A module of its own:
the crawl's process, which does not import the extraction code, and the extraction, which
does not import the store's (``aggregator.faults`` reads SQLAlchemy's errors), both read it.
"""

from __future__ import annotations

# Given up past its CPU deadline (TINLAODONG_EXTRACT_DEADLINE), or because its worker did not
# answer long after it (the worker is replaced).
EXTRACT_TIMEOUT = "extract_timeout"
# Given up: the worker died under it twice.
WORKER_DIED = "extract_worker_died"
# No fault: the page is no article (a listing, the site's own pages), by its page object's
# verdict (``NotAnArticle``): counted as ``tinlaodong/not_article``, remembered for a while.
NOT_AN_ARTICLE = "not_article"
# Cut down to its limits (``aggregator.page_limits``); its article is kept.
PAGE_CUT = "page_cut"
