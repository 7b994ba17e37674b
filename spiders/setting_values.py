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
from collections.abc import Mapping

from scrapy.settings import BaseSettings, Settings

from aggregator.exceptions import ConfigError


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
    elif isinstance(default, int | float):
        # A number either way: Scrapy reads some settings with integer defaults as floats
        # (DOWNLOAD_DELAY, DOWNLOAD_TIMEOUT).
        try:
            float(value)
        except ValueError:
            return f"not a number (the default is {default})"
    elif isinstance(default, dict | BaseSettings):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return 'not a JSON object (e.g. {"name": 100})'
    return None
