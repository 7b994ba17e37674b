"""Site health: is a crawl of a site what a healthy crawl of it looks like?

Sites are redesigned without notice. A listing that yields no links, or article pages that
still "extract" into junk (no dates, one title for all, empty bodies), mean the page objects
no longer fit: the site is marked unhealthy, with the reason, until a crawl looks right again.
A site's baseline is the median of its recent healthy crawls; a site with no history is held
to absolute rules only.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, fields

MIN_SAMPLE = 3  # articles in a crawl before its share-based rules say anything
SHORT_BODY = 200  # characters: shorter on average is an empty body, whatever the baseline
BODY_DROP = 0.3  # a mean body under this share of the baseline's is junk
DATED_SHARE = 0.5  # fewer dated articles than this share is "no dates"...
DATED_BASELINE = 0.8  # ...when the site used to date at least this share


@dataclass(frozen=True)
class CrawlMetrics:
    """What one crawl of one site saw, from the spider's and pipelines' counters."""

    listing_pages: int = 0
    listing_links: int = 0
    extracted: int = 0
    extract_failed: int = 0
    with_date: int = 0
    body_chars: int = 0
    distinct_titles: int = 0
    # Pages fetched as articles that are none (listings, the site's sign-in or site map pages
    # its sitemap lists): no failure, but a crawl that finds nothing else is suspect.
    not_articles: int = 0

    @property
    def links_per_listing(self) -> float:
        return self.listing_links / self.listing_pages if self.listing_pages else 0.0

    @property
    def dated_share(self) -> float:
        return self.with_date / self.extracted if self.extracted else 0.0

    @property
    def mean_body(self) -> float:
        return self.body_chars / self.extracted if self.extracted else 0.0


@dataclass(frozen=True)
class Health:
    healthy: bool
    reason: str | None = None


HEALTHY = Health(True)


def baseline(history: Sequence[CrawlMetrics]) -> CrawlMetrics | None:
    """The median of past healthy crawls that read something; None without any."""
    useful = [m for m in history if m.listing_pages or m.extracted]
    if not useful:
        return None
    return CrawlMetrics(
        **{
            f.name: int(statistics.median(getattr(m, f.name) for m in useful))
            for f in fields(CrawlMetrics)
        }
    )


def assess(current: CrawlMetrics, base: CrawlMetrics | None) -> Health:
    """Healthy, or the first reason this crawl does not look like the site's usual crawls."""
    rules = (
        _listing_empty,
        _extraction_failing,
        _all_taken_for_no_articles,
        _same_titles,
        _undated,
        _empty_bodies,
    )
    for rule in rules:
        reason = rule(current, base)
        if reason:
            return Health(False, reason)
    return HEALTHY


def _listing_empty(m: CrawlMetrics, base: CrawlMetrics | None) -> str | None:
    if m.listing_pages and not m.listing_links:
        usual = f" (usually {base.links_per_listing:.0f})" if base and base.listing_links else ""
        return f"listing pages yield no article links{usual}: has the layout changed?"
    return None


def _extraction_failing(m: CrawlMetrics, base: CrawlMetrics | None) -> str | None:
    tried = m.extracted + m.extract_failed
    if tried >= MIN_SAMPLE and m.extract_failed * 2 > tried:
        return f"{m.extract_failed} of {tried} article pages yield no article"
    return None


def _all_taken_for_no_articles(m: CrawlMetrics, base: CrawlMetrics | None) -> str | None:
    # Listings and a site's own pages are remembered once seen: a crawl meets them again only
    # when they are new. Every new page taken for one, and no article, may be a layout that no
    # longer fits the page objects (article pages read as listings): worth a look, once.
    if m.not_articles >= MIN_SAMPLE and not m.extracted:
        return (
            f"all {m.not_articles} article pages were taken for listings or the site's own "
            "pages (no article text, or no date): has the layout changed?"
        )
    return None


def _same_titles(m: CrawlMetrics, base: CrawlMetrics | None) -> str | None:
    if m.extracted >= MIN_SAMPLE and m.distinct_titles <= 1:
        return f"all {m.extracted} articles have the same title"
    return None


def _undated(m: CrawlMetrics, base: CrawlMetrics | None) -> str | None:
    if m.extracted < MIN_SAMPLE or m.dated_share >= DATED_SHARE:
        return None
    if base is not None and base.extracted and base.dated_share < DATED_BASELINE:
        return None  # a site that never dated its pages well is not worse today
    return f"only {m.with_date} of {m.extracted} articles have a date"


def _empty_bodies(m: CrawlMetrics, base: CrawlMetrics | None) -> str | None:
    if m.extracted < MIN_SAMPLE:
        return None
    if m.mean_body < SHORT_BODY:
        return f"article bodies are nearly empty ({m.mean_body:.0f} characters on average)"
    if base is not None and base.extracted and m.mean_body < BODY_DROP * base.mean_body:
        return (
            f"article bodies shrank to {m.mean_body:.0f} characters on average "
            f"(usually {base.mean_body:.0f})"
        )
    return None
