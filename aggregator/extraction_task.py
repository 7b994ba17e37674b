"""The crawl's extraction as its worker processes receive it: a worker is sent this function
by name and imports its module, and the crawl's own process, which only hands pages over, need
not import the extraction code (trafilatura, bs4: a slow import at every crawl's start, a
re-crawl with nothing to extract included). The workers' fork server has it preloaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aggregator.extraction import Outcome


def extract_outcome(
    body: bytes,
    url: str,
    profile: str | None,
    http_charset: str | None,
    cpu_deadline: float | None = None,
) -> Outcome:
    """:func:`aggregator.extraction.extract_outcome`."""
    from aggregator.extraction import extract_outcome as extract

    return extract(body, url, profile, http_charset, cpu_deadline)
