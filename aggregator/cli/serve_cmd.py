"""``tinlaodong serve``: serve the feeds of the data directory over HTTP."""

from __future__ import annotations

import argparse
from pathlib import Path

from aggregator.exceptions import ConfigError
from aggregator.paths import feeds_dir
from feeds.server import FeedServer


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "serve",
        parents=[parent],
        help="serve the feeds over HTTP until Ctrl-C",
        description="Serve the RSS/Atom feeds written under DATA_DIR/feeds over HTTP.",
    )
    add_server_options(parser)
    parser.set_defaults(func=run)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="port to listen on (default 8080; 0: any)"
    )


def run(args: argparse.Namespace) -> int:
    directory = feeds_dir(args.data_dir)
    if not (directory / "all.rss.xml").exists():
        raise ConfigError(f"no feeds in {directory}: run 'tinlaodong crawl' (or 'demo') first")
    serve(directory, args.host, args.port)
    return 0


def serve(directory: Path, host: str, port: int) -> None:
    server = FeedServer(directory, host, port)
    try:
        server.start()
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    print(f"serving feeds at {server.url}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    finally:
        server.stop()
