"""``tinlaodong sites list``: what the registry holds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aggregator.registry import load_registry


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("sites", help="show the site registry")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list",
        parents=[parent],
        help="list the registered sites",
        description="List the sites of the registry (or of --sites FILE).",
    )
    listing.add_argument("--sites", type=Path, help="a registry file of one's own")
    listing.add_argument("--json", action="store_true", help="one JSON object per site")
    listing.set_defaults(func=list_sites)


def list_sites(args: argparse.Namespace) -> int:
    registry = load_registry(args.sites)
    for site in registry.sites:
        if args.json:
            print(json.dumps(site.to_dict(), ensure_ascii=False))
        else:
            profile = site.profile or "(none)"
            print(f"{site.id:<24} {profile:<11} {site.province:<14} {site.start_urls[0]}")
    return 0
