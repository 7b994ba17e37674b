"""The page's words for a filter it cannot use (a bad query, an unknown province or topic), in
its language: the errors themselves say it in English, for the command line and the feeds."""

from __future__ import annotations

from aggregator.exceptions import ConfigError, QueryError
from feeds.web.data import UnknownProvince, UnknownTopic
from feeds.web.i18n import names_list, query_reason, text


def filter_error(lang: str, exc: ConfigError, q: str = "") -> str:
    """``exc`` (of ``check_view`` or a search of ``q``) as the page says it."""
    if isinstance(exc, UnknownProvince):
        said = text(lang, "unknown_province", value=exc.value)
        if exc.suggestions:
            said += " " + text(lang, "did_you_mean", names=names_list(lang, exc.suggestions))
        return said
    if isinstance(exc, UnknownTopic):
        return text(lang, "unknown_topic", value=exc.value)
    if isinstance(exc, QueryError):
        reason = query_reason(lang, exc.reason)
        if reason is not None:
            return text(lang, "bad_query", q=exc.query, reason=reason)
    # Any other refusal of the search (the database's): the query, without the English.
    return text(lang, "bad_query_any", q=q)
