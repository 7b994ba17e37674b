"""``tinlaodong crawl``: crawl the registry (or a file of one's own), store, update the feeds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aggregator.cli.options import (
    add_no_throttle_option,
    add_settings_option,
    add_site_options,
    parse_settings,
)


# The crawl job and its modules (Scrapy, the store, the alerts) are imported when a crawl runs,
# not when the command line is parsed: `tinlaodong <any command> --help` stays quick.
def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "crawl",
        parents=[parent],
        help="crawl the sites of the registry, store new stories, update the feeds",
        description=(
            "Crawl every site of the registry (or those named by --site), store each new story "
            "once, and bring the feeds in the data directory up to date. Exits 1 only if every "
            "site failed. Stopped by Ctrl-C or SIGTERM, it records the sites it finished, says "
            "which it did not (they stay due) and exits 130 or 143."
        ),
    )
    add_site_options(parser)
    parser.add_argument(
        "--all",
        action="store_true",
        help="crawl every selected site now, not only those due (see crawl_every)",
    )
    parser.add_argument(
        "--rules",
        type=Path,
        help="watch rules (YAML): queue an alert for each new story one matches, deliver "
        "them when the crawl ends (default: DATA_DIR/rules.yaml if present)",
    )
    add_settings_option(parser)
    add_no_throttle_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aggregator.app.tuning import collector_tuned

    # From the start: most of what this process allocates before the crawl, the modules it
    # imports first, lives until it ends.
    with collector_tuned():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from aggregator.alerts.service import rules_in_force
    from aggregator.app.crawl_job import CrawlJob, due_sites, unthrottled
    from aggregator.cli.reporting import interruption_line, print_outcome
    from aggregator.cli.sites_file import remember_sites_file
    from aggregator.registry import load_registry

    registry = load_registry(args.sites)
    sites = registry.select(args.site_ids)
    # Read before anything else: a mistyped or broken rules file is an error even on a run
    # that finds nothing due (CrawlJob reads it again, cheaply, when it starts).
    rules_in_force(args.data_dir, args.rules, registry.sites)
    overrides: dict[str, object] = dict(parse_settings(args.settings))
    if args.no_throttle:
        overrides = unthrottled(overrides)
    if not (args.site_ids or args.all):
        sites = due_sites(sites, args.data_dir)
        if not sites:
            print("no site is due (each is crawled every crawl_every; --all crawls them now)")
            return 0
    if args.sites is not None:
        remember_sites_file(args.data_dir, args.sites)
        # The crawl's alert matcher reads the registry a rule's provinces: refer to.
        overrides.setdefault("TINLAODONG_SITES_FILE", str(Path(args.sites).resolve()))
    job = CrawlJob(
        args.data_dir, sites, feed_sites=registry.sites, rules_file=args.rules, overrides=overrides
    )
    outcome = job.run()
    print_outcome(outcome, args.data_dir, args.json)
    if outcome.interrupted_by is not None:
        print(interruption_line(outcome.reports, outcome.interrupted_by), file=sys.stderr)
        return 128 + outcome.interrupted_by  # as a shell reports a command a signal stopped
    return 1 if outcome.failed else 0
