"""The record of scheduled runs, in a ``scheduled_runs`` table of the store's database.

Kept apart from the store's own tables (its own declarative base, created here) so that the
scheduler neither depends on nor changes the store's schema. ``crawl_runs`` says what a crawl
found per site; this says how each scheduled run went as a process: when, how long, its exit
code, whether it was killed at the time limit. Times are UTC (naive in SQLite, as the store's).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, Integer, String, Text, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from aggregator.timeshow import iso


class _Base(DeclarativeBase):
    pass


class ScheduledRun(_Base):
    __tablename__ = "scheduled_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(191), index=True)
    sites: Mapped[str] = mapped_column(Text)  # site ids, space-separated
    started: Mapped[datetime] = mapped_column(DateTime)
    finished: Mapped[datetime] = mapped_column(DateTime)
    duration: Mapped[float] = mapped_column(Float)  # seconds
    exit_code: Mapped[int | None] = mapped_column(Integer)
    timed_out: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(String(32))  # see RunRecord.outcome
    new_stories: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str | None] = mapped_column(Text)  # the crawl's last stderr lines on failure


@dataclass(frozen=True)
class RunRecord:
    job_id: str
    sites: tuple[str, ...]
    started: datetime
    finished: datetime
    exit_code: int | None
    timed_out: bool
    outcome: str  # ok | failed | timed out | not started
    new_stories: int = 0
    detail: str | None = None

    @property
    def duration(self) -> float:
        return (self.finished - self.started).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.job_id,
            "sites": list(self.sites),
            "started": iso(self.started),
            "finished": iso(self.finished),
            "duration_s": round(self.duration, 1),
            "exit_code": self.exit_code,
            "timed_out": self.timed_out,
            "outcome": self.outcome,
            "new_stories": self.new_stories,
            "detail": self.detail,
        }


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


# Crawl jobs finishing together on a fresh database would both try CREATE TABLE.
_CREATE_LOCK = threading.Lock()


class RunHistory:
    """Reads and writes ``scheduled_runs`` on an engine it does not own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with _CREATE_LOCK:
            _Base.metadata.create_all(engine)

    def record(self, run: RunRecord) -> None:
        row = ScheduledRun(
            job_id=run.job_id,
            sites=" ".join(run.sites),
            started=_naive_utc(run.started),
            finished=_naive_utc(run.finished),
            duration=run.duration,
            exit_code=run.exit_code,
            timed_out=run.timed_out,
            outcome=run.outcome,
            new_stories=run.new_stories,
            detail=run.detail,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)

    def last_runs(self, job_ids: Sequence[str] | None = None) -> dict[str, RunRecord]:
        """The latest run of each job (of ``job_ids``, or of every job run so far)."""
        latest = select(func.max(ScheduledRun.id)).group_by(ScheduledRun.job_id)
        query = select(ScheduledRun).where(ScheduledRun.id.in_(latest))
        if job_ids is not None:
            query = query.where(ScheduledRun.job_id.in_(list(job_ids)))
        with Session(self.engine) as session:
            return {row.job_id: _record(row) for row in session.scalars(query)}

    def recent(self, limit: int = 20) -> list[RunRecord]:
        query = select(ScheduledRun).order_by(ScheduledRun.id.desc()).limit(limit)
        with Session(self.engine) as session:
            return [_record(row) for row in session.scalars(query)]


def _record(row: ScheduledRun) -> RunRecord:
    return RunRecord(
        job_id=row.job_id,
        sites=tuple(row.sites.split()),
        started=row.started.replace(tzinfo=UTC),
        finished=row.finished.replace(tzinfo=UTC),
        exit_code=row.exit_code,
        timed_out=row.timed_out,
        outcome=row.outcome,
        new_stories=row.new_stories,
        detail=row.detail,
    )
