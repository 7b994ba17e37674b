"""From the store to the feeds: which feeds exist and what goes in them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aggregator.gazetteer import default_gazetteer
from aggregator.registry import Site
from aggregator.store import StoryStore, StoryView
from feeds.model import FeedEntry, FeedSource, FeedSpec
from feeds.writer import write_feeds

ALL_SLUG = "all"
HEALTH_SLUG = "health"
AGGREGATOR_LINK = "https://github.com/tinlaodong/tinlaodong"


def site_slug(site_id: str) -> str:
    return f"site-{site_id}"


def province_slug(province_id: str) -> str:
    return f"province-{province_id}"


def story_guid(story: StoryView) -> str:
    # From the body's hash, not a row id: the same story keeps its GUID in a rebuilt database.
    return f"tag:tinlaodong,2024:story/{story.content_hash[:32]}"


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

    def by_current_province(self) -> dict[str, list[Site]]:
        groups: dict[str, list[Site]] = {}
        for site in self.sites.values():
            province = site.current_province_id
            if province and not self.gazetteer.get(province).is_national:
                groups.setdefault(province, []).append(site)
        return dict(sorted(groups.items()))


def to_entry(story: StoryView, index: SiteIndex) -> FeedEntry:
    sources = tuple(FeedSource(s.site_id, index.name(s.site_id), s.url) for s in story.sources)
    provinces = [name for s in story.sources for name in index.provinces(s.site_id)]
    return FeedEntry(
        guid=story_guid(story),
        title=story.title,
        link=story.sources[0].url,
        text=story.text,
        published=story.published or story.first_seen,
        updated=story.updated,
        author=story.author,
        sources=sources,
        images=tuple((i.src, i.caption) for i in story.images),
        categories=tuple(dict.fromkeys(provinces)),
    )


def feed_specs(store: StoryStore, sites: Sequence[Site], limit: int = 100) -> list[FeedSpec]:
    index = SiteIndex(sites)

    def entries(site_ids: Sequence[str] | None = None) -> tuple[FeedEntry, ...]:
        return tuple(to_entry(s, index) for s in store.stories(site_ids=site_ids, limit=limit))

    specs = [
        FeedSpec(
            slug=ALL_SLUG,
            title="tinlaodong: tin lao động, người có công và xã hội",
            description="Tin của các Sở LĐ-TB&XH, Sở Nội vụ và báo chí ngành, mỗi tin một lần.",
            link=AGGREGATOR_LINK,
            entries=entries(),
        ),
        health_spec(store, sites),
    ]
    for province_id, members in index.by_current_province().items():
        province = index.gazetteer.get(province_id)
        former = [p.name for p in index.gazetteer.former_of(province) if p != province]
        also = f" (gồm cả {', '.join(former)} trước 1/7/2025)" if former else ""
        specs.append(
            FeedSpec(
                slug=province_slug(province_id),
                title=f"tinlaodong: {province.name}",
                description=f"Tin lao động, người có công và xã hội của {province.name}{also}.",
                link=AGGREGATOR_LINK,
                entries=entries([s.id for s in members]),
            )
        )
    for site in sites:
        specs.append(
            FeedSpec(
                slug=site_slug(site.id),
                title=site.name,
                description=f"Tin của {site.name} ({site.province}), qua tinlaodong.",
                link=site.start_urls[0],
                entries=entries([site.id]),
            )
        )
    return specs


def health_spec(store: StoryStore, sites: Sequence[Site]) -> FeedSpec:
    """A feed for operators: one entry per site whose layout seems to have changed."""
    by_id = {s.id: s for s in sites}
    entries = []
    for bad in store.unhealthy_sites():
        site = by_id.get(bad.site_id)
        name = site.name if site else bad.site_id
        entries.append(
            FeedEntry(
                # One entry per unhealthy streak: a reader sees it once, not on every crawl.
                guid=f"tag:tinlaodong,2024:health/{bad.site_id}/{bad.since:%Y%m%dT%H%M%S}",
                title=f"{name}: {bad.reason}",
                link=site.start_urls[0] if site else AGGREGATOR_LINK,
                text=(
                    f"Since {bad.since:%Y-%m-%d %H:%M}, crawls of {name} ({bad.site_id}) do not "
                    f"look like its usual crawls: {bad.reason}.\n\n"
                    f"Last crawl: {bad.last_crawl:%Y-%m-%d %H:%M}. Check the site with "
                    f"'tinlaodong try URL' and adjust its profile."
                ),
                published=bad.since,
                updated=bad.last_crawl,
                author=None,
                sources=(),
            )
        )
    return FeedSpec(
        slug=HEALTH_SLUG,
        title="tinlaodong: site health",
        description="Sites whose pages no longer read as they used to (layout changes).",
        link=AGGREGATOR_LINK,
        entries=tuple(entries),
    )


def update_feeds(
    store: StoryStore, sites: Sequence[Site], out_dir: Path, *, base_url: str | None = None
) -> list[Path]:
    """Rewrite every feed under ``out_dir`` from the store; returns the files written."""
    return write_feeds(out_dir, feed_specs(store, sites), base_url=base_url)
