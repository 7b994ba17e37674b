"""Vietnam's provinces before and after the 2025 reorganisation (``provinces.yaml``).

The 63 provinces and cities until 30 June 2025 became 34 on 1 July 2025 (Resolution
202/2025/QH15). One :class:`Province` per distinct name: a name that is both one of the 63 and one
of the 34 (Hà Nội, Bắc Ninh, ...) is one entry with ``former`` and ``current`` set. ``Toàn
quốc`` (``toan-quoc``) stands for the ministry and the national press; it is neither.

An earlier merger is a former province too, with its day (``merged``): Hà Tây, part of Hà Nội
since 1 August 2008 (Resolution 15/2008/QH12), is named in stories still. It is not one of the 63
(:meth:`Gazetteer.all_former` lists it with them; ``merged`` tells it apart).

Lookups ignore case, diacritics, tone placement (Hòa/Hoà), punctuation and the "tỉnh",
"thành phố", "TP." prefixes: the registry's ``province:`` is written by people.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from aggregator import yamlfile
from aggregator.exceptions import ConfigError

NATIONAL_ID = "toan-quoc"
_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LABEL_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PREFIX_RE = re.compile(r"^(tinh|thanh pho|tp)(\s+|\.\s*|$)")
_KEYS = frozenset({"id", "name", "type", "label", "label_confirmed", "aliases"})
_CURRENT_KEYS = _KEYS | {"former", "absorbed"}
_ABSORBED_KEYS = _KEYS | {"merged"}
REORGANISED = date(2025, 7, 1)  # Resolution 202/2025/QH15: the 63 became the 34
_TYPES = ("city", "province")


@dataclass(frozen=True)
class Province:
    id: str
    name: str
    type: str  # "city" (thành phố trực thuộc trung ương) | "province" (tỉnh) | "national"
    label: str | None = None  # <label>.gov.vn
    label_confirmed: bool = False
    aliases: tuple[str, ...] = ()
    former: bool = False  # one of the 63 (until 30 June 2025), or merged earlier (Hà Tây)
    current: bool = False  # one of the 34 (since 1 July 2025)
    successor_id: str | None = None  # the current province that absorbed a former-only one
    merged: date | None = None  # the day a former-only one became part of its successor

    @property
    def domain(self) -> str | None:
        return f"{self.label}.gov.vn" if self.label else None

    @property
    def is_national(self) -> bool:
        return self.id == NATIONAL_ID


def normalise(name: str) -> str:
    """The lookup key of a name: no case, diacritics, punctuation or administrative prefix."""
    text = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().strip()
    text = _PREFIX_RE.sub("", text, count=1)
    return re.sub(r"[^a-z0-9]+", "", text)


class Gazetteer:
    def __init__(self, provinces: Iterable[Province], path: Path | None = None) -> None:
        self.path = path
        self._by_id: dict[str, Province] = {}
        self._by_key: dict[str, Province] = {}
        for province in provinces:
            self._add(province)
        if NATIONAL_ID not in self._by_id:
            raise ConfigError(f"{self._where()}: no national entry ({NATIONAL_ID})")

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        path = path or default_gazetteer_path()
        return cls(_read_provinces(path), path)

    def find(self, name: str) -> Province | None:
        return self._by_key.get(normalise(name))

    def get(self, province_id: str) -> Province:
        return self._by_id[province_id]

    def current_of(self, province: Province) -> Province:
        """The current province a former one is part of now; a current one is its own."""
        return self._by_id[province.successor_id] if province.successor_id else province

    def former_of(self, current: Province) -> list[Province]:
        """The former provinces that make up ``current`` (itself first, if it was one)."""
        return [p for p in self.all_former() if self.current_of(p) == current]

    def all_current(self) -> list[Province]:
        return [p for p in self._by_id.values() if p.current]

    def all_former(self) -> list[Province]:
        return [p for p in self._by_id.values() if p.former]

    @property
    def national(self) -> Province:
        return self._by_id[NATIONAL_ID]

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Names close to a misspelt one, for error messages."""
        keys = difflib.get_close_matches(normalise(name), self._by_key, n=limit * 2, cutoff=0.6)
        names = dict.fromkeys(self._by_key[k].name for k in keys)
        return list(names)[:limit]

    def _add(self, province: Province) -> None:
        where = f"{self._where()}: {province.id}"
        if province.id in self._by_id:
            raise ConfigError(f"{where}: duplicate id")
        self._by_id[province.id] = province
        for name in (province.name, *province.aliases):
            other = self._by_key.setdefault(normalise(name), province)
            if other is not province:
                raise ConfigError(f"{where}: name {name!r} is also {other.id}'s")

    def _where(self) -> str:
        return str(self.path) if self.path else "gazetteer"


def default_gazetteer_path() -> Path:
    return Path(__file__).with_name("provinces.yaml")


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer, read once per process (it does not change while running)."""
    return Gazetteer.load()


def _read_provinces(path: Path) -> list[Province]:
    try:
        raw = yamlfile.read(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the gazetteer: {exc}".replace("\n", " ")) from exc
    if not isinstance(raw, Mapping) or not isinstance(raw.get("current"), list):
        raise ConfigError(f"{path}: expected 'national:' and a 'current:' list")
    provinces = [_national(raw.get("national"), path)]
    for index, entry in enumerate(raw["current"], start=1):
        provinces.extend(_current_and_absorbed(entry, f"{path}: current #{index}"))
    return provinces


def _national(entry: object, path: Path) -> Province:
    where = f"{path}: national"
    if not isinstance(entry, Mapping) or entry.get("id") != NATIONAL_ID:
        raise ConfigError(f"{where}: expected a mapping with id {NATIONAL_ID}")
    return Province(
        id=NATIONAL_ID,
        name=_text(entry, "name", where),
        type="national",
        aliases=_aliases(entry, where),
    )


def _current_and_absorbed(entry: object, where: str) -> list[Province]:
    fields = _fields(entry, where, _CURRENT_KEYS)
    current = Province(**fields, current=True, former=_flag(entry, "former", where, True))
    absorbed = _mapping(entry, where).get("absorbed") or []
    if not isinstance(absorbed, list):
        raise ConfigError(f"{where} ({current.id}): absorbed must be a list")
    merged = [
        _absorbed(item, f"{where} ({current.id}) absorbed #{i}", current.id)
        for i, item in enumerate(absorbed, start=1)
    ]
    return [current, *merged]


def _absorbed(entry: object, where: str, successor_id: str) -> Province:
    """A former province part of ``successor_id`` since its ``merged`` day (by default the
    2025 reorganisation's)."""
    fields = _fields(entry, where, _ABSORBED_KEYS)
    merged = _mapping(entry, where).get("merged", REORGANISED)
    if not isinstance(merged, date):  # YAML reads 2008-08-01 as a date
        raise ConfigError(f"{where} ({fields['id']}): merged must be a day, YYYY-MM-DD")
    return Province(**fields, former=True, successor_id=successor_id, merged=merged)


def _fields(entry: object, where: str, keys: frozenset[str]) -> dict[str, Any]:
    """The fields shared by current and absorbed entries, validated."""
    entry = _mapping(entry, where)
    if isinstance(entry.get("id"), str):
        where = f"{where} ({entry['id']})"
    unknown = sorted(set(map(str, entry)) - keys)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    province_id, label = _text(entry, "id", where), _text(entry, "label", where)
    if not _ID_RE.match(province_id):
        raise ConfigError(f"{where}: id must be lowercase words joined by '-'")
    if not _LABEL_RE.match(label):
        raise ConfigError(f"{where}: label {label!r} is not a domain label")
    if entry.get("type") not in _TYPES:
        raise ConfigError(f"{where}: type must be one of {', '.join(_TYPES)}")
    return {
        "id": province_id,
        "name": _text(entry, "name", where),
        "type": entry["type"],
        "label": label,
        "label_confirmed": _flag(entry, "label_confirmed", where, False),
        "aliases": _aliases(entry, where),
    }


def _mapping(entry: object, where: str) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a mapping with id, name, type and label")
    return entry


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _flag(entry: object, key: str, where: str, default: bool) -> bool:
    value = _mapping(entry, where).get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false")
    return value


def _aliases(entry: Mapping[str, Any], where: str) -> tuple[str, ...]:
    value = entry.get("aliases") or []
    if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
        raise ConfigError(f"{where}: aliases must be a list of names")
    return tuple(a.strip() for a in value)
