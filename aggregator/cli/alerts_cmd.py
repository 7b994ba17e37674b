"""``tinlaodong alerts``: deliver, try out, inspect and retry the alerts of watch rules.

The rules are ``--rules FILE``, else ``DATA_DIR/rules.yaml``; see ``aggregator.alerts.rules``.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aggregator.cli.options import add_since_option, add_sites_option, record_id, seconds
from aggregator.exceptions import ConfigError
from aggregator.timeshow import iso, iso_when, show_time, show_when

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
        type=seconds(zero=True),
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
        description="Match stored stories against each rule of RULES and list them: those "
        "first seen within --seen-within (what a crawl would have alerted about; 7d unless "
        "--since is given), and published since --since; health rules list the sites they "
        "would alert about now. Nothing is queued or sent.",
    )
    test.add_argument("rules", type=Path, metavar="RULES", help="a rules file (YAML)")
    test.add_argument(
        "--seen-within",
        metavar="AGE",
        help="only stories first seen (stored by a crawl) within AGE: 12h, 7d, 2w (default 7d "
        "without --since, else any time)",
    )
    add_since_option(test)
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
    again.add_argument(
        "ids", type=record_id, nargs="*", metavar="ID", help="alert ids (default: all)"
    )
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
            f"{report.messages} messages accepted, {report.refused} refused"
            + (
                f", {report.unconfirmed} not answered in time (the receiver may have them)"
                if report.unconfirmed
                else ""
            )
            + "; alerts: "
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
    from sqlalchemy import func, select
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
    seen_within = args.seen_within or (None if args.since else "7d")
    try:
        age = parse_duration(seen_within) if seen_within else None
    except ValueError as exc:
        raise ConfigError(f"--seen-within: {exc}") from None
    require_store(args.data_dir)
    index = SiteIndex(registry.sites)
    store = open_store(args.data_dir)
    try:
        query = select(Story.id)
        if age is not None:
            query = query.where(Story.first_seen >= datetime.now(UTC).replace(tzinfo=None) - age)
        if args.since is not None:
            # Publication date, as --since is in stories and search: an undated story's is
            # when it was first seen.
            day_of = func.coalesce(Story.published, Story.first_seen)
            query = query.where(day_of >= args.since.astimezone(UTC).replace(tzinfo=None))
        with Session(store.engine) as session:
            ids = list(session.scalars(query))
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
                since = show_time(datetime.fromisoformat(str(found["since"])))
                what = found.get("reason") or f"silent since {since}"
                print(f"  {found['site_id']}: {what}")
            continue
        print(f"{rule.id}: {len(matched[rule.id])} of {len(stories)} stories {_which(args)}")
        for story in matched[rule.id]:
            when = show_when(story.published, story.date_only) or "(no date)"
            print(f"  {when}  {story.title}  <{story.sources[0].url}>")
    return 0


def _which(args: argparse.Namespace) -> str:
    """Which stories were tried, as the options chose them."""
    parts = []
    if args.seen_within or not args.since:
        parts.append(f"seen within {args.seen_within or '7d'}")
    if args.since:
        parts.append(f"published since {show_time(args.since)}")
    return " and ".join(parts)


def _test_dict(
    rule_id: str, stories: list[StoryView], sites: list[dict[str, Any]], index: SiteIndex
) -> dict[str, Any]:
    return {
        "rule": rule_id,
        "stories": [
            {
                "id": s.id,
                "title": s.title,
                "published": iso_when(s.published, s.date_only),
                "first_seen": iso(s.first_seen),
                "link": s.sources[0].url,
                "sites": [src.site_id for src in s.sources],
            }
            for s in stories
        ],
        # The outbox keeps each finding's since as naive UTC; shown, it is local.
        "health": [{**f, "since": iso(datetime.fromisoformat(f["since"]))} for f in sites],
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
        "created": iso(state.created),
        "next_attempt": iso(state.next_attempt_at) if state.status == PENDING else None,
        "delivered": iso(state.delivered_at),
        "last_error": state.last_error,
    }


def _state_line(state: AlertState) -> str:
    from aggregator.alerts.outbox import DELIVERED, PENDING

    line = (
        f"#{state.id} {state.status:<9} {state.rule_id}: {state.subject[:60]} "
        f"({state.delivered_to}/{state.targets} targets, {state.attempts} attempts)"
    )
    if state.status == PENDING and state.attempts:
        line += f", next {show_time(state.next_attempt_at, '%d/%m/%Y %H:%M:%S')}"
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
