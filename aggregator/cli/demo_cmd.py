"""``tinlaodong demo``: the whole pipeline on the offline mirror, then the feeds over HTTP.

Serves realistic department sites on loopback, crawls them, stores the stories in SQLite,
writes the feeds and (unless ``--no-serve``) serves them, and the mirror, until Ctrl-C.
"""

from __future__ import annotations

import argparse

from aggregator.cli.options import add_server_options, announce
from aggregator.cli.reporting import print_outcome
from aggregator.registry import load_registry
from aggregator.store.database import DB_FILENAME
from mirror.build import build_mirror, default_seeds_dir
from mirror.server import MirrorServer

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
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--no-serve", action="store_true", help="stop after writing the feeds")
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
    with MirrorServer(mirror_sites) as mirror:
        registry_path = data_dir / "mirror-sites.yaml"
        mirror.write_registry(registry_path)
        sites = load_registry(registry_path).sites
        print(f"mirror: {len(sites)} sites on loopback, registry in {registry_path}", flush=True)
        outcome = CrawlJob(data_dir, sites, overrides=MIRROR_SETTINGS).run()
        print_outcome(outcome, data_dir, args.json)
        print(f"store: {data_dir / DB_FILENAME}")
        if args.no_serve:
            return 1 if outcome.failed else 0
        server = start_web_server(data_dir, args.host, args.port, registry_path)
        announce(server)
        serve_until_interrupted(server)
    return 0
