"""Probe each site's first start URL: is it there, has it moved, is it gone?

One GET per hop with the crawler's User-Agent and a small timeout; redirects are not followed
by the HTTP client but one at a time here (at most ``MAX_REDIRECTS``), so that every hop is
checked like the crawler checks it: loopback and private addresses are refused after DNS
resolution unless the entry has ``allow_private_network: true``, and the connection goes to the
very address that was checked (no second DNS answer). Outcomes: ``reachable`` (2xx),
``redirected`` (3xx ending in a 2xx), ``dead`` (DNS, refused, timeout, TLS, 4xx/5xx, a redirect
to such), ``refused`` (a private address, never contacted). A redirect is ``permanent`` when
every hop is a 301 or 308. The page that answered 2xx is read (up to ``MAX_BODY`` bytes) and
its markup tells the CMS: the profile detection the extractor uses, without a hint.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from aggregator.cms import cms_of_profile
from aggregator.hosts import classify
from aggregator.registry import Site
from aggregator.urls import site_host

OUTCOMES = ("reachable", "redirected", "dead", "refused")
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 5.0
DEFAULT_CONCURRENCY = 16
# Enough for a portal's home page, markers and all; a bigger answer is judged on its start.
MAX_BODY = 2 * 1024 * 1024
_PERMANENT = (301, 308)


@dataclass(frozen=True)
class CheckResult:
    id: str
    url: str
    outcome: str  # one of OUTCOMES
    status: int | None = None  # the start URL's own HTTP status
    final_url: str | None = None  # where the redirects ended
    final_status: int | None = None
    redirects: int = 0
    left_host: bool | None = None  # did the redirects end on another host?
    reason: str | None = None  # why dead or refused, in a few words
    seconds: float = 0.0
    permanent: bool | None = None  # were all the redirects permanent (301, 308)?
    profile: str | None = None  # the profile recognising the page that answered
    cms: str | None = None  # the CMS that profile means (aggregator.cms)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def line(self) -> str:
        if self.outcome == "reachable":
            detail = f"HTTP {self.status}"
        elif self.outcome == "redirected":
            where = "another host" if self.left_host else "same host"
            hops = "redirect" if self.redirects == 1 else "redirects"
            kind = ", permanent" if self.permanent else ""
            detail = f"-> {self.final_url} ({self.redirects} {hops}{kind}, {where})"
        else:
            detail = self.reason or ""
        if self.cms:
            detail += f", {self.cms}"
        return f"{self.id:<26} {self.outcome:<10} {self.url}  {detail}"


class _Refused(Exception):
    """The address is private or loopback and the site is not allowed one."""


class _Dead(Exception):
    """No usable answer; the message says why in a few words."""


@dataclass(frozen=True)
class _Answer:
    status: int
    location: str | None
    body: bytes = b""  # read for a 2xx answer only
    charset: str | None = None

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400 and bool(self.location)


def check_sites(
    sites: Iterable[Site],
    timeout: float = DEFAULT_TIMEOUT,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Iterator[CheckResult]:
    """Check every site concurrently; results come as they arrive, not in registry order."""
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="sitecheck")
    try:
        futures = [pool.submit(check_site, site, timeout) for site in sites]
        for future in as_completed(futures):
            yield future.result()
    finally:
        # On Ctrl-C or an abandoned iterator: drop the probes not started yet.
        pool.shutdown(wait=True, cancel_futures=True)


def check_site(site: Site, timeout: float = DEFAULT_TIMEOUT) -> CheckResult:
    url = site.start_urls[0]
    started = time.monotonic()
    try:
        first = _fetch(url, site.allow_private_network, timeout)
    except (_Refused, _Dead) as exc:
        outcome = "refused" if isinstance(exc, _Refused) else "dead"
        return CheckResult(site.id, url, outcome, reason=str(exc), seconds=_since(started))
    if not first.is_redirect:
        return _direct(site.id, url, first, started)
    return _redirected(site, url, first, timeout, started)


def _direct(site_id: str, url: str, answer: _Answer, started: float) -> CheckResult:
    if 200 <= answer.status < 300:
        profile = _recognised(answer, url)
        return CheckResult(
            site_id, url, "reachable", answer.status, seconds=_since(started),
            profile=profile, cms=cms_of_profile(profile) if profile else None,
        )
    return CheckResult(
        site_id, url, "dead", answer.status, reason=_status_reason(answer), seconds=_since(started)
    )


def _redirected(
    site: Site, url: str, first: _Answer, timeout: float, started: float
) -> CheckResult:
    target, answer, hops = url, first, 0
    outcome, reason, final_status, profile = "redirected", None, None, None
    permanent = True
    try:
        while answer.is_redirect and hops < MAX_REDIRECTS:
            permanent = permanent and answer.status in _PERMANENT
            target = urljoin(target, answer.location)
            hops += 1
            answer = _fetch(target, site.allow_private_network, timeout)
    except _Refused as exc:
        outcome, reason = "refused", f"redirect to {exc}"
    except _Dead as exc:
        outcome, reason = "dead", f"redirect target: {exc}"
    else:
        final_status = answer.status
        if answer.is_redirect:
            outcome, reason = "dead", f"more than {MAX_REDIRECTS} redirects"
        elif not 200 <= answer.status < 300:
            outcome, reason = "dead", f"redirect target: {_status_reason(answer)}"
        else:
            profile = _recognised(answer, target)
    return CheckResult(
        site.id,
        url,
        outcome,
        first.status,
        final_url=target,
        final_status=final_status,
        redirects=hops,
        left_host=site_host(target) != site_host(url),
        reason=reason,
        seconds=_since(started),
        permanent=permanent,
        profile=profile,
        cms=cms_of_profile(profile) if profile else None,
    )


def _recognised(answer: _Answer, url: str) -> str | None:
    """The profile recognising the page's markup; None for none but the generic one, or for
    an answer that is not an HTML page."""
    # Imported here: lxml and trafilatura are not needed to build the command line.
    from aggregator.exceptions import PageDecodeError
    from aggregator.extraction import parse_html
    from aggregator.profiles import PageData, detect_profile

    if not answer.body:
        return None
    try:
        tree = parse_html(answer.body, http_charset=answer.charset, where=url)
    except (PageDecodeError, ValueError):
        return None
    profile = detect_profile(PageData(tree, url))
    return None if profile.name == "generic" else profile.name


def _fetch(url: str, allow_private: bool, timeout: float) -> _Answer:
    """One GET, not following redirects; raises _Refused or _Dead."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Dead(f"not an http(s) URL: {url}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not allow_private:
        # Every spelling the crawl refuses before DNS (trailing dots, percent-encoding, IPv6
        # forms of IPv4, names for this machine) is refused here too, not "dead (DNS)".
        judged = classify(parts.hostname)
        if judged.refused:
            raise _Refused(f"{parts.hostname} is {judged.refused}")
    addresses = _resolve(parts.hostname, port, timeout)
    if not allow_private:
        # Here, not at the top: the middleware's module imports Scrapy, and the command line
        # imports this module for its defaults.
        from spiders.middlewares.private_network import is_private

        private = [a for a in addresses if is_private(a)]
        if private:
            raise _Refused(f"{private[0]} is a private or loopback address")
    conn = _connection(parts.scheme, parts.hostname, port, addresses, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("GET", path, headers=_headers())
        response = conn.getresponse()
        body = _body(response) if 200 <= response.status < 300 else b""
        charset = response.headers.get_content_charset()
        return _Answer(response.status, response.getheader("Location"), body, charset)
    except OSError as exc:
        raise _Dead(_os_reason(exc)) from exc
    except http.client.HTTPException as exc:
        raise _Dead(f"not an HTTP answer ({type(exc).__name__})") from exc
    finally:
        conn.close()


def _body(response: http.client.HTTPResponse) -> bytes:
    """The start of a 2xx answer's body; nothing if it stalls or breaks: the site answered,
    only its CMS goes unseen."""
    try:
        return response.read(MAX_BODY)
    except (OSError, http.client.HTTPException):
        return b""


def _headers() -> dict[str, str]:
    # The crawl's settings import Scrapy's: imported when a site is probed, not when
    # `tinlaodong --help` builds the parser that reads this module's defaults.
    from spiders.settings import USER_AGENT

    return {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "Connection": "close",
    }


def _resolve(host: str, port: int, timeout: float) -> list[str]:
    try:
        infos = _getaddrinfo_within(host, port, timeout)
    except socket.gaierror as exc:
        raise _Dead(f"DNS lookup failed ({exc.strerror})") from exc
    except (UnicodeError, ValueError) as exc:
        raise _Dead(f"invalid host name {host!r}") from exc
    # Scope ids ("fe80::1%eth0") are kept: the connection needs them; ipaddress accepts them.
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _getaddrinfo_within(host: str, port: int, timeout: float) -> list[Any]:
    """getaddrinfo has no timeout and a struggling resolver takes 10 s or more: ask in a daemon
    thread (which cannot hold up the exit) and give up after ``timeout``."""
    answer: list[Any] = []
    thread = threading.Thread(
        target=_getaddrinfo_into, args=(answer, host, port), daemon=True, name="sitecheck-dns"
    )
    thread.start()
    thread.join(timeout)
    if not answer:
        raise _Dead("DNS lookup timed out")
    if isinstance(answer[0], BaseException):
        raise answer[0]
    return list(answer[0])


def _getaddrinfo_into(answer: list[Any], host: str, port: int) -> None:
    try:
        answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    except Exception as exc:  # handed to the waiting thread, which raises it
        answer.append(exc)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error ({exc.reason or exc.strerror})"
    return exc.strerror or type(exc).__name__


def _status_reason(answer: _Answer) -> str:
    if 300 <= answer.status < 400:
        return f"HTTP {answer.status} without a Location"
    return f"HTTP {answer.status}"


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the addresses already resolved and checked, not to a new DNS answer."""

    addresses: list[str]

    def connect(self) -> None:
        self.sock = _connect_any(self.addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection, _PinnedHTTPConnection):
    """HTTPSConnection.connect calls super().connect(), which the MRO makes the pinned one;
    TLS then wraps it with the real host name for SNI."""


def _connection(
    scheme: str, host: str, port: int, addresses: list[str], timeout: float
) -> http.client.HTTPConnection:
    conn: _PinnedHTTPConnection
    if scheme == "https":
        conn = _PinnedHTTPSConnection(host, port, timeout=timeout, context=_TLS)
    else:
        conn = _PinnedHTTPConnection(host, port, timeout=timeout)
    conn.addresses = addresses
    return conn


def _connect_any(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    error: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error


def _unverified_tls() -> ssl.SSLContext:
    # The crawler (Scrapy's default TLS factory) does not verify certificates, and many
    # provincial portals serve expired or incomplete chains: verifying here would call sites
    # dead that the crawler reads fine.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


_TLS = _unverified_tls()
