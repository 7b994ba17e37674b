"""Which provinces a story belongs to: the ones it is about and the ones of its publishers.

A story is **about** the provinces its title and text name (``aggregator.tags``): a former
province named (Kon Tum) counts with the current one it is part of (Quảng Ngãi), both kept.
Its **publishers'** provinces are those of the sites of its sources: the province a site is
registered in and the one that is now (a Kon Tum site: Kon Tum and Quảng Ngãi); "Toàn quốc"
(the ministry, the national press) is a publisher's, never a province a story is about.

The rule every filter follows (the web page, the province feeds, ``search --province``, the
alert rules' ``provinces:``): a story belongs to province P when it names P (or, P current, a
former province now part of P) or a site of P published it (P current: its sites and those of
the former provinces now part of it). With ids, one test: P's id is among the story's about or
publishers' ids; :meth:`ProvinceRule.clause` is the same test in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from aggregator.gazetteer import Gazetteer, Province, default_gazetteer
from aggregator.registry import Site
from aggregator.store.schema import Source, Story
from aggregator.store.search_schema import StoryTag
from aggregator.tags import FORMER_PROVINCE, PROVINCE, resolve_province

_PLACE_KINDS = (PROVINCE, FORMER_PROVINCE)
_IDS_PER_QUERY = 5000  # an IN list a query: SQLite's variables are limited


@dataclass(frozen=True)
class StoryProvinces:
    """A story's province ids: the ones it is about and its publishers', each in the
    gazetteer's order, a former province just before the current one it is part of."""

    about: tuple[str, ...]
    publishers: tuple[str, ...]

    def belongs_to(self, province: Province) -> bool:
        """The rule (see the module): it names ``province`` or a site of it published it."""
        return province.id in self.about or province.id in self.publishers


class ProvinceRule:
    """The rule over the registered sites: what each site stands for, the SQL of a filter,
    the provinces of stories and their names."""

    def __init__(self, sites: Iterable[Site], gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or default_gazetteer()
        # Former first, then current: "Kon Tum, Quảng Ngãi", as a reader says it.
        self._rank = {p.id: n for n, p in enumerate(self._reading_order())}
        self.site_provinces: dict[str, tuple[str, ...]] = {}
        for site in sites:
            ids = [i for i in (site.province_id, site.current_province_id) if i]
            self.site_provinces[site.id] = tuple(dict.fromkeys(ids))

    def _reading_order(self) -> list[Province]:
        ordered: list[Province] = [self.gazetteer.national]
        for current in self.gazetteer.all_current():
            ordered += [p for p in self.gazetteer.former_of(current) if p != current]
            ordered.append(current)
        return ordered

    def resolve(self, name_or_id: str) -> Province:
        """A filter's province by id or name; a former one stays itself (Kon Tum is Kon Tum's
        stories, not all of Quảng Ngãi's). Unknown: a one-line ConfigError."""
        return resolve_province(name_or_id, self.gazetteer)

    def sites_of(self, province: Province) -> list[str]:
        """The sites that make a story belong to ``province``."""
        return sorted(s for s, ids in self.site_provinces.items() if province.id in ids)

    def clause(self, provinces: Iterable[Province]) -> ColumnElement[bool]:
        """Stories belonging to one of ``provinces``, as SQL over ``stories``: an index range
        of ``story_tags`` a province and the sources of its sites."""
        provinces = list(provinces)
        sites = sorted({s for p in provinces for s in self.sites_of(p)})
        # The kind that holds a province's id (the same stories either way: a current id is
        # tagged ``province`` whenever it is tagged ``former_province``), for the index.
        current = sorted({p.id for p in provinces if not p.successor_id})
        former = sorted({p.id for p in provinces if p.successor_id})
        tests = [Story.id.in_(select(Source.story_id).where(Source.site_id.in_(sites)))]
        for kind, ids in ((PROVINCE, current), (FORMER_PROVINCE, former)):
            if ids:
                tagged = select(StoryTag.story_id).where(
                    StoryTag.kind == kind, StoryTag.value.in_(ids)
                )
                tests.append(Story.id.in_(tagged))
        return or_(*tests)

    def publishers(self, site_ids: Iterable[str]) -> tuple[str, ...]:
        """The province ids of these sites (unknown sites: none)."""
        return self.ordered(i for s in site_ids for i in self.site_provinces.get(s, ()))

    def of(self, about: Iterable[str], site_ids: Iterable[str]) -> StoryProvinces:
        return StoryProvinces(self.ordered(about), self.publishers(site_ids))

    def about_from_tags(self, tags: Iterable[tuple[str, str]]) -> tuple[str, ...]:
        """The province ids of a story's tags (``Tagger.tags`` or ``story_tags`` rows)."""
        return self.ordered(value for kind, value in tags if kind in _PLACE_KINDS)

    def about_stored(self, engine: Engine, story_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """What each of ``story_ids`` is about, from ``story_tags`` (``refresh_index``)."""
        found: dict[int, list[tuple[str, str]]] = {i: [] for i in story_ids}
        wanted = list(found)
        with Session(engine) as session:
            for start in range(0, len(wanted), _IDS_PER_QUERY):
                query = select(StoryTag.story_id, StoryTag.kind, StoryTag.value).where(
                    StoryTag.story_id.in_(wanted[start : start + _IDS_PER_QUERY]),
                    StoryTag.kind.in_(_PLACE_KINDS),
                )
                for story_id, kind, value in session.execute(query):
                    found[story_id].append((kind, value))
        return {i: self.about_from_tags(tags) for i, tags in found.items()}

    def ordered(self, ids: Iterable[str]) -> tuple[str, ...]:
        known = {i for i in ids if i in self._rank}
        return tuple(sorted(known, key=self._rank.__getitem__))

    def names(self, ids: Iterable[str]) -> list[str]:
        return [self.gazetteer.get(i).name for i in ids]

    def label(self, provinces: StoryProvinces) -> str:
        """ "về: Hà Tĩnh · nguồn: Toàn quốc": what it is about, then where its publishers are
        ("-": none known), as ``stories`` and ``search`` print it."""
        about = ", ".join(self.names(provinces.about)) or "-"
        publishers = ", ".join(self.names(provinces.publishers)) or "-"
        return f"về: {about} · nguồn: {publishers}"

    def as_json(self, provinces: StoryProvinces) -> dict[str, list[str]]:
        """The JSON keys of ``stories --json`` and ``search --json``: names; ``provinces``
        both (what it is about first), as before the two were told apart."""
        about, publishers = self.names(provinces.about), self.names(provinces.publishers)
        return {
            "provinces": list(dict.fromkeys(about + publishers)),
            "provinces_about": about,
            "provinces_publishers": publishers,
        }
