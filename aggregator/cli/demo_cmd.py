"""``tinlaodong demo``: the whole pipeline on the offline mirror (see DESCRIPTION)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aggregator.cli.options import SERVER_LIMITS, add_server_options, announce, port_number
from aggregator.cli.reporting import interruption_line, print_outcome
from aggregator.cli.sites_file import remember_sites_file
from aggregator.exceptions import ConfigError
from aggregator.registry import load_registry
from aggregator.store.database import DB_FILENAME
from mirror.build import MirrorSite, build_mirror, default_seeds_dir
from mirror.ports import DEFAULT_FIRST_PORT, HIGHEST_PORT, consecutive_ports, ports_in_registry
from mirror.server import MirrorPortTaken, MirrorServer

# What `tinlaodong demo --help` says: plain sentences, as a terminal shows them.
DESCRIPTION = """\
Run the whole pipeline on the offline mirror, then serve the feeds over HTTP.

Serves realistic department sites on loopback, crawls them, stores the stories in SQLite,
writes the feeds and (unless --no-serve) serves them, and the mirror, until Ctrl-C.

The mirror's sites listen on the same ports each run (8081 and the next ones, or the ports
of the data directory's last demo), so a second run finds the stories it stored and adds
none. The data directory remembers the mirror's registry file: the commands after the demo
(sites, stories, search, alerts ...) read their sites from it.
"""

# The mirror answers in microseconds: no need for politeness delays against ourselves.
MIRROR_SETTINGS: dict[str, object] = {
    "AUTOTHROTTLE_START_DELAY": 0.05,
    "AUTOTHROTTLE_MAX_DELAY": 1.0,
}


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "demo",
        parents=[parent],
        help="crawl the offline mirror end to end and serve the feeds",
        description=DESCRIPTION + "\n" + SERVER_LIMITS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--no-serve", action="store_true", help="stop after writing the feeds")
    parser.add_argument(
        "--mirror-port",
        type=port_number,
        metavar="PORT",
        help=f"serve the mirror's sites on PORT and the ports after it, one each (default: "
        f"the ports of the data directory's last demo, else {DEFAULT_FIRST_PORT}; 0: any "
        "free ports, new each run)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the per-site report as JSON lines"
    )
    add_server_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported when the demo runs: `tinlaodong --help` builds this parser too.
    from aggregator.app.crawl_job import CrawlJob
    from aggregator.app.serving import serve_until_interrupted, start_web_server

    data_dir = args.data_dir
    seeds = default_seeds_dir()
    if seeds is None:
        print("note: ../shared/seeds not found: the mirror is built without the user's two samples")
    mirror_sites = build_mirror(data_dir / "mirror", seeds)
    registry_path = data_dir / "mirror-sites.yaml"
    ports = _ports(mirror_sites, args.mirror_port, registry_path)
    try:
        mirror = MirrorServer(mirror_sites, ports)
        mirror.start()
    except MirrorPortTaken as exc:
        hint = "--mirror-port PORT: the sites on PORT and the ports after it"
        raise ConfigError(f"{exc} ({hint})") from exc
    with mirror:
        mirror.write_registry(registry_path)
        remember_sites_file(data_dir, registry_path)
        sites = load_registry(registry_path).sites
        print(f"mirror: {len(sites)} sites on loopback, registry in {registry_path}", flush=True)
        outcome = CrawlJob(data_dir, sites, overrides=MIRROR_SETTINGS).run()
        print_outcome(outcome, data_dir, args.json)
        print(f"store: {data_dir / DB_FILENAME}")
        if outcome.interrupted_by is not None:
            # Ctrl-C while the demo crawled: the user wants it to stop, not to serve.
            line = interruption_line(outcome.reports, outcome.interrupted_by, "demo")
            print(line, file=sys.stderr)
            return 128 + outcome.interrupted_by
        if args.no_serve:
            return 1 if outcome.failed else 0
        server = start_web_server(data_dir, args.host, args.port, registry_path)
        announce(server)
        serve_until_interrupted(server)
    return 0


def _ports(sites: list[MirrorSite], first: int | None, registry_path: Path) -> dict[str, int]:
    """The port of each site: from --mirror-port, else where the last demo in this data
    directory served it (its links are in the store), else from the default first port."""
    if first is not None:
        if first and first + len(sites) - 1 > HIGHEST_PORT:
            raise ConfigError(
                f"--mirror-port {first}: the {len(sites)} sites need ports up to "
                f"{first + len(sites) - 1}, above {HIGHEST_PORT}"
            )
        return consecutive_ports(sites, first)
    return {**consecutive_ports(sites, DEFAULT_FIRST_PORT), **ports_in_registry(registry_path)}
