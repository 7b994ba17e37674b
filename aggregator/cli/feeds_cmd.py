"""``tinlaodong feeds``: the feeds as files for a static web server, or served with the web app
(what each does: DESCRIPTION, its --help)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from aggregator.cli.options import (
    SERVER_LIMITS,
    add_server_options,
    add_sites_option,
    announce,
    limit_int,
)
from aggregator.exceptions import ConfigError
from feeds.origin import LOCAL_ORIGIN
from feeds.publish import ARCHIVES_ENV, PAGE_SIZE, PAGES, PUBLIC_URL_ENV

# What `tinlaodong feeds --help` says: plain sentences, as a terminal shows them.
DESCRIPTION = """\
Write the feeds as files for a static web server, or serve them with the web page.

feeds build --out DIR writes every feed (RSS 2.0, Atom 1.0, JSON Feed 1.1; all, health,
each province, topic and site, RFC 5005 pages), index.html and feeds.opml into DIR;
feeds whose stories did not change are left as they are. --base-url is where DIR will be
served (self links, OPML), --home-url the web page their channel links point at; one alone
gives the other (DIR's index.html; the web page's feeds/), neither: the address in
$TINLAODONG_PUBLIC_URL, else a stand-in that tinlaodong serve replaces with its own.

feeds serve brings the feeds of the data directory up to date, then serves the web page
(at /, saved searches at /feeds/search?q=..., /healthz, /metrics) and the feed files
(/feeds/NAME and /NAME) until Ctrl-C.
"""

# The store and the web app are imported when the command runs, not when the command line is
# parsed: `tinlaodong --help` stays quick.


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "feeds",
        help="write the feeds for a static web server, or serve them with the web app",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", parents=[parent], help="write every feed into a folder")
    build.add_argument("--out", type=Path, required=True, metavar="DIR", help="where to write")
    build.add_argument("--base-url", type=_web_url, metavar="URL", help="where DIR will be served")
    build.add_argument(
        "--home-url", type=_web_url, metavar="URL", help="the web page the feeds belong to"
    )
    build.add_argument(
        "--page-size",
        type=limit_int,
        default=PAGE_SIZE,
        metavar="N",
        help=f"entries of each archive, at least of a feed's own file (default {PAGE_SIZE})",
    )
    build.add_argument(
        "--pages",
        type=limit_int,
        metavar="N",
        help=f"archives kept in each feed's chain (RFC 5005), older ones deleted (default "
        f"${ARCHIVES_ENV}, else {PAGES})",
    )
    add_sites_option(build)
    build.set_defaults(func=run_build)

    serve = actions.add_parser(
        "serve",
        parents=[parent],
        help="serve the web page and the feeds until Ctrl-C",
        description="Serve the web page and the feeds until Ctrl-C.\n\n" + SERVER_LIMITS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_server_options(serve)
    add_sites_option(serve)
    serve.set_defaults(func=run_serve)


def _web_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not an absolute http(s) URL: {text!r}")
    return text


def _check_out(out: Path) -> None:
    """``out`` is a folder one can write into, or can be made one: checked before anything is
    written, so a bad --out is one line rather than a traceback halfway through."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: not a folder")
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"--out {out}: {existing} is not a folder")
    try:
        # A file made and removed at once: os.access does not know /proc or read-only mounts.
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise ConfigError(f"--out {out}: cannot write in {existing} ({exc.strerror})") from None


def run_build(args: argparse.Namespace) -> int:
    from aggregator.registry import load_registry
    from aggregator.store import open_store, require_store
    from feeds.publish import update_feeds

    _check_out(args.out.absolute())
    sites = load_registry(args.sites).sites
    require_store(args.data_dir)
    if not (args.base_url or args.home_url or os.environ.get(PUBLIC_URL_ENV)):
        # Not an error: served by `tinlaodong serve` the files are right. A static host
        # serves them as written, links to nowhere, so the one building them should know.
        print(
            f"tinlaodong feeds build: warning: the feeds' links name the stand-in "
            f"{LOCAL_ORIGIN}, which tinlaodong serve replaces with its own address; for a "
            f"static host give --base-url URL (where {args.out} is served) or set "
            f"{PUBLIC_URL_ENV}",
            file=sys.stderr,
        )
    store = open_store(args.data_dir)
    try:
        written = update_feeds(
            store,
            sites,
            args.out,
            base_url=args.base_url,
            home_url=args.home_url,
            page_size=args.page_size,
            pages=args.pages,
        )
    finally:
        store.close()
    feeds = sum(1 for p in written if p.name.endswith(".atom.xml"))
    print(f"feeds: {len(written)} files ({feeds} Atom feeds and pages) in {args.out}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from aggregator.app.serving import serve_until_interrupted, start_web_server
    from aggregator.paths import feeds_dir
    from aggregator.registry import load_registry
    from aggregator.store import open_store, require_store
    from feeds.publish import update_feeds

    sites = load_registry(args.sites).sites
    require_store(args.data_dir)
    store = open_store(args.data_dir)
    try:
        update_feeds(store, sites, feeds_dir(args.data_dir))
    finally:
        store.close()
    server = start_web_server(args.data_dir, args.host, args.port, args.sites)
    announce(server)
    serve_until_interrupted(server)
    return 0
