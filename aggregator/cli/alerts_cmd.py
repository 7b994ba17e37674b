"""``tinlaodong alerts``: deliver, try out, inspect and retry the alerts of watch rules.

The rules are ``--rules FILE``, else ``DATA_DIR/rules.yaml``; see ``aggregator.alerts.rules``.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aggregator.cli.options import add_sites_option
from aggregator.exceptions import ConfigError

# The alert channels (apprise), the store and the matcher are imported when an action runs,
# not when the command line is parsed: `tinlaodong --help` stays quick.
if TYPE_CHECKING:
    from aggregator.alerts.outbox import AlertState
    from aggregator.alerts.rules import Rules
    from aggregator.site_index import SiteIndex
    from aggregator.store import StoryView


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "alerts",
        parents=[parent],
        help="deliver, test, inspect and retry the alerts of watch rules",
        description="Alerts of the watch rules (--rules FILE, else DATA_DIR/rules.yaml): "
        "queued by the crawl that stores a matching story, delivered through apprise.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    send = actions.add_parser(
        "send",
        parents=[parent],
        help="deliver the pending alerts",
        description="Queue the site-health alerts the rules ask for, then deliver every "
        "pending alert that is due. A target that does not accept is tried again later "
        "(backoff); with --wait, within this run.",
    )
    _rules_options(send)
    send.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="S",
        help="keep retrying refused alerts for up to S seconds (default: one pass)",
    )
    send.add_argument("--json", action="store_true", help="print the outcome as JSON")
    send.set_defaults(func=send_command)

    test = actions.add_parser(
        "test",
        parents=[parent],
        help="which stored stories each rule would have matched (sends nothing)",
        description="Match the stories first seen within --since against each rule of "
        "RULES and list them; health rules list the sites they would alert about now. "
        "Nothing is queued or sent.",
    )
    test.add_argument("rules", type=Path, metavar="RULES", help="a rules file (YAML)")
    test.add_argument(
        "--since", default="7d", metavar="AGE", help="stories seen within AGE: 12h, 7d, 2w (7d)"
    )
    add_sites_option(test)
    test.add_argument("--json", action="store_true", help="one JSON object per rule")
    test.set_defaults(func=test_command)

    status = actions.add_parser(
        "status",
        parents=[parent],
        help="alerts pending, failed and delivered",
        description="Counts by status, then the alerts not delivered (pending, failed) with "
        "their attempts and last error; --all lists the delivered ones too.",
    )
    status.add_argument("--all", action="store_true", help="list delivered alerts too")
    status.add_argument("--json", action="store_true", help="one JSON object per alert")
    status.set_defaults(func=status_command)

    again = actions.add_parser(
        "retry",
        parents=[parent],
        help="queue failed alerts again",
        description="Put failed alerts (those named, else all) back in the queue, due now, "
        "with their rule's current targets if the rules file still has the rule.",
    )
    again.add_argument("ids", type=int, nargs="*", metavar="ID", help="alert ids (default: all)")
    _rules_options(again)
    again.set_defaults(func=retry_command)


def _rules_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules", type=Path, help="the rules file (default: DATA_DIR/rules.yaml if present)"
    )
    add_sites_option(parser)


def send_command(args: argparse.Namespace) -> int:
    from aggregator.alerts import deliver, rules_in_force
    from aggregator.registry import load_registry
    from aggregator.store import require_store

    registry = load_registry(args.sites)
    require_store(args.data_dir)
    rules = rules_in_force(args.data_dir, args.rules, registry.sites)
    report = deliver(args.data_dir, registry, rules, wait=max(args.wait, 0.0))
    if args.json:
        print(json.dumps(report.__dict__, ensure_ascii=False))
    elif report.skipped:
        print(f"nothing sent: {report.skipped}")
    else:
        print(
            f"{report.messages} messages accepted, {report.refused} refused; alerts: "
            f"{report.delivered} delivered, {report.retrying} pending, {report.failed} failed"
            + (
                f"; {report.health_queued} site-health alerts queued"
                if report.health_queued
                else ""
            )
        )
        for error in report.errors:
            print(f"  failed: {error}")
    return 0


def test_command(args: argparse.Namespace) -> int:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from aggregator.alerts.matching import Matcher, StoryFacts
    from aggregator.alerts.outbox import health_findings
    from aggregator.alerts.rules import load_rules
    from aggregator.registry import load_registry, parse_duration
    from aggregator.site_index import SiteIndex
    from aggregator.store import open_store, require_store
    from aggregator.store.schema import Story

    registry = load_registry(args.sites)
    rules = load_rules(args.rules, known_sites=[s.id for s in registry.sites])
    try:
        age = parse_duration(args.since)
    except ValueError as exc:
        raise ConfigError(f"--since: {exc}") from None
    require_store(args.data_dir)
    index = SiteIndex(registry.sites)
    store = open_store(args.data_dir)
    try:
        cutoff = datetime.now(UTC).replace(tzinfo=None) - age
        with Session(store.engine) as session:
            ids = list(session.scalars(select(Story.id).where(Story.first_seen >= cutoff)))
        stories = sorted(store.stories_by_id(ids).values(), key=lambda s: s.id)
        findings = health_findings(store, rules.health_rules)
    finally:
        store.close()
    matcher = Matcher(rules, index.sites)
    matched: dict[str, list[StoryView]] = {rule.id: [] for rule in rules.rules}
    for story in stories:
        facts = StoryFacts(story.title, story.text, tuple(s.site_id for s in story.sources))
        for rule in matcher.matching(facts):
            matched[rule.id].append(story)
    for rule in rules.rules:
        sites = [f[2] for f in findings if f[0].id == rule.id]
        if args.json:
            print(
                json.dumps(_test_dict(rule.id, matched[rule.id], sites, index), ensure_ascii=False)
            )
            continue
        if rule.health is not None:
            print(f"{rule.id}: {len(sites)} site-health alerts now")
            for found in sites:
                what = found.get("reason") or f"silent since {found['since']}"
                print(f"  {found['site_id']}: {what}")
            continue
        print(
            f"{rule.id}: {len(matched[rule.id])} of {len(stories)} stories seen within {args.since}"
        )
        for story in matched[rule.id]:
            when = f"{story.published:%Y-%m-%d}" if story.published else "(no date)"
            print(f"  {when}  {story.title}  <{story.sources[0].url}>")
    return 0


def _test_dict(
    rule_id: str, stories: list[StoryView], sites: list[dict[str, Any]], index: SiteIndex
) -> dict[str, Any]:
    return {
        "rule": rule_id,
        "stories": [
            {
                "id": s.id,
                "title": s.title,
                "published": s.published.isoformat() if s.published else None,
                "link": s.sources[0].url,
                "sites": [src.site_id for src in s.sources],
            }
            for s in stories
        ],
        "health": sites,
    }


def status_command(args: argparse.Namespace) -> int:
    from aggregator.alerts.outbox import DELIVERED, FAILED, PENDING, alert_states, status_counts
    from aggregator.store import open_store, require_store

    require_store(args.data_dir)
    store = open_store(args.data_dir)
    try:
        counts = status_counts(store.engine)
        statuses = None if args.all else (PENDING, FAILED)
        states = alert_states(store.engine, statuses)
    finally:
        store.close()
    if args.json:
        for state in states:
            print(json.dumps(_state_dict(state), ensure_ascii=False))
        return 0
    print(
        f"alerts: {counts[PENDING]} pending, {counts[FAILED]} failed, {counts[DELIVERED]} delivered"
    )
    for state in states:
        print(_state_line(state))
    return 0


def _local(value: datetime | None) -> str | None:
    from aggregator.store.repository import LOCAL_TZ

    return value.replace(tzinfo=UTC).astimezone(LOCAL_TZ).isoformat() if value else None


def _state_dict(state: AlertState) -> dict[str, Any]:
    from aggregator.alerts.outbox import PENDING

    return {
        "id": state.id,
        "rule": state.rule_id,
        "kind": state.kind,
        "subject": state.subject,
        "idempotency_key": state.key,
        "status": state.status,
        "attempts": state.attempts,
        "targets": state.targets,
        "delivered_to": state.delivered_to,
        "created": _local(state.created),
        "next_attempt": _local(state.next_attempt_at) if state.status == PENDING else None,
        "delivered": _local(state.delivered_at),
        "last_error": state.last_error,
    }


def _state_line(state: AlertState) -> str:
    from aggregator.alerts.outbox import DELIVERED, PENDING
    from aggregator.store.repository import LOCAL_TZ

    line = (
        f"#{state.id} {state.status:<9} {state.rule_id}: {state.subject[:60]} "
        f"({state.delivered_to}/{state.targets} targets, {state.attempts} attempts)"
    )
    if state.status == PENDING and state.attempts:
        line += f", next {state.next_attempt_at.replace(tzinfo=UTC).astimezone(LOCAL_TZ):%H:%M:%S}"
    if state.last_error and state.status != DELIVERED:
        line += f"\n    last error: {state.last_error}"
    return line


def retry_command(args: argparse.Namespace) -> int:
    from aggregator.alerts import rules_in_force
    from aggregator.alerts.outbox import retry
    from aggregator.registry import load_registry
    from aggregator.store import open_store, require_store

    require_store(args.data_dir)
    rules: Rules | None = rules_in_force(args.data_dir, args.rules, load_registry(args.sites).sites)
    store = open_store(args.data_dir)
    try:
        count = retry(store.engine, args.ids, rules)
    finally:
        store.close()
    print(f"{count} failed alerts queued again (tinlaodong alerts send delivers them)")
    return 0
