"""Validators (ETag, Last-Modified) of pages crawled again and again: listings and feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aggregator.store.fingerprint import canonical_url
from aggregator.store.schema import HttpValidator


@dataclass(frozen=True)
class Validators:
    etag: str | None
    last_modified: str | None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class ValidatorStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, url: str) -> Validators | None:
        with Session(self.engine) as session:
            row = session.get(HttpValidator, canonical_url(url))
            return Validators(row.etag, row.last_modified) if row is not None else None

    def save(self, url: str, validators: Validators) -> None:
        if not (validators.etag or validators.last_modified):
            return
        row = HttpValidator(
            url=canonical_url(url),
            etag=validators.etag,
            last_modified=validators.last_modified,
            updated=datetime.now(UTC).replace(tzinfo=None),
        )
        try:
            with Session(self.engine) as session, session.begin():
                session.merge(row)
        except IntegrityError:
            # Another process (a worker on the same site) inserted the row between merge's
            # look-up and its insert: the second merge finds it and updates it.
            with Session(self.engine) as session, session.begin():
                session.merge(row)

    def delete(self, url: str) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(HttpValidator, canonical_url(url))
            if row is not None:
                session.delete(row)

    # A crawl of a site in progress, kept as a row of this key-value table: a crawl that finds
    # its predecessor's mark was killed or stopped halfway, and must not trust "older pages are
    # stored" to cut its pagination short.
    def begin_crawl(self, site_id: str) -> bool:
        """Mark a crawl of ``site_id`` as running; True if the previous one never finished."""
        mark = _crawl_mark(site_id)
        unfinished = self.get(mark) is not None
        self.save(mark, Validators(etag="running", last_modified=None))
        return unfinished

    def end_crawl(self, site_id: str) -> None:
        self.delete(_crawl_mark(site_id))


def _crawl_mark(site_id: str) -> str:
    return f"https://tinlaodong.invalid/crawl-in-progress/{site_id}"
