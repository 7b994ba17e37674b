"""What the feeds, the alerts and the listings need to know of the sites: names and provinces,
then and now (the 2025 merger)."""

from __future__ import annotations

from collections.abc import Sequence

from aggregator.gazetteer import default_gazetteer
from aggregator.registry import Site


class SiteIndex:
    """What the feeds need to know of the sites: names and provinces, then and now."""

    def __init__(self, sites: Sequence[Site]) -> None:
        self.sites = {s.id: s for s in sites}
        self.gazetteer = default_gazetteer()

    def name(self, site_id: str) -> str:
        site = self.sites.get(site_id)
        return site.name if site else site_id

    def provinces(self, site_id: str) -> list[str]:
        """The publisher's province and, if the 2025 merger changed it, the current one."""
        site = self.sites.get(site_id)
        if site is None or not site.province_id:
            return []
        names = [self.gazetteer.get(site.province_id).name]
        if site.current_province_id and site.current_province_id != site.province_id:
            names.append(self.gazetteer.get(site.current_province_id).name)
        return names

