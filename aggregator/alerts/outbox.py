"""The outbox: alerts queued in the store, what the sender takes from, what ``alerts status``
shows.

A story's alerts are written by :class:`AlertQueue`, which the store calls inside the
transaction that stores a new story or a new source of one (``StoryStore.add_article(...,
outbox=...)``): the story and its alerts are committed together or not at all, so a crash can
lose neither one without the other. One alert per (rule, story), queued the first time the
story matches the rule, whichever of its sources makes it match (a rule's ``sites:`` or
``provinces:`` may match only a later copy); writers take turns, so the check is not racy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from aggregator.alerts.matching import Matcher, StoryFacts
from aggregator.alerts.rules import Rule, Rules
from aggregator.store import StoryStore
from aggregator.store.schema import Alert, AlertDelivery, CrawlRun, Source, Story

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
STORY, UNHEALTHY, SILENT = "story", "unhealthy", "silent"
_Details = dict[str, str | int | None]
HealthFinding = tuple[Rule, str, _Details, str]  # rule, kind, details, key


def utcnow() -> datetime:
    """Now, as the store keeps times: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def alert_key(rule_id: str, *subject: str) -> str:
    """The idempotency key: sha256 of the rule id and what the alert is about (the story's
    content hash; a site and the start of its streak)."""
    return hashlib.sha256("\x1f".join((rule_id, *subject)).encode()).hexdigest()


class AlertQueue:
    """Queues an alert for each rule a story matches, with every source it has now, that has
    none for it yet (the store's ``Outbox``)."""

    def __init__(self, matcher: Matcher, clock: Callable[[], datetime] = utcnow) -> None:
        self.matcher = matcher
        self.clock = clock

    def queue(self, session: Session, story: Story, site_id: str) -> int:
        site_ids = session.scalars(
            select(Source.site_id).where(Source.story_id == story.id).order_by(Source.id)
        ).all()
        facts = StoryFacts(story.title, story.text, tuple(dict.fromkeys([*site_ids, site_id])))
        rules = self.matcher.matching(facts)
        if rules:
            queued = set(session.scalars(select(Alert.rule_id).where(Alert.story_id == story.id)))
            rules = [rule for rule in rules if rule.id not in queued]
        now = self.clock()
        for rule in rules:
            session.add(
                Alert(
                    rule_id=rule.id,
                    story_id=story.id,
                    key=alert_key(rule.id, story.content_hash),
                    kind=STORY,
                    details=None,
                    targets=list(rule.notify),
                    digest=rule.digest,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created=now,
                )
            )
        if rules:
            session.flush()
        return len(rules)


def queue_health_alerts(
    store: StoryStore, rules: Sequence[Rule], now: datetime | None = None
) -> int:
    """Queue an alert for each site a health rule watches that became unhealthy or silent,
    once per streak (the key holds the streak's start). Returns how many were new."""
    now = now or utcnow()
    return _insert_health(store.engine, health_findings(store, rules, now), now)


def health_findings(
    store: StoryStore, rules: Sequence[Rule], now: datetime | None = None
) -> list[HealthFinding]:
    """What the health rules would alert about now: (rule, kind, details, key)."""
    now = now or utcnow()
    wanted: list[HealthFinding] = []
    watch_unhealthy = any(r.health and r.health.unhealthy for r in rules)
    watch_silent = any(r.health and r.health.silent_days for r in rules)
    unhealthy = store.unhealthy_sites() if watch_unhealthy else []
    silent = _silent_since(store) if watch_silent else {}
    for rule in rules:
        assert rule.health is not None
        watched = [u for u in unhealthy if not rule.sites or u.site_id in rule.sites]
        for u in watched if rule.health.unhealthy else []:
            start = _naive_utc(u.since).isoformat()
            key = alert_key(rule.id, UNHEALTHY, u.site_id, start)
            details: _Details = {"site_id": u.site_id, "reason": u.reason, "since": start}
            wanted.append((rule, UNHEALTHY, details, key))
        days = rule.health.silent_days
        if days is None:
            continue
        for site_id, since in silent.items():
            if (rule.sites and site_id not in rule.sites) or now - since < timedelta(days=days):
                continue
            key = alert_key(rule.id, SILENT, site_id, since.isoformat())
            details = {"site_id": site_id, "since": since.isoformat(), "days": days}
            wanted.append((rule, SILENT, details, key))
    return wanted


def _insert_health(engine: Engine, wanted: list[HealthFinding], now: datetime) -> int:
    if not wanted:
        return 0
    added = 0
    with Session(engine) as session, session.begin():
        known = set(session.scalars(select(Alert.key).where(Alert.key.in_([w[3] for w in wanted]))))
        for rule, kind, details, key in wanted:
            if key in known:
                continue
            known.add(key)
            session.add(
                Alert(
                    rule_id=rule.id,
                    story_id=None,
                    key=key,
                    kind=kind,
                    details=details,
                    targets=list(rule.notify),
                    digest=rule.digest,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created=now,
                )
            )
            added += 1
    return added


def _silent_since(store: StoryStore) -> dict[str, datetime]:
    """Per site crawled since its last new story: that story's time (naive UTC), or the
    site's first crawl if it never had one."""
    with Session(store.engine) as session:
        query = select(CrawlRun.site_id, func.min(CrawlRun.started)).group_by(CrawlRun.site_id)
        first = {site_id: started for site_id, started in session.execute(query)}
    found = {}
    for site_id, activity in store.site_activity().items():
        if activity.last_crawl is None:
            continue
        last_story = _naive_utc(activity.last_new_story) if activity.last_new_story else None
        since = last_story or first.get(site_id)
        if since is not None and _naive_utc(activity.last_crawl) > since:
            found[site_id] = since
    return found


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


@dataclass(frozen=True)
class AlertState:
    """One alert as ``alerts status`` shows it (times naive UTC)."""

    id: int
    rule_id: str
    kind: str
    subject: str  # the story's title, or the site
    key: str
    status: str
    attempts: int
    targets: int
    delivered_to: int
    created: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None


def alert_states(
    engine: Engine, statuses: Iterable[str] | None = None, limit: int = 200
) -> list[AlertState]:
    """Alerts, the undelivered first, then the latest."""
    delivered = (
        select(AlertDelivery.alert_id, func.count().label("n"))
        .group_by(AlertDelivery.alert_id)
        .subquery()
    )
    query = (
        select(Alert, Story.title, delivered.c.n)
        .outerjoin(Story, Story.id == Alert.story_id)
        .outerjoin(delivered, delivered.c.alert_id == Alert.id)
        .order_by((Alert.status == DELIVERED), Alert.id.desc())
        .limit(limit)
    )
    if statuses is not None:
        query = query.where(Alert.status.in_(list(statuses)))
    with Session(engine) as session:
        return [
            AlertState(
                id=alert.id,
                rule_id=alert.rule_id,
                kind=alert.kind,
                subject=title or str((alert.details or {}).get("site_id", "")),
                key=alert.key,
                status=alert.status,
                attempts=alert.attempts,
                targets=len(alert.targets),
                delivered_to=int(n or 0),
                created=alert.created,
                next_attempt_at=alert.next_attempt_at,
                delivered_at=alert.delivered_at,
                last_error=alert.last_error,
            )
            for alert, title, n in session.execute(query)
        ]


def status_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.execute(select(Alert.status, func.count()).group_by(Alert.status))
        counts = {PENDING: 0, DELIVERED: 0, FAILED: 0}
        counts.update({status: int(n) for status, n in rows})
        return counts


def retry(engine: Engine, ids: Sequence[int] = (), rules: Rules | None = None) -> int:
    """Put failed alerts (those of ``ids``, else all) back in the queue, due now, with their
    rule's current targets if ``rules`` still has it. Returns how many."""
    now = utcnow()
    with Session(engine) as session, session.begin():
        query = select(Alert).where(Alert.status == FAILED)
        if ids:
            query = query.where(Alert.id.in_(list(ids)))
        alerts = list(session.scalars(query))
        for alert in alerts:
            rule = rules.by_id.get(alert.rule_id) if rules else None
            if rule is not None:
                alert.targets = list(rule.notify)
                alert.digest = rule.digest
            alert.status, alert.attempts, alert.next_attempt_at = PENDING, 0, now
    return len(alerts)
