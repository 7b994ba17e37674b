"""Pages fetched as articles that are none: a portal's sitemap lists its listings, sign-in
and site map pages beside the news, and a re-crawl that reads the sitemap again would fetch
and read each of them again, every time. Remembered here after each crawl that finished, they
are skipped like stored articles until the recheck window has passed (a page can become an
article; a page object can be mended)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from aggregator.store.fingerprint import canonical_url
from aggregator.store.schema import NotArticlePage


class NotArticles:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def remember(self, site_id: str, pages: Sequence[tuple[str, str]]) -> None:
        """Remember ``pages`` ((url, why it is no article)) of ``site_id`` as seen now."""
        if not pages:
            return
        now = datetime.now(UTC).replace(tzinfo=None)
        rows = {canonical_url(url): reason for url, reason in pages}
        with Session(self.engine) as session, session.begin():
            # Delete then insert: the same in SQLite and PostgreSQL, and a page seen again
            # (after its window) starts a new one.
            session.execute(delete(NotArticlePage).where(NotArticlePage.url.in_(list(rows))))
            session.add_all(
                NotArticlePage(url=url, site_id=site_id, reason=reason, seen=now)
                for url, reason in rows.items()
            )

    def seen_since(self, urls: Sequence[str], since: datetime) -> set[str]:
        """Those of ``urls`` (as given) remembered as no article at ``since`` or later."""
        canonical = {canonical_url(u): u for u in urls}
        if not canonical:
            return set()
        cutoff = since.astimezone(UTC).replace(tzinfo=None)
        query = select(NotArticlePage.url).where(
            NotArticlePage.url.in_(list(canonical)), NotArticlePage.seen >= cutoff
        )
        with Session(self.engine) as session:
            return {canonical[url] for url in session.scalars(query)}
