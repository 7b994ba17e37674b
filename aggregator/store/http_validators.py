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
