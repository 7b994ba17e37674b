"""Which port each mirror site listens on: the same ones run after run.

A store keeps each story's links. Were the mirror on new ports each run, as it once was, every
demo run would add every story again as a new source at a new address, and leave the stored
links pointing at the previous run's dead ports.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from aggregator import yamlfile
from aggregator.exceptions import YamlLimitError
from mirror.build import MirrorSite

# After the feeds' 8080: the demo's sites on 8081-8088, one port each (one "host" each).
DEFAULT_FIRST_PORT = 8081
HIGHEST_PORT = 65535


def consecutive_ports(sites: Sequence[MirrorSite], first: int) -> dict[str, int]:
    """``first`` for the first site, the next port for the next; ``first`` 0: none (any free
    port for each). The sites come in ``mirror.sites.SPECS``' fixed order."""
    if first == 0:
        return {}
    return {site.id: first + index for index, site in enumerate(sites)}


def ports_in_registry(path: Path) -> dict[str, int]:
    """The port of each site of a registry file the mirror wrote (``write_registry``): nothing
    where the file is missing or not one of the mirror's."""
    try:
        raw = yamlfile.read(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, YamlLimitError):
        return {}
    entries = raw.get("sites") if isinstance(raw, dict) else None
    ports: dict[str, int] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not entry.get("start_urls"):
            continue
        try:
            port = urlsplit(str(entry["start_urls"][0])).port
        except (ValueError, TypeError, KeyError, IndexError):
            continue
        if port:
            ports[str(entry.get("id"))] = port
    return ports
