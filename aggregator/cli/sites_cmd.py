"""``tinlaodong sites list|check``: what the registry holds, and whether its sites answer."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from aggregator.cli.options import add_sites_option, limit_int, seconds
from aggregator.registry import load_registry
from aggregator.timeshow import iso, show_date, show_time

# The store and the gazetteer are imported when the command runs, not when the command line is
# parsed: `tinlaodong --help` stays quick.
if TYPE_CHECKING:
    from aggregator.registry import Site
    from aggregator.store import SiteActivity


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "sites",
        parents=[parent],
        help="show and check the site registry",
        description="Show the registry and each site's last crawl (same as 'sites list'), or "
        "check that its sites answer ('sites check').",
    )
    add_sites_option(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per site")
    parser.set_defaults(func=list_sites)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser(
        "list",
        parents=[parent],
        help="list the registered sites",
        description="List the sites of the registry (or of --sites FILE): province then and "
        "now, kind, status, profile, first start URL, and from the data directory: last crawl "
        "(Vietnam's time, +07:00), last new story, errors, health, where the site moved.",
    )
    add_sites_option(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per site")
    listing.set_defaults(func=list_sites)
    _register_check(actions, parent)


def _register_check(actions: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    from aggregator.app.sitecheck import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT

    check = actions.add_parser(
        "check",
        parents=[parent],
        help="probe each site's first start URL",
        description="Probe each site's first start URL: reachable (2xx), redirected (3xx, "
        "followed up to 5 times), dead (DNS, refused, timeout, 4xx/5xx) or refused (a "
        "private address for an entry without allow_private_network). A report: exits 0 "
        "unless the registry is invalid.",
    )
    add_sites_option(check)
    check.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="ID",
        help="check only this site (repeatable)",
    )
    check.add_argument(
        "--timeout",
        type=seconds(zero=False),
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds per connection (default {DEFAULT_TIMEOUT:g})",
    )
    check.add_argument(
        "--concurrency",
        type=limit_int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"sites probed at once (default {DEFAULT_CONCURRENCY})",
    )
    check.add_argument("--json", action="store_true", help="one JSON object per site")
    check.set_defaults(func=check_sites)


def list_sites(args: argparse.Namespace) -> int:
    registry = load_registry(args.sites)
    activity = _activity(args.data_dir)
    for site in registry.sites:
        seen = activity.get(site.id)
        if args.json:
            print(json.dumps({**site.to_dict(), **_activity_dict(seen)}, ensure_ascii=False))
        else:
            profile = site.profile or "(none)"
            print(
                f"{site.id:<24} {site.kind:<12} {site.status:<8} {_provinces(site):<34} "
                f"{profile:<10} {site.start_urls[0]}{_activity_text(seen)}"
            )
    return 0


def _activity(data_dir: Path) -> dict[str, SiteActivity]:
    """What the store knows of each site; nothing (and no new database) before a first crawl
    in ./var. A data directory one named must hold a store: a typo is not "never crawled"."""
    from aggregator.paths import is_default_data_dir
    from aggregator.store import open_store, require_store
    from aggregator.store.database import store_exists

    if not store_exists(data_dir) and is_default_data_dir(data_dir):
        return {}
    require_store(data_dir)
    store = open_store(data_dir)
    try:
        return store.site_activity()
    finally:
        store.close()


def _activity_dict(seen: SiteActivity | None) -> dict[str, object]:
    if seen is None:
        return {
            "last_crawl": None,
            "last_new_story": None,
            "stories": 0,
            "errors": 0,
            "unreachable": None,
            "redirected_to": None,
            "healthy": None,
            "health": None,
            "interrupted": None,
        }
    return {
        "last_crawl": iso(seen.last_crawl),
        "last_new_story": iso(seen.last_new_story),
        "stories": seen.stories,
        "errors": seen.last_errors,
        "unreachable": seen.last_unreachable,
        "redirected_to": seen.redirected_to,
        "healthy": seen.healthy,
        "health": seen.health_reason,
        "interrupted": seen.interrupted,
    }


def _activity_text(seen: SiteActivity | None) -> str:
    if seen is not None and seen.last_crawl is None and seen.interrupted:
        return "  (never crawled: its crawl was interrupted; due)"
    if seen is None or seen.last_crawl is None:
        return "  (never crawled)"
    parts = [f"crawled {show_time(seen.last_crawl)}", f"{seen.stories} stories"]
    if seen.last_new_story:
        parts.append(f"last new {show_date(seen.last_new_story)}")
    if seen.last_unreachable:
        parts.append("unreachable")
    if seen.last_errors:
        parts.append(f"{seen.last_errors} errors")
    if seen.redirected_to:
        parts.append(f"moved to {seen.redirected_to}")
    if not seen.healthy:
        parts.append(f"UNHEALTHY: {seen.health_reason}")
    if seen.interrupted:
        parts.append("a later crawl was interrupted: due")
    return "  (" + ", ".join(parts) + ")"


def _provinces(site: Site) -> str:
    """The province as written, and the current one when the 2025 merger changed it."""
    from aggregator.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    current = gazetteer.get(site.current_province_id) if site.current_province_id else None
    if current is None or current.id == site.province_id:
        return site.province
    return f"{site.province} -> {current.name}"


def check_sites(args: argparse.Namespace) -> int:
    from aggregator.app.sitecheck import check_sites as probe

    sites = load_registry(args.sites).select(args.site)
    counts: Counter[str] = Counter()
    started = time.monotonic()
    for result in probe(sites, timeout=args.timeout, concurrency=args.concurrency):
        counts[result.outcome] += 1
        line = json.dumps(result.to_dict(), ensure_ascii=False) if args.json else result.line()
        print(line, flush=True)  # as results arrive: the check is a progress report too
    summary = ", ".join(f"{counts[o]} {o}" for o in ("reachable", "redirected", "dead", "refused"))
    # With --json, stdout stays one object per site; the summary goes to stderr.
    noun = "site" if len(sites) == 1 else "sites"
    print(
        f"{len(sites)} {noun}: {summary} ({time.monotonic() - started:.1f} s)",
        file=sys.stderr if args.json else sys.stdout,
    )
    return 0
