"""Wiring: the rules in force, the queue a crawl writes to, delivery after a crawl and as a
periodic service of ``tinlaodong serve``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from aggregator.alerts.matching import Matcher
from aggregator.alerts.outbox import AlertQueue
from aggregator.alerts.rules import Rules, find_rules, load_rules
from aggregator.alerts.sender import Backoff, SendReport, deliver_pending
from aggregator.registry import Registry, Site
from aggregator.site_index import SiteIndex
from aggregator.store import open_store

logger = logging.getLogger("tinlaodong.alerts")


def rules_in_force(
    data_dir: Path, explicit: Path | str | None = None, sites: Sequence[Site] | None = None
) -> Rules | None:
    """The rules given, else ``DATA_DIR/rules.yaml`` if there is one; validated (site ids
    against ``sites`` when given)."""
    path = find_rules(explicit, data_dir)
    if path is None:
        return None
    known = [s.id for s in sites] if sites is not None else None
    return load_rules(path, known_sites=known)


def alert_queue(rules: Rules | None, sites: Sequence[Site]) -> AlertQueue | None:
    """What the store queues new stories' alerts with; None if no rule watches stories."""
    if rules is None or not rules.story_rules:
        return None
    return AlertQueue(Matcher(rules, {s.id: s for s in sites}))


def deliver(
    data_dir: Path,
    registry: Registry,
    rules: Rules | None,
    *,
    wait: float = 0.0,
    backoff: Backoff | None = None,
) -> SendReport:
    """Send the pending alerts of ``data_dir`` (and queue the health alerts ``rules`` ask)."""
    store = open_store(data_dir)
    try:
        report = deliver_pending(
            store, data_dir, SiteIndex(registry.sites), rules=rules, backoff=backoff, wait=wait
        )
    finally:
        store.close()
    if report.skipped:
        logger.info("alerts: %s", report.skipped)
    elif report.messages or report.refused or report.unconfirmed or report.health_queued:
        logger.info(
            "alerts: %d messages accepted, %d refused, %d unanswered in time; %d alerts "
            "delivered, %d to retry, %d failed",
            report.messages,
            report.refused,
            report.unconfirmed,
            report.delivered,
            report.retrying,
            report.failed,
        )
    return report
