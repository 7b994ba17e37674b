"""``tinlaodong serve``: the one long-running command: scheduled crawls, and the feeds over HTTP
(what it does: DESCRIPTION, its --help).

See ``aggregator.scheduling`` for the design, and ``aggregator.scheduling.services`` for adding
a periodic service (alerts) to the same scheduler.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from aggregator.cli.options import (
    MAX_SECONDS,
    SERVER_LIMITS,
    add_server_options,
    add_settings_option,
    add_sites_option,
    announce,
    limit_int,
    parse_settings,
)
from aggregator.registry import load_registry
from aggregator.scheduling.jobs import DEFAULT_CRAWL_TIMEOUT, schedule_scale

# What `tinlaodong serve --help` says: plain sentences, as a terminal shows them.
DESCRIPTION = (
    """\
The one long-running command: crawls on schedule, and serves the feeds over HTTP.

Each site of the registry is crawled every crawl_every (with jitter), each crawl in its own
tinlaodong crawl subprocess stopped at --crawl-timeout; jobs and their next run times live in
the store's database, so a restart picks up where it left off. --no-crawl crawls nothing: it
serves, brings the feeds up to date with the store every 2 minutes and sends the alerts
(workers, tinlaodong worker, fill the store); --once runs the crawls that are due and exits
(for cron). Ctrl-C or SIGTERM stops it all.

"""
    + SERVER_LIMITS
    + """
For tests and trials only, $TINLAODONG_SCHEDULE_SCALE multiplies every interval (0.001 turns
3 hours into 11 seconds).
"""
)

# The scheduler, the store, Scrapy and the web app are imported when the command runs: every
# other command (a crawl above all) builds this parser too, and importing them slowed its start.
if TYPE_CHECKING:
    from aggregator.scheduling.service import CrawlService, Runnable


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "serve",
        parents=[parent],
        help="crawl on schedule and serve the feeds over HTTP until Ctrl-C",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_server_options(parser)
    add_sites_option(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--no-crawl",
        action="store_true",
        help="no crawls: serve the feeds, bring them up to date with the store every 2 "
        "minutes and send the alerts (the store is filled by workers or crawls elsewhere)",
    )
    mode.add_argument(
        "--once", action="store_true", help="run the crawls that are due, then exit (for cron)"
    )
    parser.add_argument(
        "--crawl-timeout",
        type=_minutes,
        default=DEFAULT_CRAWL_TIMEOUT,
        metavar="MINUTES",
        help=f"kill a crawl still running after this long (default {DEFAULT_CRAWL_TIMEOUT / 60:g})",
    )
    parser.add_argument(
        "--parallel", type=limit_int, default=2, metavar="N", help="crawls at once (default 2)"
    )
    add_settings_option(parser)
    parser.set_defaults(func=run)


def _minutes(text: str) -> float:
    try:
        value = float(text) * 60
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes") from None
    if not 0 < value <= MAX_SECONDS:  # inf and nan too: no timer takes them
        raise argparse.ArgumentTypeError(
            f"the time limit must be more than 0 minutes, at most {MAX_SECONDS // 60}"
        )
    return value


def run(args: argparse.Namespace) -> int:
    if args.no_crawl:
        return _serve_without_crawls(args)
    service = _service(args)
    if args.once:
        return _run_once(service)
    return _serve_with(service, args)


def _serve_without_crawls(args: argparse.Namespace) -> int:
    """Feeds and alerts for a store that workers (or crawls elsewhere) fill."""
    from aggregator.scheduling.services import serving_services
    from aggregator.scheduling.services_only import ServicesOnly

    services = ServicesOnly(
        args.data_dir, load_registry(args.sites), serving_services(), schedule_scale()
    )
    return _serve_with(services, args)


def _serve_with(service: Runnable, args: argparse.Namespace) -> int:
    """The web app and feeds in a thread, ``service`` until SIGINT or SIGTERM."""
    from aggregator.app.serving import start_web_server
    from aggregator.scheduling.service import run_until_signal

    server = start_web_server(args.data_dir, args.host, args.port, args.sites)
    try:
        # Announced once the service holds the data directory's lock: a second serve says
        # only that another one runs, not "serving at" and then that.
        run_until_signal(service, started=lambda: announce(server))
    finally:
        server.stop()
    print("stopped", flush=True)
    return 0


def _service(args: argparse.Namespace) -> CrawlService:
    from aggregator.scheduling.service import CrawlService, ServiceOptions
    from aggregator.scheduling.services import default_services

    parse_settings(args.settings)  # a bad -s is one error line now, not one per crawl later
    options = ServiceOptions(
        data_dir=args.data_dir,
        sites_file=args.sites,
        crawl_timeout=args.crawl_timeout,
        max_parallel=args.parallel,
        settings=tuple(args.settings),
        scale=schedule_scale(),
    )
    return CrawlService(options, load_registry(args.sites), default_services())


def _run_once(service: CrawlService) -> int:
    records = service.run_once()
    if not records:
        print("no crawl is due")
    for record in records:
        print(
            f"crawl {' '.join(record.sites)}: {record.outcome} in {record.duration:.1f} s, "
            f"{record.new_stories} new stories"
        )
    return 1 if records and all(r.outcome != "ok" for r in records) else 0
