"""Periodic services run by the same scheduler as the crawls (alert senders, clean-ups).

A service is code, not data: it is registered afresh at each start in an in-memory job store
(never pickled into the database), runs on a thread pool of its own so that a long crawl does
not hold it up, at most one instance at a time, and only in the ``serve`` process that holds
the scheduler lock (so two processes never send the same alert). ``serve --once`` runs each
service once, after the crawls. A service that raises is logged and runs again next time.

To add one, return it from :func:`default_services`::

    Service("alerts", timedelta(minutes=15), send_alerts)  # send_alerts(ctx: ServiceContext)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aggregator.alerts import SendReport, deliver, rules_in_force
from aggregator.paths import feeds_dir
from aggregator.registry import Registry
from aggregator.store import open_store
from feeds.publish import update_feeds


@dataclass(frozen=True)
class ServiceContext:
    """What a service gets: where the store and feeds are, and the registry being crawled."""

    data_dir: Path
    registry: Registry


@dataclass(frozen=True)
class Service:
    name: str  # the job id is ``service:<name>``
    every: timedelta
    run: Callable[[ServiceContext], object]


SERVICE_PREFIX = "service:"


def send_alerts(ctx: ServiceContext) -> SendReport:
    """The ``alerts`` service of ``tinlaodong serve``: health alerts, then delivery."""
    rules = rules_in_force(ctx.data_dir, None, ctx.registry.sites)
    return deliver(ctx.data_dir, ctx.registry, rules)


ALERTS_EVERY = timedelta(minutes=2)


def default_services() -> list[Service]:
    """The services ``tinlaodong serve`` runs beside the crawls: the alert sender (health
    alerts, then whatever is pending and due), every couple of minutes."""
    return [Service("alerts", ALERTS_EVERY, send_alerts)]


# How often ``serve --no-crawl`` brings the feeds up to date with what others stored.
FEEDS_EVERY = timedelta(minutes=2)


def publish_feeds(context: ServiceContext) -> None:
    """Bring the feeds of the data directory up to date with the store (a feed whose stories
    did not change is not rewritten): for a server whose store workers or crawls on other
    machines fill."""
    store = open_store(context.data_dir)
    try:
        update_feeds(store, context.registry.sites, feeds_dir(context.data_dir))
    finally:
        store.close()


def serving_services() -> list[Service]:
    """What ``serve --no-crawl`` runs: the feeds kept up to date, and the alert sender."""
    return [Service("feeds", FEEDS_EVERY, publish_feeds), *default_services()]
