"""Delivering the outbox: each due alert to each of its targets, until every target accepted.

One sender at a time per data directory: it holds an exclusive ``flock`` on
``DATA_DIR/alerts.lock`` while it sends (the OS drops it when the process dies, even by
``kill -9``, so the next sender takes over at once); another sender finds it held and leaves.

For each target the sender sends, then records the attempt and, if the target accepted,
that target's delivery, in one commit right after the answer. A retry skips the targets that
accepted. An alert some target refused (an error status, no connection) is tried again after a
backoff that doubles each round up to a cap; after ``max_attempts`` rounds it is ``failed``:
``alerts status`` shows it, ``alerts retry`` queues it again.

A target repeats an alert, always with the same idempotency key, in two ways only: a death
between its acceptance and that commit (one repeat per death), and no answer within the
delivery timeout (``channels.READ_TIMEOUT``): maybe delivered, tried again with the same
backoff, at most ``max_unconfirmed`` times in all for that target, then ``failed`` as
unconfirmed (so at most ``max_unconfirmed - 1`` repeats, until ``alerts retry``).

Digest alerts (rule ``digest: hourly|daily``) wait for their period to end, then go as one
message per rule, period and target; each one is delivered with it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aggregator.alerts import channels
from aggregator.alerts.channels import Message, Outcome
from aggregator.alerts.messages import Period, digest_message, health_message, story_message
from aggregator.alerts.outbox import (
    DELIVERED,
    FAILED,
    PENDING,
    STORY,
    alert_key,
    queue_health_alerts,
    utcnow,
)
from aggregator.alerts.rules import Rules
from aggregator.site_index import SiteIndex
from aggregator.store import StoryStore
from aggregator.store.schema import Alert, AlertAttempt, AlertDelivery

logger = logging.getLogger("tinlaodong.alerts")
LOCK_FILENAME = "alerts.lock"
Notify = Callable[[str, Message], Outcome]
# How an attempt without an answer in time starts its error: counted, to bound the repeats.
UNCONFIRMED = "unconfirmed: "


@dataclass(frozen=True)
class Backoff:
    """The wait before round ``n`` + 1 of an alert: ``first`` doubled each round, at most
    ``cap``; after ``max_attempts`` rounds the alert has failed, and after ``max_unconfirmed``
    sends to a target that never answered in time (it may have every one)."""

    first: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 10
    max_unconfirmed: int = 3

    def delay(self, attempts: int) -> timedelta:
        return min(self.first * 2 ** max(attempts - 1, 0), self.cap)


@dataclass
class SendReport:
    messages: int = 0  # messages a target accepted
    refused: int = 0  # messages a target did not accept
    unconfirmed: int = 0  # messages a target did not answer in time (it may have them)
    delivered: int = 0  # alerts now delivered to every target
    retrying: int = 0  # alerts to try again later
    failed: int = 0  # alerts given up on
    health_queued: int = 0
    skipped: str | None = None  # why nothing was sent (another sender holds the lock)
    errors: list[str] = field(default_factory=list)


class SenderLock:
    """The data directory's sender lock (non-blocking); :attr:`acquired` says if we have it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILENAME
        self.acquired = False
        self._fd: int | None = None

    def __enter__(self) -> SenderLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return self
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd, self.acquired = fd, True
        return self

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "another process"
        except OSError:
            return "another process"

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd, self.acquired = None, False


class Sender:
    def __init__(
        self,
        store: StoryStore,
        index: SiteIndex,
        *,
        backoff: Backoff | None = None,
        notify: Notify = channels.notify,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.index = index
        self.backoff = backoff or Backoff()
        self.notify = notify
        self.clock = clock

    def run(self, report: SendReport | None = None, *, wait: float = 0.0) -> SendReport:
        """Send what is due; with ``wait``, keep retrying for up to that many seconds while
        alerts are due again within it."""
        report = report or SendReport()
        deadline = time.monotonic() + wait
        while True:
            self.send_due(report)
            upcoming = self._next_due()
            if upcoming is None:
                break
            pause = (upcoming - self.clock()).total_seconds()
            if time.monotonic() + pause > deadline:
                break
            time.sleep(max(pause, 0.0))
        with Session(self.store.engine) as session:
            pending = session.scalars(select(Alert.status).where(Alert.status == PENDING)).all()
        report.retrying = len(pending)
        return report

    def send_due(self, report: SendReport) -> None:
        """One pass over the alerts due now."""
        now = self.clock()
        with Session(self.store.engine) as session:
            due = session.execute(
                select(Alert.id, Alert.rule_id, Alert.digest, Alert.created)
                .where(Alert.status == PENDING, Alert.next_attempt_at <= now)
                .order_by(Alert.id)
            ).all()
        digests: dict[tuple[str, Period], list[int]] = {}
        for alert_id, rule_id, digest, created in due:
            if digest is None:
                self._send_one(alert_id, report)
                continue
            period = Period.of(digest, created)
            if period.end <= now.replace(tzinfo=UTC):
                digests.setdefault((rule_id, period), []).append(alert_id)
        for (rule_id, period), ids in digests.items():
            self._send_digest(rule_id, period, ids, report)

    def _next_due(self) -> datetime | None:
        with Session(self.store.engine) as session:
            return session.scalar(
                select(Alert.next_attempt_at)
                .where(Alert.status == PENDING, Alert.digest.is_(None))
                .order_by(Alert.next_attempt_at)
                .limit(1)
            )

    def _send_one(self, alert_id: int, report: SendReport) -> None:
        with Session(self.store.engine) as session:
            alert = session.get_one(Alert, alert_id)
            done = self._delivered(session, [alert_id])
            targets, rule_id, key, kind = list(alert.targets), alert.rule_id, alert.key, alert.kind
            story_id, details = alert.story_id, dict(alert.details or {})
        if kind == STORY:
            assert story_id is not None
            story = self.store.stories_by_id([story_id]).get(story_id)
            if story is None:
                self._finish([alert_id], ["the story is no longer stored"], report, final=True)
                return
            message = story_message(rule_id, key, story, self.index)
        else:
            message = health_message(rule_id, key, kind, details, self.index)
        errors, give_up = [], False
        for url in targets:
            if (alert_id, channels.target_id(url)) in done:
                continue
            error, enough = self._deliver(url, message, [alert_id], report)
            if error:
                errors.append(error)
            give_up = give_up or enough
        self._finish([alert_id], errors, report, final=give_up)

    def _send_digest(
        self, rule_id: str, period: Period, ids: list[int], report: SendReport
    ) -> None:
        with Session(self.store.engine) as session:
            alerts = list(
                session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id))
            )
            done = self._delivered(session, ids)
            plan = [(a.id, a.key, a.story_id, list(a.targets)) for a in alerts]
        stories = self.store.stories_by_id([s for _, _, s, _ in plan if s is not None])
        key = alert_key(rule_id, "digest", period.start.isoformat())
        errors: dict[int, list[str]] = {alert_id: [] for alert_id in ids}
        give_up: set[int] = set()
        for url in dict.fromkeys(u for *_, targets in plan for u in targets):
            tid = channels.target_id(url)
            wanted = [
                (alert_id, item_key, stories[story_id])
                for alert_id, item_key, story_id, targets in plan
                if url in targets and (alert_id, tid) not in done and story_id in stories
            ]
            if not wanted:
                continue
            items = [(item_key, story) for _, item_key, story in wanted]
            message = digest_message(rule_id, key, period, items, self.index)
            error, enough = self._deliver(url, message, [a for a, _, _ in wanted], report)
            if error:
                for alert_id, _, _ in wanted:
                    errors[alert_id].append(error)
            if enough:
                give_up.update(a for a, _, _ in wanted)
        for alert_id, _, story_id, _ in plan:
            if story_id is not None and story_id not in stories:
                self._finish([alert_id], ["the story is no longer stored"], report, final=True)
            else:
                self._finish([alert_id], errors[alert_id], report, final=alert_id in give_up)

    @staticmethod
    def _delivered(session: Session, ids: list[int]) -> set[tuple[int, str]]:
        rows = session.execute(
            select(AlertDelivery.alert_id, AlertDelivery.target_id).where(
                AlertDelivery.alert_id.in_(ids)
            )
        )
        return set(rows)

    def _deliver(
        self, url: str, message: Message, alert_ids: list[int], report: SendReport
    ) -> tuple[str | None, bool]:
        """Hand ``message`` to ``url`` and record the answer at once; the error, if any, and
        whether to give up on the alerts: ``url`` has been sent them ``max_unconfirmed``
        times without answering in time."""
        outcome = self.notify(url, message)
        masked = channels.mask(url)
        now = self.clock()
        error = f"{UNCONFIRMED}{outcome.error}" if outcome.unconfirmed else outcome.error
        with Session(self.store.engine) as session, session.begin():
            for alert_id in alert_ids:
                session.add(
                    AlertAttempt(
                        alert_id=alert_id, at=now, target=masked, ok=outcome.ok, error=error
                    )
                )
                if outcome.ok:
                    session.add(
                        AlertDelivery(
                            alert_id=alert_id,
                            target_id=channels.target_id(url),
                            target=masked,
                            delivered_at=now,
                        )
                    )
            unanswered = (
                session.scalar(
                    select(func.count())
                    .select_from(AlertAttempt)
                    .where(
                        AlertAttempt.alert_id == alert_ids[0],
                        AlertAttempt.target == masked,
                        AlertAttempt.error.startswith(UNCONFIRMED),
                    )
                )
                if outcome.unconfirmed
                else 0
            )
        if outcome.ok:
            report.messages += 1
            return None, False
        if outcome.unconfirmed:
            report.unconfirmed += 1
            enough = int(unanswered or 0) >= self.backoff.max_unconfirmed
            logger.warning(
                "alert %s to %s: %s (sent %d times%s)",
                message.key[:12],
                masked,
                outcome.error,
                unanswered,
                ": given up" if enough else ", the same key each time",
            )
            return f"{masked}: {error}", enough
        report.refused += 1
        logger.warning("alert %s to %s: not accepted: %s", message.key[:12], masked, outcome.error)
        return f"{masked}: {outcome.error}", False

    def _finish(
        self, ids: list[int], errors: list[str], report: SendReport, *, final: bool = False
    ) -> None:
        now = self.clock()
        with Session(self.store.engine) as session, session.begin():
            for alert in session.scalars(select(Alert).where(Alert.id.in_(ids))):
                if not errors:
                    alert.status, alert.delivered_at, alert.last_error = DELIVERED, now, None
                    report.delivered += 1
                    continue
                alert.attempts += 1
                alert.last_error = "; ".join(errors)
                if final or alert.attempts >= self.backoff.max_attempts:
                    alert.status = FAILED
                    report.failed += 1
                    report.errors.append(f"alert {alert.id} ({alert.rule_id}): {alert.last_error}")
                else:
                    alert.next_attempt_at = now + self.backoff.delay(alert.attempts)


def deliver_pending(
    store: StoryStore,
    data_dir: Path,
    index: SiteIndex,
    *,
    rules: Rules | None = None,
    backoff: Backoff | None = None,
    wait: float = 0.0,
) -> SendReport:
    """Queue the health alerts ``rules`` call for, then send what is due, unless another
    sender is at work on ``data_dir``."""
    report = SendReport()
    with SenderLock(data_dir) as lock:
        if not lock.acquired:
            report.skipped = f"another sender (pid {lock.holder()}) is delivering alerts"
            return report
        if rules is not None and rules.health_rules:
            report.health_queued = queue_health_alerts(store, rules.health_rules)
        return Sender(store, index, backoff=backoff).run(report, wait=wait)
