"""Entry point of the ``tinlaodong`` command.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds its
parser and sets ``func`` (called with the parsed namespace, returns the exit code).

A command line naming a command imports that command's module only (``tinlaodong crawl``
does not load the alert channels, the web server or the scheduler); ``tinlaodong --help``, a
mistyped command and the like import them all, to list them.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from aggregator.cli.sites_file import apply_remembered_sites_file
from aggregator.exceptions import TinlaodongError
from aggregator.logsetup import configure_logging
from aggregator.paths import data_dir

# Each command's name and the module that registers it, in the order ``--help`` lists them.
COMMANDS = {
    "alerts": "aggregator.cli.alerts_cmd",
    "crawl": "aggregator.cli.crawl_cmd",
    "demo": "aggregator.cli.demo_cmd",
    "extract": "aggregator.cli.extract_cmd",
    "feeds": "aggregator.cli.feeds_cmd",
    "search": "aggregator.cli.search_cmd",
    "schedule": "aggregator.cli.schedule_cmd",
    "serve": "aggregator.cli.serve_cmd",
    "sites": "aggregator.cli.sites_cmd",
    "stories": "aggregator.cli.stories_cmd",
    "try": "aggregator.cli.try_cmd",
    "worker": "aggregator.cli.worker_cmd",
}
SUBCOMMANDS = tuple(COMMANDS.values())


def default_data_dir() -> Path:
    return data_dir()


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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``command`` only (if it is one: the parser of a
    command line that names it)."""
    parser = argparse.ArgumentParser(
        prog="tinlaodong",
        description="Crawl Vietnam's labour and social-affairs news sites and publish feeds.",
    )
    parser.add_argument("--version", action="version", version=f"tinlaodong {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parent = common_parser()
    for name in (COMMANDS[command],) if command in COMMANDS else SUBCOMMANDS:
        importlib.import_module(name).register(subparsers, parent)
    return parser


def _version() -> str:
    try:
        return importlib.metadata.version("tinlaodong")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout, not installed
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        # A first try of the command: what it can do, not "the following arguments are required".
        build_parser().print_help()
        return 0
    # The command comes first: the top-level parser has no options but --help.
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        apply_remembered_sites_file(args)
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
