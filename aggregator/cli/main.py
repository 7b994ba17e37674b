"""Entry point of the ``tinlaodong`` command.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds its
parser and sets ``func`` (called with the parsed namespace, returns the exit code).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from aggregator.exceptions import TinlaodongError
from aggregator.logsetup import configure_logging

# Subcommand modules, in the order ``--help`` lists them.
SUBCOMMANDS = (
    "aggregator.cli.alerts_cmd",
    "aggregator.cli.crawl_cmd",
    "aggregator.cli.demo_cmd",
    "aggregator.cli.extract_cmd",
    "aggregator.cli.feeds_cmd",
    "aggregator.cli.search_cmd",
    "aggregator.cli.schedule_cmd",
    "aggregator.cli.serve_cmd",
    "aggregator.cli.sites_cmd",
    "aggregator.cli.stories_cmd",
    "aggregator.cli.try_cmd",
    "aggregator.cli.worker_cmd",
)


def default_data_dir() -> Path:
    return Path(os.environ.get("TINLAODONG_DATA_DIR") or "var")


def common_parser() -> argparse.ArgumentParser:
    """Options every subcommand takes."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(),
        help="where the SQLite file and the feeds live (default: ./var or $TINLAODONG_DATA_DIR)",
    )
    parent.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinlaodong",
        description="Crawl Vietnam's labour and social-affairs news sites and publish feeds.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parent = common_parser()
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a subcommand not built yet
        module.register(subparsers, parent)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return int(args.func(args))
    except TinlaodongError as exc:
        print(f"tinlaodong {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`tinlaodong sites | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
