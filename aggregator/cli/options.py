"""Options several commands share: which sites, Scrapy settings, politeness."""

from __future__ import annotations

import argparse
from pathlib import Path

from aggregator.exceptions import ConfigError


def add_no_throttle_option(parser: argparse.ArgumentParser) -> None:
    """--no-throttle (crawl, worker); apply it with :func:`unthrottled`."""
    parser.add_argument(
        "--no-throttle",
        action="store_true",
        help="lift the politeness delays and per-domain limits: for one's own mirror only "
        "(never against a real site)",
    )


def add_site_options(parser: argparse.ArgumentParser) -> None:
    """--sites, --site and --json: which sites to crawl and how to report (crawl, worker)."""
    parser.add_argument(
        "--sites", type=Path, help="a registry file of one's own (YAML, sites: list)"
    )
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
    return settings
