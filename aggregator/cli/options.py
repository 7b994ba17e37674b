"""Options several commands share: which sites, Scrapy settings, politeness, where to listen."""

from __future__ import annotations

import argparse
import copy
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aggregator.exceptions import ConfigError

if TYPE_CHECKING:
    from aggregator.registry import Registry
    from aggregator.store import StoryStore
    from feeds.web import WebServer

SINCE_HELP = (
    "only stories published since DATE (2025-07-01: midnight in Vietnam) or within AGE (7d, "
    "12h, 30m, 2w); a story without a date counts from when it was first seen"
)

EARLIEST_SINCE, LATEST_SINCE = 1900, 2100
MAX_COUNT = 100_000
MAX_ID = 2**63 - 1  # the stores' largest integer
MAX_SECONDS = 24 * 3600  # a wait or timeout longer than a day is a typo


def add_no_throttle_option(parser: argparse.ArgumentParser) -> None:
    """--no-throttle (crawl, worker); apply it with :func:`unthrottled`."""
    parser.add_argument(
        "--no-throttle",
        action="store_true",
        help="lift the politeness delays and per-domain limits: for one's own mirror only "
        "(never against a real site)",
    )


def add_sites_option(parser: argparse.ArgumentParser, *, in_action: bool = False) -> None:
    """--sites FILE; when not given, main fills in the data directory's remembered file.
    ``in_action``: the parser is an action of a group that has the option too (see
    :func:`action_parent`)."""
    parser.add_argument(
        "--sites",
        type=Path,
        default=argparse.SUPPRESS if in_action else None,
        metavar="FILE",
        help="a registry file of one's own (YAML, sites: list; default: the one the data "
        "directory was last crawled with, else the built-in registry)",
    )


def action_parent(parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``parent``'s options for the action of a command that takes them too (``sites --sites F
    apply R`` and ``sites apply R --sites F``): without defaults of their own, so that the
    action's parser does not overwrite with its defaults what was given before the action."""
    options = argparse.ArgumentParser(add_help=False)
    for action in parent._actions:
        # A copy: parents share their actions with every parser made from them.
        quiet = copy.copy(action)
        quiet.default = argparse.SUPPRESS
        options._add_action(quiet)
    return options


def add_since_option(parser: argparse.ArgumentParser) -> None:
    """--since DATE|AGE: publication date, the same in every command that has it."""
    parser.add_argument("--since", type=parse_since, metavar="DATE|AGE", help=SINCE_HELP)


def parse_since(text: str) -> datetime:
    """``--since``: a date (or date and time), Vietnam's unless it has an offset, or an age
    back from now; aware either way."""
    from aggregator.dates import VIETNAM
    from aggregator.registry import DurationTooLong, parse_duration

    try:
        return datetime.now(UTC) - parse_duration(text)
    except DurationTooLong as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    except ValueError:
        pass
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date (2025-07-01) or an age (7d, 12h): {text!r}"
        ) from None
    if not EARLIEST_SINCE <= value.year <= LATEST_SINCE:
        # Year 1 or 9999 would overflow when turned to UTC or into the store's integers.
        raise argparse.ArgumentTypeError(
            f"a date from {EARLIEST_SINCE} to {LATEST_SINCE}, not {text!r}"
        )
    # A bare date is midnight in Vietnam, where the news is dated.
    return value if value.tzinfo else value.replace(tzinfo=VIETNAM)


def limit_int(text: str) -> int:
    """``--limit`` and other counts: a whole number from 1 to :data:`MAX_COUNT` (a larger one
    overflows the store's integers and lists nothing more)."""
    if not text.isdigit() or not 1 <= int(text) <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_COUNT}: {text!r}")
    return int(text)


def port_number(text: str) -> int:
    from mirror.ports import HIGHEST_PORT

    if not text.isdigit() or int(text) > HIGHEST_PORT:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to {HIGHEST_PORT}: {text!r}")
    return int(text)


def record_id(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_ID}: {text!r}")
    return int(text)


def seconds(*, zero: bool) -> Callable[[str], float]:
    """A parser of a number of seconds up to a day; from 0 when ``zero``, else more than 0."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (value >= 0 if zero else value > 0) or not value <= MAX_SECONDS:
            lowest = "from 0" if zero else "more than 0"
            raise argparse.ArgumentTypeError(
                f"must be a number of seconds {lowest} to {MAX_SECONDS}: {text!r}"
            )
        return value

    return parse


def check_site_ids(registry: Registry, site_ids: Sequence[str], store: StoryStore) -> None:
    """Each of ``site_ids`` names a site of the registry or one the store has stories of; a
    mistyped one is an error naming the nearest ids (as ``crawl --site`` says), not an empty
    list."""
    known = {site.id for site in registry.sites}
    for site_id in site_ids:
        if site_id not in known and not store.story_count(site_ids=[site_id]):
            registry.get(site_id)  # not there: a RegistryError with "did you mean"


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
        "--port", type=port_number, default=8080, help="port to listen on (default 8080; 0: any)"
    )


def announce(server: WebServer) -> None:
    print(f"serving feeds at {server.url}/ (Ctrl-C to stop)", flush=True)


# The server's bounds on slow clients, in the help of every command that serves.
SERVER_LIMITS = """\
The server bounds slow clients: $TINLAODONG_MAX_CONNECTIONS (1000),
$TINLAODONG_MAX_CONNECTIONS_PER_CLIENT (64; proxies of $FORWARDED_ALLOW_IPS not capped),
$TINLAODONG_HEAD_TIMEOUT and $TINLAODONG_BODY_TIMEOUT (10 s each), $TINLAODONG_SEND_TIMEOUT
(30 s), $TINLAODONG_KEEP_ALIVE_TIMEOUT (15 s), $TINLAODONG_MAX_REQUESTS (200) and
$TINLAODONG_BACKLOG (511); with $TINLAODONG_PUBLIC_URL set, its links name that address.
"""
