"""Which site a URL belongs to: the one host comparison the registry, the profiles and the
spider share.

A site is its host and port: ``www.`` or not, upper case or not and the scheme's default port
spelled out or not are the same site; another subdomain or another port is another site
(departments of one province share its domain; the offline mirror serves sites on ports).
courlan compares registered domains without ports, so it cannot say this.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def site_host(url: str) -> str:
    """``host[:port]`` of ``url``: lowercase, without a leading ``www.``, user info or the
    scheme's default port."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = parts.port
    except ValueError:  # not a port number: no page anyone can fetch
        port = None
    return host if port in (None, _DEFAULT_PORTS.get(parts.scheme)) else f"{host}:{port}"


def same_site(url: str, hosts: Iterable[str]) -> bool:
    """Whether ``url`` is on one of ``hosts`` (as :func:`site_host` gives them)."""
    return site_host(url) in hosts
