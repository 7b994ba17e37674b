"""The site registry: which sites to crawl, as data (YAML with a top-level ``sites:`` list).

An entry needs ``id``, ``name``, ``province`` and ``start_urls``; ``profile`` names the CMS
page objects that read it (none: discovery from feeds, sitemaps and listing links, extraction by
trafilatura alone). ``allow_private_network: true`` is only for the offline mirror: every other
entry is refused loopback and private addresses. ``url_source`` and ``confirmed`` record where a
URL comes from, since the real sites cannot be checked from every machine.

``province`` is a name (or alias) of the gazetteer (``provinces.yaml``), former or current; the
site gets its ``province_id`` and the ``current_province_id`` it belongs to since 1 July 2025.
``kind`` is department | home-affairs | ministry | press (default: press for "Toàn quốc",
department otherwise); ``status`` is active (default) | archived (a dissolved body whose site is
frozen: crawled rarely, never dropped) | moved (``moved_to`` says where). ``crawl_every`` (``30m``,
``6h``, ``7d``, ``2w``) defaults by status, see ``DEFAULT_CRAWL_EVERY``.

``evidence`` lists where a host was seen: each item ``where`` (a repository and path, a page
address, or ``sites check <date>``), ``shows`` (what it shows), ``strength`` (``confirms``: the
host shown as the department's site; ``hint``: a mail domain, sample data), and optionally
``query`` (what finds it again), ``host`` and ``cms`` (one of :data:`aggregator.cms.CMS_NAMES`).
``searched`` lists the queries tried. ``confirmed: true`` with an ``evidence`` list needs a
``confirms`` item in it; without one (a registry of one's own) it is taken as written.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from aggregator import yamlfile
from aggregator.cms import CMS_NAMES
from aggregator.exceptions import RegistryError, YamlLimitError
from aggregator.gazetteer import Gazetteer, Province, default_gazetteer
from aggregator.urls import same_site, site_host

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DURATION_RE = re.compile(r"^\s*([1-9][0-9]*)\s*([mhdw])\s*$")
_UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1),
          "m": timedelta(minutes=1)}
# A registry this short lists its ids when one is mistyped and none is near.
_LISTED_IDS = 10
_REQUIRED = ("id", "name", "province", "start_urls")
_OPTIONAL = (
    "profile", "allow_private_network", "url_source", "confirmed", "notes", "language",
    "kind", "status", "crawl_every", "moved_to", "evidence", "searched",
)
STRENGTHS = ("confirms", "hint")
# How an evidence item written by `sites check` starts its `where`.
CHECK_WHERE = "sites check "
_EVIDENCE_REQUIRED = ("where", "shows", "strength")
_EVIDENCE_OPTIONAL = ("query", "host", "cms")
KINDS = ("department", "home-affairs", "ministry", "press")
STATUSES = ("active", "archived", "moved")
# Department portals post a few items a working day: every 3 hours keeps the feeds fresh the
# same day for ~8 listing fetches a day per portal. An archived (frozen) or moved site changes
# rarely if ever; a weekly look notices a revival or a redirect without costing anyone.
DEFAULT_CRAWL_EVERY = {
    "active": timedelta(hours=3),
    "archived": timedelta(days=7),
    "moved": timedelta(days=7),
}


@dataclass(frozen=True)
class Evidence:
    """Where a site's host was seen, and what that shows."""

    where: str
    shows: str
    strength: str  # one of STRENGTHS
    query: str | None = None
    host: str | None = None
    cms: str | None = None  # one of aggregator.cms.CMS_NAMES

    @property
    def confirms(self) -> bool:
        return self.strength == "confirms"

    def to_dict(self) -> dict[str, str]:
        data = {
            "where": self.where,
            "query": self.query,
            "shows": self.shows,
            "strength": self.strength,
            "host": self.host,
            "cms": self.cms,
        }
        return {key: value for key, value in data.items() if value is not None}


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    province: str
    start_urls: tuple[str, ...]
    profile: str | None = None
    allow_private_network: bool = False
    url_source: str | None = None
    confirmed: bool = False
    province_id: str | None = None  # set by the parser, from the gazetteer
    current_province_id: str | None = None  # the province it belongs to since 1 July 2025
    kind: str = "department"
    status: str = "active"
    crawl_every: timedelta = DEFAULT_CRAWL_EVERY["active"]
    moved_to: str | None = None
    notes: str | None = None
    evidence: tuple[Evidence, ...] = ()
    searched: tuple[str, ...] = ()

    @property
    def hosts(self) -> frozenset[str]:
        """The hosts of the start URLs (:func:`~aggregator.urls.site_host`): pages there
        belong to this site."""
        return frozenset(site_host(u) for u in self.start_urls)

    def cms_evidence(self) -> tuple[Evidence, ...]:
        """The evidence items showing the CMS of this site's own hosts (an item about a sister
        department's host tells nothing of this one's); only those of a ``sites check`` where
        one saw a CMS: a site may have changed since the other material was written."""
        own = tuple(
            item
            for item in self.evidence
            if item.cms and (item.host is None or site_host(f"http://{item.host}") in self.hosts)
        )
        checked = tuple(item for item in own if item.where.startswith(CHECK_WHERE))
        return checked or own

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "province": self.province,
            "start_urls": list(self.start_urls),
        }
        if self.profile:
            data["profile"] = self.profile
        if self.allow_private_network:
            data["allow_private_network"] = True
        if self.url_source:
            data["url_source"] = self.url_source
        data["confirmed"] = self.confirmed
        data["province_id"] = self.province_id
        data["current_province_id"] = self.current_province_id
        data["kind"] = self.kind
        data["status"] = self.status
        data["crawl_every"] = format_duration(self.crawl_every)
        if self.moved_to:
            data["moved_to"] = self.moved_to
        if self.notes:
            data["notes"] = self.notes
        data["evidence"] = [item.to_dict() for item in self.evidence]
        data["searched"] = list(self.searched)
        return data


@dataclass(frozen=True)
class Registry:
    sites: tuple[Site, ...]
    path: Path | None = None

    def get(self, site_id: str) -> Site:
        for site in self.sites:
            if site.id == site_id:
                return site
        raise RegistryError(f"{self._where()}: no site with id {site_id!r}{self._hint(site_id)}")

    def select(self, site_ids: Iterable[str]) -> tuple[Site, ...]:
        ids = list(site_ids)
        return tuple(self.get(i) for i in ids) if ids else self.sites

    def site_for_url(self, url: str) -> Site | None:
        for site in self.sites:
            if same_site(url, site.hosts):
                return site
        return None

    def _hint(self, site_id: str) -> str:
        """The nearest ids to a mistyped one; the whole list only when it is short (the
        built-in registry has a hundred)."""
        ids = [s.id for s in self.sites]
        near = difflib.get_close_matches(site_id, ids, n=3, cutoff=0.6)
        if near:
            return f"; did you mean {', '.join(near[:-1]) + ' or ' if near[1:] else ''}{near[-1]}?"
        if len(ids) <= _LISTED_IDS:
            return f" (known: {', '.join(ids) or 'none'})"
        return " (`tinlaodong sites` lists them)"

    def _where(self) -> str:
        return str(self.path) if self.path else "registry"


def default_registry_path() -> Path:
    return Path(__file__).with_name("sites.yaml")


def load_registry(path: Path | None = None) -> Registry:
    """Read and validate a registry file; every problem is a one-line RegistryError.

    A file read before and unchanged since (same size and modification time) is not read
    again: a crawl's every site reads the registry its alert rules refer to."""
    path = path or default_registry_path()
    try:
        info = path.stat()
    except OSError:
        return _read_registry(path, 0, -1)  # says what is wrong with it
    return _read_registry(path, info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=8)
def _read_registry(path: Path, mtime_ns: int, size: int) -> Registry:
    """The registry of ``path`` as it is at ``mtime_ns`` and ``size`` (the cache's key)."""
    try:
        raw = yamlfile.read(path)
    except YamlLimitError as exc:
        raise RegistryError(str(exc)) from None
    except FileNotFoundError:
        raise RegistryError(f"{path}: no such registry file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        where, problem = yamlfile.error_place(exc, path)
        raise RegistryError(f"{where}: {problem}") from exc
    return parse_registry(raw, path)


def parse_registry(
    raw: object, path: Path | None = None, gazetteer: Gazetteer | None = None
) -> Registry:
    where = str(path) if path else "registry"
    gazetteer = gazetteer or default_gazetteer()
    if not isinstance(raw, Mapping) or not isinstance(raw.get("sites"), list):
        raise RegistryError(f"{where}: expected a top-level 'sites:' list")
    sites: list[Site] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw["sites"], start=1):
        site = _parse_entry(entry, f"{where}: site #{index}", gazetteer)
        if site.id in seen:
            raise RegistryError(f"{where}: site #{index}: duplicate id {site.id!r}")
        seen.add(site.id)
        sites.append(site)
    return Registry(tuple(sites), path)


def _parse_entry(entry: object, where: str, gazetteer: Gazetteer) -> Site:
    entry, where = _checked_keys(entry, where)
    site_id = str(entry["id"])
    if not _ID_RE.match(site_id):
        raise RegistryError(f"{where}: id must be lowercase letters, digits and '-'")
    province_name = _text(entry, "province", where)
    province = _province(province_name, gazetteer, where)
    kind = _choice(entry, "kind", KINDS, "press" if province.is_national else "department", where)
    status = _choice(entry, "status", STATUSES, "active", where)
    evidence = _evidence(entry.get("evidence"), where)
    confirmed = _flag(entry, "confirmed", where)
    if confirmed and "evidence" in entry and not any(item.confirms for item in evidence):
        raise RegistryError(f"{where}: confirmed: true, but no evidence item confirms the host")
    return Site(
        id=site_id,
        name=_text(entry, "name", where),
        province=province_name,
        start_urls=_start_urls(entry["start_urls"], where),
        profile=_profile(entry.get("profile"), where),
        allow_private_network=_flag(entry, "allow_private_network", where),
        url_source=str(entry["url_source"]) if entry.get("url_source") else None,
        confirmed=confirmed,
        province_id=province.id,
        current_province_id=gazetteer.current_of(province).id,
        kind=kind,
        status=status,
        crawl_every=_crawl_every(entry.get("crawl_every"), status, where),
        moved_to=_moved_to(entry.get("moved_to"), status, where),
        notes=str(entry["notes"]).strip() if entry.get("notes") else None,
        evidence=evidence,
        searched=_searched(entry.get("searched"), where),
    )


def _evidence(value: object, where: str) -> tuple[Evidence, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RegistryError(f"{where}: evidence must be a list of where/shows/strength items")
    return tuple(
        _evidence_item(item, f"{where}: evidence #{n}") for n, item in enumerate(value, start=1)
    )


def _evidence_item(item: object, where: str) -> Evidence:
    if not isinstance(item, Mapping):
        raise RegistryError(f"{where}: expected a mapping with {', '.join(_EVIDENCE_REQUIRED)}")
    unknown = sorted(set(item) - set(_EVIDENCE_REQUIRED) - set(_EVIDENCE_OPTIONAL))
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    for key in _EVIDENCE_REQUIRED:
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise RegistryError(f"{where}: {key} must be a non-empty string")
    if item["strength"] not in STRENGTHS:
        raise RegistryError(
            f"{where}: strength {item['strength']!r} is not one of {', '.join(STRENGTHS)}"
        )
    cms = item.get("cms")
    if cms is not None and cms not in CMS_NAMES:
        raise RegistryError(f"{where}: cms {cms!r} is not one of {', '.join(CMS_NAMES)}")
    for key in _EVIDENCE_OPTIONAL:
        if item.get(key) is not None and not isinstance(item[key], str):
            raise RegistryError(f"{where}: {key} must be a string")
    return Evidence(
        where=item["where"].strip(),
        shows=item["shows"].strip(),
        strength=item["strength"],
        query=item.get("query") or None,
        host=item.get("host") or None,
        cms=cms,
    )


def _searched(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(q, str) and q.strip() for q in value):
        raise RegistryError(f"{where}: searched must be a list of the queries tried")
    return tuple(q.strip() for q in value)


def _checked_keys(entry: object, where: str) -> tuple[Mapping[str, Any], str]:
    """The entry as a mapping with every required key and no unknown one; ``where`` with its id."""
    if not isinstance(entry, Mapping):
        raise RegistryError(f"{where}: expected a mapping with {', '.join(_REQUIRED)}")
    if isinstance(entry.get("id"), str):
        where = f"{where} ({entry['id']})"
    missing = [key for key in _REQUIRED if not entry.get(key)]
    if missing:
        raise RegistryError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    return entry, where


def _province(name: str, gazetteer: Gazetteer, where: str) -> Province:
    province = gazetteer.find(name)
    if province is not None:
        return province
    close = gazetteer.suggest(name)
    hint = f"did you mean {' or '.join(close)}?" if close else "see aggregator/provinces.yaml"
    raise RegistryError(f"{where}: unknown province {name!r} ({hint})")


def _choice(
    entry: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str, where: str
) -> str:
    value = entry.get(key, default)
    if value not in allowed:
        raise RegistryError(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _crawl_every(value: object, status: str, where: str) -> timedelta:
    if value is None:
        return DEFAULT_CRAWL_EVERY[status]
    try:
        return parse_duration(str(value))
    except ValueError as exc:
        raise RegistryError(f"{where}: crawl_every: {exc}") from None


def _moved_to(value: object, status: str, where: str) -> str | None:
    if value is None:
        return None
    if status != "moved":
        raise RegistryError(f"{where}: moved_to is only for status moved")
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistryError(f"{where}: moved_to {value!r} is not an http(s) URL")
    return str(value)


# Longer than anything the news has (and far inside what timedelta and dates can hold).
MAX_DURATION = timedelta(days=100 * 365)


class DurationTooLong(ValueError):
    """A well-formed duration beyond :data:`MAX_DURATION`."""


def parse_duration(text: str) -> timedelta:
    """``30m``, ``6h``, ``7d``, ``2w`` as a timedelta, at most about 100 years."""
    match = _DURATION_RE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30m, 6h, 7d or 2w")
    count, unit = int(match[1]), _UNITS[match[2]]
    if count > MAX_DURATION // unit:
        raise DurationTooLong(f"{text!r} is longer than 100 years")
    return count * unit


def format_duration(value: timedelta) -> str:
    """The ``parse_duration`` text for ``value``: the largest unit up to days that divides it
    (``7d`` reads better than ``1w``)."""
    for unit in ("d", "h", "m"):
        size = _UNITS[unit]
        if value % size == timedelta(0):
            return f"{value // size}{unit}"
    return f"{int(value.total_seconds() // 60)}m"


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _flag(entry: Mapping[str, Any], key: str, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise RegistryError(f"{where}: {key} must be true or false")
    return value


def _start_urls(value: object, where: str) -> tuple[str, ...]:
    urls = [value] if isinstance(value, str) else value
    if not isinstance(urls, list) or not urls:
        raise RegistryError(f"{where}: start_urls must be a list of URLs")
    for url in urls:
        try:
            parts = urlsplit(str(url))
            _ = parts.port  # a port that is not a number raises here, not at the crawl
        except ValueError as exc:
            raise RegistryError(f"{where}: start URL {url!r} cannot be read: {exc}") from None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RegistryError(f"{where}: start URL {url!r} is not an http(s) URL")
    return tuple(str(u) for u in urls)


def _profile(value: object, where: str) -> str | None:
    if value is None:
        return None
    # Imported here: the profiles package pulls in lxml and trafilatura, which
    # listing the registry does not need.
    from aggregator.profiles import get_profile

    try:
        get_profile(str(value))
    except RegistryError:
        raise
    except Exception as exc:  # ConfigError naming the known profiles
        raise RegistryError(f"{where}: {exc}") from exc
    return str(value)
