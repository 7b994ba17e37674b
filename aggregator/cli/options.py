"""Options several commands share: which sites, Scrapy settings, politeness, where to listen."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from aggregator.exceptions import ConfigError

if TYPE_CHECKING:
    from feeds.web import WebServer


def add_no_throttle_option(parser: argparse.ArgumentParser) -> None:
    """--no-throttle (crawl, worker); apply it with :func:`unthrottled`."""
    parser.add_argument(
        "--no-throttle",
        action="store_true",
        help="lift the politeness delays and per-domain limits: for one's own mirror only "
        "(never against a real site)",
    )


def add_sites_option(parser: argparse.ArgumentParser) -> None:
    """--sites FILE; when not given, main fills in the data directory's remembered file."""
    parser.add_argument(
        "--sites",
        type=Path,
        metavar="FILE",
        help="a registry file of one's own (YAML, sites: list; default: the one the data "
        "directory was last crawled with, else the built-in registry)",
    )


def add_site_options(parser: argparse.ArgumentParser) -> None:
    """--sites, --site and --json: which sites to crawl and how to report (crawl, worker)."""
    add_sites_option(parser)
    parser.add_argument(
        "--site",
        dest="site_ids",
        action="append",
        default=[],
        metavar="ID",
        help="crawl only this site (repeatable)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the per-site report as JSON lines"
    )


def add_settings_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting, e.g. -s AUTOTHROTTLE_START_DELAY=0.5 (repeatable)",
    )


def parse_settings(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--set expects NAME=VALUE, got {pair!r}")
        settings[name.strip()] = value
    if settings:
        # Checked here, before any crawl: Scrapy would read a bad value in every site's
        # crawler, a traceback each, and the crawl would still be recorded.
        from spiders.setting_values import check_setting_values

        check_setting_values(settings)
    return settings


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="port to listen on (default 8080; 0: any)"
    )


def announce(server: WebServer) -> None:
    print(f"serving feeds at {server.url}/ (Ctrl-C to stop)", flush=True)
