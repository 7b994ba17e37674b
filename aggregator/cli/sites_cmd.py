"""``tinlaodong sites list|show|check|apply``: what the registry holds and on what evidence,
whether its sites answer, and what a check saw written back into the registry file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from aggregator.cli.options import action_parent, add_sites_option, limit_int, seconds
from aggregator.registry import default_registry_path, load_registry
from aggregator.timeshow import iso, show_date, show_time

# The store and the gazetteer are imported when the command runs, not when the command line is
# parsed: `tinlaodong --help` stays quick.
if TYPE_CHECKING:
    from aggregator.app.sitecheck_report import Report
    from aggregator.registry import Site
    from aggregator.store import SiteActivity


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "sites",
        parents=[parent],
        help="show and check the site registry",
        description="Show the registry and each site's last crawl (same as 'sites list'), one "
        "site's evidence ('sites show ID'), check that the sites answer ('sites check') and "
        "write what a check saw into the registry file ('sites apply').",
    )
    add_sites_option(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per site")
    parser.set_defaults(func=list_sites)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    # The group's options work before the action word as well as after it.
    parent = action_parent(parent)
    listing = actions.add_parser(
        "list",
        parents=[parent],
        help="list the registered sites",
        description="List the sites of the registry (or of --sites FILE): province then and "
        "now, kind, status, profile, whether the host is confirmed by evidence (and how many "
        "evidence items it has), first start URL, and from the data directory: last crawl "
        "(Vietnam's time, +07:00), last new story, errors, health, where the site moved.",
    )
    add_sites_option(listing, in_action=True)
    listing.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="one JSON object per site, evidence and searches too",
    )
    listing.set_defaults(func=list_sites)
    show = actions.add_parser(
        "show",
        parents=[parent],
        help="one site's entry with its evidence in full",
        description="Print one site's entry: start URLs, profile, where the URL comes from, "
        "confirmed or not, and each evidence item (where it was seen, the query that finds it "
        "again, what it shows, confirms or hint, the CMS it shows), or the queries that found "
        "nothing.",
    )
    add_sites_option(show, in_action=True)
    show.add_argument("site_id", metavar="ID", help="the site's id")
    show.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="the entry as JSON"
    )
    show.set_defaults(func=show_site)
    _register_check(actions, parent)
    _register_apply(actions, parent)


def _register_check(actions: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    from aggregator.app.sitecheck import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT

    check = actions.add_parser(
        "check",
        parents=[parent],
        help="probe each site's first start URL",
        description="Probe each site's first start URL: reachable (2xx), redirected (3xx, "
        "followed up to 5 times; permanent when all are 301/308), dead (DNS, refused, timeout, "
        "4xx/5xx) or refused (a private address for an entry without allow_private_network), "
        "and the CMS its page's markup shows. A report: exits 0 unless the registry is "
        "invalid. --report FILE keeps what was seen; --update writes it into the registry "
        "file (see 'sites apply').",
    )
    add_sites_option(check, in_action=True)
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
    check.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="one JSON object per site"
    )
    check.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="write what was seen to FILE (JSON; YAML for a .yaml or .yml name), for "
        "'sites apply FILE'",
    )
    check.add_argument(
        "--update",
        action="store_true",
        help="then write what was seen into the registry file checked (--sites FILE, else "
        "the one the data directory was last crawled with, else the built-in "
        "aggregator/sites.yaml), as 'sites apply' does",
    )
    check.set_defaults(func=check_sites)


def _register_apply(actions: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    apply = actions.add_parser(
        "apply",
        parents=[parent],
        help="write a 'sites check --report' into the registry file",
        description="Apply a report of 'sites check --report FILE' to the registry file "
        "(--sites FILE, else the one the data directory was last crawled with, else the "
        "built-in aggregator/sites.yaml). A site that answered gets a "
        "confirming evidence item 'sites check DAY: answered ...', confirmed: true and the "
        "profile its markup showed; one permanently redirected to another host gets that "
        "host (or status: moved and moved_to, where another entry has the host). Dead sites "
        "are left as they are. Only the changed entries' lines are rewritten: comments and "
        "layout stay.",
    )
    add_sites_option(apply, in_action=True)
    apply.add_argument("report", type=Path, metavar="REPORT", help="the report file")
    apply.set_defaults(func=apply_report)


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
                f"{profile:<10} {_confirmation(site):<15} {site.start_urls[0]}"
                f"{_activity_text(seen)}"
            )
    if not args.json:
        print(_evidence_counts(registry.sites))
    return 0


def _evidence_counts(sites: Sequence[Site]) -> str:
    """How many entries are confirmed, rest on hints, or have no evidence."""
    confirmed = sum(1 for site in sites if site.confirmed)
    hints = sum(1 for site in sites if not site.confirmed and site.evidence)
    return (
        f"{len(sites)} sites: {confirmed} confirmed, {hints} with hints only, "
        f"{len(sites) - confirmed - hints} with no evidence"
    )


def _confirmation(site: Site) -> str:
    """confirmed or unconfirmed, with the count of evidence items."""
    state = "confirmed" if site.confirmed else "unconfirmed"
    return f"{state} ({len(site.evidence)})"


def show_site(args: argparse.Namespace) -> int:
    site = load_registry(args.sites).get(args.site_id)
    if args.json:
        print(json.dumps(site.to_dict(), ensure_ascii=False))
        return 0
    print(f"{site.id}: {site.name} ({_provinces(site)}; {site.kind}, {site.status})")
    for url in site.start_urls:
        print(f"  start URL: {url}")
    if site.moved_to:
        print(f"  moved to: {site.moved_to}")
    print(f"  profile: {site.profile or '(none: recognised from each page)'}")
    print(f"  URL from: {site.url_source or '(not said)'}")
    print(f"  {'confirmed' if site.confirmed else 'unconfirmed'}", end="")
    print(f": {len(site.evidence)} evidence item{'' if len(site.evidence) == 1 else 's'}")
    for number, item in enumerate(site.evidence, start=1):
        cms = f", {item.cms}" if item.cms else ""
        print(f"  {number}. {item.strength}{cms}: {item.shows}")
        print(f"     where: {item.where}")
        if item.query:
            print(f"     found by: {item.query}")
    if site.searched:
        print(f"  searched ({len(site.searched)}):")
        for query in site.searched:
            print(f"     {query}")
    elif not site.evidence:
        print("  searched: no record of a search")
    if site.notes:
        print(f"  notes: {site.notes}")
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
    if args.report:
        # Before the probe, not after minutes of it.
        _writable_report(args.report, args.sites or default_registry_path())
    counts: Counter[str] = Counter()
    started = time.monotonic()
    checked = datetime.now(UTC).date().isoformat()
    results = []
    for result in probe(sites, timeout=args.timeout, concurrency=args.concurrency):
        counts[result.outcome] += 1
        results.append(result)
        line = json.dumps(result.to_dict(), ensure_ascii=False) if args.json else result.line()
        print(line, flush=True)  # as results arrive: the check is a progress report too
    summary = ", ".join(f"{counts[o]} {o}" for o in ("reachable", "redirected", "dead", "refused"))
    # With --json, stdout stays one object per site; the summary goes to stderr.
    noun = "site" if len(sites) == 1 else "sites"
    print(
        f"{len(sites)} {noun}: {summary} ({time.monotonic() - started:.1f} s)",
        file=sys.stderr if args.json else sys.stdout,
    )
    if args.report or args.update:
        from aggregator.app.sitecheck_report import Report, write_report

        order = {site.id: n for n, site in enumerate(sites)}
        results.sort(key=lambda r: order[r.id])  # registry order: a report to read and diff
        if args.report:
            try:
                write_report(args.report, results, checked)
            except OSError as exc:
                from aggregator.exceptions import ConfigError

                raise ConfigError(f"--report {args.report}: not written: {exc}") from None
            print(f"report: {args.report}", file=sys.stderr)
        if args.update:
            report = Report(checked, tuple(r.to_dict() for r in results))
            _apply(args.sites or default_registry_path(), report, sys.stderr)
    return 0


def _writable_report(path: Path, registry: Path) -> None:
    """A report goes to a new or regular file other than the registry, in a directory where
    a file can be made (it is written beside, then renamed)."""
    import os
    import stat
    import tempfile

    from aggregator.exceptions import ConfigError

    if path.is_dir():
        raise ConfigError(f"--report {path}: a directory, not a file name")
    if not path.parent.is_dir():
        raise ConfigError(f"--report {path}: no directory {path.parent}")
    if path.resolve() == registry.resolve() or (
        path.exists() and registry.exists() and os.path.samefile(path, registry)
    ):
        raise ConfigError(f"--report {path}: the registry file itself ({registry}), not a report")
    if path.is_symlink() or path.exists():
        mode = path.lstat().st_mode if not path.exists() else path.stat().st_mode
        if not stat.S_ISREG(mode):
            raise ConfigError(f"--report {path}: exists and is not a regular file")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.resolve().parent)
    except OSError as exc:
        raise ConfigError(f"--report {path}: cannot write there: {exc.strerror}") from None
    os.close(fd)
    os.unlink(tmp)


def apply_report(args: argparse.Namespace) -> int:
    from aggregator.app.sitecheck_report import read_report

    _apply(args.sites or default_registry_path(), read_report(args.report), sys.stdout)
    return 0


def _apply(registry: Path, report: Report, out: TextIO) -> None:
    from aggregator.app.sitecheck_report import apply_report

    outcomes = apply_report(registry, report)
    for outcome in outcomes:
        print(f"{outcome.site_id}: {outcome.text}", file=out)
    changed = sum(1 for outcome in outcomes if outcome.changed)
    if changed:
        print(f"{registry}: {changed} of {len(outcomes)} sites updated", file=out)
    else:
        print(f"{registry}: unchanged", file=out)
