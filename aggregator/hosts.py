"""What a URL's host means before any DNS: every spelling of an address, and names for this
machine.

The private-network guard must refuse loopback and private addresses however they are
written, and without DNS: through an HTTP proxy the proxy resolves names, so the guard never
sees the address it connects to. Resolvers and proxies accept far more than the dotted form:
trailing dots, percent-encoding (some proxies decode it), the numeric forms of ``inet_aton``
(``2130706433``, ``0x7f.1``, ``127.1``, ``0177.0.0.1``), fullwidth digits and ideographic full
stops (IDNA mapping), and IPv6 addresses that carry an IPv4 address inside (mapped,
compatible, NAT64, 6to4, Teredo), which a translator or a dual-stack host turns back into it.
:func:`normalise` brings all of these to one canonical form; :func:`classify` says whether the
host is refused without asking DNS, or is a name only DNS can answer for.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import idna

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# RFC 6052's well-known NAT64 prefix: the IPv4 address is the last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# RFC 8215's local-use NAT64 prefix: where the IPv4 address sits depends on a prefix length
# only the operator knows, and the translator is the operator's own: refused as a whole.
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# IPv4-compatible addresses (deprecated, still routed by some stacks to the IPv4 address).
_COMPATIBLE = ipaddress.ip_network("::/96")
# IPv4-translated addresses (RFC 2765's SIIT, ``::ffff:0:a.b.c.d``): a translator turns them
# into the IPv4 address, and Python's ipaddress counts them global.
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
# Names every system gives itself (RFC 6761 reserves ``.localhost`` for loopback; the rest
# are the usual /etc/hosts entries of Debian, Red Hat and others).
_LOCAL_NAMES = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "localhost4",
        "localhost4.localdomain4",
        "localhost6",
        "localhost6.localdomain6",
        "ip6-localhost",
        "ip6-loopback",
        "ip6-localnet",
    }
)
# What ends a host in a URL, or has no place in a name: a host that holds one once decoded
# (``127.0.0.1%3A80``, ``127.0.0.1%23.example``) is read differently by each server that
# decodes it, so no one reading settles what it means.
_DELIMITERS = re.compile(r"[\x00-\x20\x7f:/?#\[\]@\\%<>\"'`^{|}]")
_TRAILING = re.compile(r"[.\s]+$")  # the root's dot, repeated, and what space surrounds it
# Percent-encoding may be nested (``%2531`` is ``%31`` is ``1``); a proxy that decodes once
# might meet one that decodes again. A few rounds reach any spelling a server would undo.
_DECODE_ROUNDS = 4


@dataclass(frozen=True)
class Host:
    """A URL host as a resolver would read it.

    ``name`` is the canonical spelling: an address in its usual form, or a lowercase name
    without trailing dots; ``address`` is set when the host spells out an address;
    ``refused`` says why the host is refused before any DNS ("a loopback address", to follow
    "<name> is"), or is empty.
    """

    name: str
    address: Address | None
    refused: str


def normalise(host: str) -> str:
    """The canonical spelling of ``host``: decoded, mapped as IDNA maps it (lowercase,
    fullwidth forms, ideographic full stops), without brackets, zone id or trailing dots, and
    an address in its usual form (``127.0.0.1``, ``::1``) however it was written."""
    name = host
    for _ in range(_DECODE_ROUNDS):  # mapping may make more to decode ("％３１" is "%31")
        decoded = _idna_map(unquote(name, errors="replace")).strip()
        if decoded == name:
            break
        name = decoded
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if ":" in name:
        name = name.split("%", 1)[0]  # an IPv6 zone id names an interface, not a host
    name = _TRAILING.sub("", name)
    address = _address(name)
    return str(address) if address is not None else name


def address_of(host: str) -> Address | None:
    """The address ``host`` spells out, in any form a resolver accepts, or None for a name."""
    return _address(normalise(host))


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries: IPv4-mapped (``::ffff:a.b.c.d``),
    IPv4-compatible (``::a.b.c.d``), IPv4-translated (``::ffff:0:a.b.c.d``), NAT64
    (``64:ff9b::a.b.c.d``), 6to4 (``2002:AABB:CCDD::``), ISATAP (``...:5efe:a.b.c.d``) or
    Teredo (the client's address, inverted, in the last 32 bits)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _COMPATIBLE or address in _NAT64 or address in _TRANSLATED:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if (int(address) >> 32) & 0xFDFF_FFFF == 0x0000_5EFE:  # ISATAP: ...:0[2]00:5efe:a.b.c.d
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo is not None:
        return address.teredo[1]
    return None


def refused_address(address: Address) -> str:
    """Why ``address`` may not be fetched (loopback, private, link-local, reserved,
    multicast, or carrying such an IPv4 address), or "" if it is a public address."""
    if address.is_loopback:
        return "a loopback address"
    if address.is_multicast:
        return "a multicast address"
    if not address.is_global:
        return "a private or reserved address"
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local:  # deprecated (RFC 3879) but still a private network's
            return "a site-local address"
        if address in _NAT64_LOCAL:
            return "a local-use NAT64 address"
        inner = embedded_ipv4(address)
        if inner is not None:
            return (
                f"an IPv6 form of {inner}, {refused_address(inner)}"
                if refused_address(inner)
                else ""
            )
        if address.is_reserved:  # the rest of ::/8 and the like: no public host lives there
            return "a reserved address"
    return ""


def means_this_machine(name: str) -> bool:
    """Whether the (normalised) name is one this machine gives itself: ``localhost`` and
    its relatives, any ``*.localhost``, the machine's host name, and the names /etc/hosts
    maps to a refused address."""
    return (
        name in _LOCAL_NAMES
        or name.endswith(".localhost")
        or name in _own_names()
        or name in _hosts_file_names()
    )


def classify(host: str) -> Host:
    """``host`` normalised and judged without DNS: an address is refused or not; a name is
    refused if it means this machine, and otherwise left to DNS (or to the proxy)."""
    name = normalise(host)
    address = _address(name)
    if address is not None:
        return Host(name, address, refused_address(address))
    if not name:
        return Host(name, None, "an empty host")
    if _DELIMITERS.search(name):
        return Host(name, None, "not a host name once decoded, which a proxy may read otherwise")
    if means_this_machine(name):
        return Host(name, None, "a name for this machine")
    return Host(name, None, "")


def _idna_map(name: str) -> str:
    """UTS 46 mapping, as browsers and IDNA-aware clients apply it (w3lib does, for Scrapy's
    own URLs); a name IDNA refuses keeps its NFKC form, lowercased."""
    try:
        return idna.uts46_remap(name, std3_rules=False, transitional=False)
    except idna.IDNAError:
        return unicodedata.normalize("NFKC", name).lower()


def _address(name: str) -> Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        pass
    # The forms of inet_aton, which getaddrinfo and most resolvers accept: one to four parts,
    # each decimal, octal (leading 0) or hex (0x).
    if name and name[0].isdigit() and all(c in "0123456789abcdefx." for c in name):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            return None
    return None


@cache
def _own_names() -> frozenset[str]:
    """This machine's host name, as the system gives it (no DNS)."""
    hostname = socket.gethostname().lower().rstrip(".")
    return frozenset({hostname, hostname.split(".", 1)[0]} - {""})


@cache
def _hosts_file_names(path: Path = Path("/etc/hosts")) -> frozenset[str]:
    """Names /etc/hosts gives to refused addresses: the machine's own aliases (a proxy on
    this machine reads the same file)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return frozenset()
    names: set[str] = set()
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        address = _address(fields[0].split("%", 1)[0])
        if address is not None and refused_address(address):
            names.update(n.lower().rstrip(".") for n in fields[1:])
    return frozenset(names)
