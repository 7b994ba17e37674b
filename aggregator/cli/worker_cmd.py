"""``tinlaodong worker``: crawl the registry's sites with other workers, through Redis queues.

Any number of workers (any machines) share each site's crawl: requests are queued and
deduplicated in Redis (scrapy-redis, ``spiders.distributed``), stories go to one PostgreSQL
store (or, for workers on one machine only, the SQLite file of their shared --data-dir). A
worker neither writes the feeds nor records crawls (its counts are its share of the crawl
only): ``tinlaodong serve --no-crawl`` (or a ``crawl``) publishes what the workers stored.
"""

from __future__ import annotations

import argparse

from aggregator.cli.options import (
    add_no_throttle_option,
    add_settings_option,
    add_site_options,
    parse_settings,
)
from aggregator.cli.reporting import print_reports
from aggregator.cli.sites_file import remember_sites_file
from aggregator.registry import load_registry
from aggregator.store.database import DATABASE_URL_ENV


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "worker",
        parents=[parent],
        help="crawl with other workers: shared Redis queues, one store",
        description=(
            "Crawl the sites of the registry (or those named by --site) together with any "
            "number of other workers: each site's requests are queued and deduplicated in "
            "Redis ($TINLAODONG_REDIS_URL), stories stored in PostgreSQL "
            f"(${DATABASE_URL_ENV}), or for workers on one machine in the SQLite file of "
            "their shared --data-dir. Requests to each host are spaced across all workers "
            "(TINLAODONG_SHARED_DOMAIN_DELAY, default 0.5 s). Ends when the queues have "
            "stayed empty for TINLAODONG_WORKER_IDLE_SECONDS (-s). Writes no feeds: "
            "'serve --no-crawl' does. "
            "Exits 1 only if every site was unreachable."
        ),
    )
    add_site_options(parser)
    add_settings_option(parser)
    add_no_throttle_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aggregator.app.crawl_job import unthrottled
    from aggregator.app.worker_job import WorkerJob

    sites = load_registry(args.sites).select(args.site_ids)
    if args.sites is not None:
        remember_sites_file(args.data_dir, args.sites)
    settings: dict[str, object] = dict(parse_settings(args.settings))
    if args.no_throttle:
        settings = unthrottled(settings)
    reports = WorkerJob(args.data_dir, sites, settings).run()
    # No health verdicts: a worker's counts are its share of the crawl, not the site's.
    print_reports(reports, {}, args.json)
    return 1 if reports and all(r.unreachable for r in reports) else 0
