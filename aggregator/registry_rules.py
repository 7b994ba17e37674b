"""The rules a registry keeps when a check's results move its entries (``sites apply``).

An entry claims the pages under its start URLs: the whole host for a start URL at the root,
a section for one with a path (departments on a shared provincial portal,
``www.bacninh.gov.vn/web/so-noi-vu``). Two entries may not claim the same pages unless one
moved to the other; ``moved_to`` chains end (no cycle); an active entry moves only to an
active one (a live department does not become an archived one's redirect).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import idna

from aggregator.hosts import address_of, normalise
from aggregator.registry import Site

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_name(host: str) -> str:
    """The one spelling of ``host``: the SSRF guard's normal form (case, trailing dots,
    fullwidth forms), then punycode, as DNS and the registry's other entries write it."""
    name = normalise(host)
    if address_of(name) is not None:
        return name
    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError:
        return name


def host_key(url: str) -> str:
    """The host ``url``'s pages are claimed by: its one spelling, without ``www.``, with its
    port unless it is the scheme's default."""
    parts = urlsplit(url.strip())
    host = host_name(parts.hostname or "").removeprefix("www.")
    try:
        port = parts.port
    except ValueError:  # not a port number: no page anyone can fetch
        port = None
    return host if port in (None, _DEFAULT_PORTS.get(parts.scheme)) else f"{host}:{port}"


def canonical_url(url: str) -> str:
    """``url`` with its host in its one spelling and without the scheme's default port, as the
    registry writes it. Userinfo is kept: the caller refuses it."""
    parts = urlsplit(url.strip())
    host = host_name(parts.hostname or "")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(parts.scheme)) else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def under(url: str, start: str) -> bool:
    """Whether ``url`` is among the pages ``start`` claims: same host, path at or below."""
    if host_key(url) != host_key(start):
        return False
    section = urlsplit(start).path.rstrip("/")
    path = urlsplit(url).path
    return not section or path == section or path.startswith(section + "/")


def holder(url: str, sites: Iterable[Site], other_than: str) -> Site | None:
    """The entry (other than ``other_than``) whose pages ``url`` is among."""
    for site in sites:
        if site.id != other_than and any(under(url, start) for start in site.start_urls):
            return site
    return None


def changed(site: Site, change: Mapping[str, Any]) -> Site:
    """``site`` with the start URLs, status and moved_to of ``change``."""
    keys = {"start_urls": tuple, "status": str, "moved_to": str}
    return dataclasses.replace(
        site, **{key: cast(change[key]) for key, cast in keys.items() if key in change}
    )


def broken(site: Site, change: Mapping[str, Any], state: Mapping[str, Site]) -> str:
    """The rule ``change`` to ``site`` would break in the registry ``state``, or ""."""
    after = changed(site, change)
    others = [s for s in state.values() if s.id != site.id]
    if after.moved_to and after.moved_to != site.moved_to:
        target = holder(after.moved_to, others, site.id)
        if target is None:
            return f"moved to {after.moved_to}, which no entry holds"
        if site.status == "active" and target.status != "active":
            return (
                f"redirected to {after.moved_to}, {target.id}'s ({target.status}): an active "
                "entry moves only to an active one"
            )
        if _reaches(target, site.id, state):
            return f"moved to {target.id}, which moved to it: a cycle"
    if after.start_urls != site.start_urls and after.status != "moved":
        for other in others:
            if other.status == "moved" and other.moved_to and _moved_into(other, after):
                continue  # the entry that moved here
            for start in after.start_urls:
                if any(under(start, o) or under(o, start) for o in other.start_urls):
                    return f"its new start URL {start} is {other.id}'s"
    return ""


def _moved_into(other: Site, site: Site) -> bool:
    return any(under(str(other.moved_to), start) for start in site.start_urls)


def _reaches(start: Site, site_id: str, state: Mapping[str, Site]) -> bool:
    """Whether the moved_to chain from ``start`` comes back to ``site_id``."""
    current: Site | None = start
    for _ in range(len(state) + 1):
        if current is None or current.id == site_id:
            return current is not None
        if not current.moved_to:
            return False
        current = holder(current.moved_to, state.values(), current.id)
    return False
