"""Scrapy settings given on the command line (``-s NAME=VALUE``) checked before a crawl.

Scrapy reads a setting's value only when a component uses it, once per site's crawler: a
``DOWNLOAD_TIMEOUT=abc`` was a traceback for every site and a crawl recorded as run. A value
is checked against the kind of the setting's default (Scrapy's, then ours in
``spiders.settings``), read the way Scrapy reads that kind. Settings without a default of one
of these kinds (unknown names, strings, ``None``) are let through: Scrapy's extensions have
settings of their own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from scrapy.settings import BaseSettings, Settings

from aggregator.exceptions import ConfigError

# Numbers that cannot be negative: ours (counts, seconds, bytes) and Scrapy's that a user
# sets on the command line. Some of Scrapy's may be (DEPTH_PRIORITY), so not all.
_NON_NEGATIVE = (
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_DELAY",
    "DOWNLOAD_MAXSIZE",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "RETRY_TIMES",
    "REDIRECT_MAX_TIMES",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY",
)
# Ours with a largest value: days that must still make a date.
_MAXIMUM = {"TINLAODONG_NOT_ARTICLE_RECHECK_DAYS": 3650}
# Ours whose default is None ("one per CPU"): a whole number of processes when given.
_COUNTS = ("TINLAODONG_EXTRACT_WORKERS",)
# Settings with a whole-number default that Scrapy reads as seconds, so 0.25 is fine; every
# other whole-number default is read with int(), and "1.5" or "1e9" was a traceback.
_READ_AS_FLOAT = (
    "DOWNLOAD_DELAY",
    "DOWNLOAD_TIMEOUT",
    "DNS_TIMEOUT",
    "CLOSESPIDER_TIMEOUT",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
)


def check_setting_values(overrides: Mapping[str, object]) -> None:
    """Raise a ConfigError naming the first ``-s`` value its setting cannot take."""
    defaults = Settings()
    defaults.setmodule("spiders.settings", priority="project")
    for name, value in overrides.items():
        if not isinstance(value, str):
            continue  # set by the program, not typed by a user
        problem = _problem(defaults.get(name), name, value)
        if problem:
            raise ConfigError(f"-s {name}={value}: {problem}")


def _problem(default: object, name: str, value: str) -> str | None:
    """What is wrong with ``value`` for a setting whose default is ``default``, if anything."""
    if isinstance(default, bool):
        try:
            Settings({name: value}).getbool(name)
        except ValueError:
            return "not a yes/no value (expected 1/0, True/False or true/false)"
    elif isinstance(default, int | float) or name in _COUNTS:
        # A number either way: Scrapy reads some settings with integer defaults as floats
        # (DOWNLOAD_DELAY, DOWNLOAD_TIMEOUT).
        try:
            number = float(value)
        except ValueError:
            return f"not a number (the default is {default})"
        if not math.isfinite(number):
            return "not a finite number"
        if number < 0 and (name.startswith("TINLAODONG_") or name in _NON_NEGATIVE):
            return "cannot be negative"
        if name in _MAXIMUM and number > _MAXIMUM[name]:
            return f"more than {_MAXIMUM[name]}"
        whole = name in _COUNTS or (
            isinstance(default, int)
            and not isinstance(default, bool)
            and name not in _READ_AS_FLOAT
        )
        if whole:
            try:
                int(value)
            except ValueError:
                return "not a whole number"
    elif isinstance(default, dict | BaseSettings):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return 'not a JSON object (e.g. {"name": 100})'
    return None
