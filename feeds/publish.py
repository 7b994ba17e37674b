"""From the store to the feeds: which feeds exist and what goes in them.

Everything (``all``), site health (``health``), each current province with its former
provinces' sites (``province-<id>``), each topic of ``topics.yaml`` (``topic-<id>``, from the
tags: run ``refresh_index`` first) and each site (``site-<id>``). Each feed is archived (RFC
5005 section 4, see ``feeds.archives``): its subscription document holds its newest
``PAGE_SIZE`` to twice ``PAGE_SIZE`` entries, archives of ``PAGE_SIZE`` hold the older ones,
written once; the ``ARCHIVES`` newest archives stay in the chain (``$TINLAODONG_FEED_ARCHIVES``).

Every feed links to the web page showing the same stories (its channel link) and to itself
(``<home>feeds/<name>``). The home is ``$TINLAODONG_PUBLIC_URL`` (the web app's public address,
e.g. ``https://tin.example/``); without it, the stand-in of ``feeds.origin``, which the server
replaces with its own address when it serves the files.

An empty feed is dated by the store's first crawl (the health feed: the first crawl since a
site was last unhealthy), not at some fixed instant.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from aggregator.dates import plausible_date
from aggregator.gazetteer import Province
from aggregator.site_index import SiteIndex
from feeds.model import FeedEntry, FeedSource, FeedSpec
from feeds.origin import LOCAL_FEEDS, LOCAL_ORIGIN

# The store, the tags and the feed writer are imported when feeds are built: importing this
# module for its constants and SiteIndex (the command line, the alerts) stays quick.
if TYPE_CHECKING:
    from concurrent.futures import Executor

    from sqlalchemy import ColumnElement

    from aggregator.registry import Site
    from aggregator.store import StoryStore, StoryView
    from aggregator.store.views import StoryStamp
    from aggregator.tags import Topic
    from feeds.archives import Archived, ArchiveState

ALL_SLUG = "all"
HEALTH_SLUG = "health"
PUBLIC_URL_ENV = "TINLAODONG_PUBLIC_URL"
PAGE_SIZE = 50  # entries of an archive, and at least of a subscription document
PAGES = 5  # archives of each feed in its chain: older ones leave it (the horizon)
ARCHIVES_ENV = "TINLAODONG_FEED_ARCHIVES"
MAX_ARCHIVES = 100_000
logger = logging.getLogger("tinlaodong.feeds")
TOPICS_GROUP = "Chủ đề"


def ordering_date(story: StoryView) -> datetime:
    """When a story counts as published in the feeds: its own date, else (none, or not a
    plausible one: stored before dates were checked) when it was first seen.

    A feed date needs a time of day, and a date-only story has none: when it was first seen,
    if that was on its day (a crawl soon after it went up), else its day's local midnight."""
    return _ordering(story.published, story.first_seen, story.date_only)


def _ordering(published: datetime | None, first_seen: datetime, date_only: bool) -> datetime:
    if published is None or not plausible_date(published, first_seen):
        return first_seen
    if date_only and first_seen.date() == published.date():
        return first_seen
    return published


def site_slug(site_id: str) -> str:
    return f"site-{site_id}"


def province_slug(province_id: str) -> str:
    return f"province-{province_id}"


def topic_slug(topic_id: str) -> str:
    return f"topic-{topic_id}"


def story_guid(story: StoryView | StoryStamp) -> str:
    # From the body's hash, not a row id: the same story keeps its GUID in a rebuilt database.
    return f"tag:tinlaodong,2024:story/{story.content_hash[:32]}"


class Archiving:
    """The archived feeds' part of a rebuild: each feed's plan (``feeds.archives``), made
    while its stories are chosen, and what the writer then needs of it."""

    def __init__(self, out_dir: Path, state: ArchiveState, size: int, keep: int) -> None:
        self.out_dir, self.state, self.size, self.keep = out_dir, state, size, keep
        self.archived: dict[str, Archived] = {}

    @property
    def window(self) -> int:
        """How many of a feed's last changed stories can matter: those of its kept archives
        and its subscription document."""
        return (self.keep + 2) * self.size

    def place(
        self,
        slug: str,
        stamps: Sequence[StoryStamp],
        load: Callable[[list[int]], dict[int, FeedEntry]],
    ) -> tuple[FeedEntry, ...]:
        """Plan ``slug``'s archives from its stories ``stamps``; ``load``: the entries of
        story ids (those that still exist); returns its subscription document's entries."""
        from feeds.archives import Archived, Member
        from feeds.writer import EXTENSIONS

        members = [
            Member(
                s.id,
                story_guid(s),
                s.updated.astimezone(UTC).isoformat(),
                _ordering(s.published, s.first_seen, s.date_only).astimezone(UTC).isoformat(),
            )
            for s in stamps
        ]
        feed = self.state.feeds.get(slug)
        missing = {
            a.number
            for a in (feed.archives if feed else ())
            if not all(
                (self.out_dir / f"{slug}.archive-{a.number}{e}").is_file() for e in EXTENSIONS
            )
        }
        plan = self.state.plan(slug, members, self.size, self.keep, missing)
        current = [m.id for m in plan.current]
        made = load(current + [i for ids in plan.render.values() for i in ids])
        # An archive's story deleted meanwhile, or another under its row id: left out.
        render = {
            n: tuple(made[i] for i in ids if i in made and made[i].guid == plan.guids[i])
            for n, ids in plan.render.items()
        }
        self.archived[slug] = Archived(plan.kept, render)
        return tuple(made[i] for i in current if i in made)


def to_entry(story: StoryView, index: SiteIndex, about: Sequence[str] = ()) -> FeedEntry:
    """The feed entry of ``story``; its categories: the provinces it is about (``about``,
    names), then its publishers'."""
    sources = tuple(FeedSource(s.site_id, index.name(s.site_id), s.url) for s in story.sources)
    provinces = [*about, *(name for s in story.sources for name in index.provinces(s.site_id))]
    return FeedEntry(
        guid=story_guid(story),
        title=story.title,
        link=story.sources[0].url,
        text=story.text,
        summary=story.lead,
        published=ordering_date(story),
        updated=story.updated,
        author=story.author,
        sources=sources,
        images=tuple((i.src, i.caption) for i in story.images),
        categories=tuple(dict.fromkeys(provinces)),
    )


def feed_specs(
    store: StoryStore,
    sites: Sequence[Site],
    limit: int = 100,
    *,
    home_url: str | None = None,
    topics: Sequence[Topic] | None = None,
    health: FeedSpec | None = None,
    filters: bool = True,
    archiving: Archiving | None = None,
) -> list[FeedSpec]:
    """Every feed with its ``limit`` newest stories. ``home_url``: the web app's address, for
    the feeds' rel="alternate" links (else the stand-in the server replaces), with each
    feed's filters unless ``filters`` is false (a plain feed list); ``health``: the health
    feed, if already made. ``archiving``: each feed's entries are those of its subscription
    document instead, its archives planned there (``limit``: its window)."""
    from aggregator.story_provinces import ProvinceRule
    from aggregator.tags import default_topics, story_ids_tagged

    index = SiteIndex(sites)
    rule = ProvinceRule(sites, index.gazetteer)
    # Each story is in several feeds (everything, its site's, its province's, its topics'):
    # loaded and made an entry once, the same object in each (the HTML cache keys on it).
    made: dict[int, FeedEntry] = {}

    def load(ids: list[int]) -> dict[int, FeedEntry]:
        missing = [i for i in dict.fromkeys(ids) if i not in made]
        about = rule.about_stored(store.engine, missing)
        for story_id, story in store.stories_by_id(missing).items():
            made[story_id] = to_entry(story, index, rule.names(about[story_id]))
        return made

    def entries(
        slug: str,
        site_ids: Sequence[str] | None = None,
        story_ids: Sequence[int] | None = None,
        matching: ColumnElement[bool] | None = None,
    ) -> tuple[FeedEntry, ...]:
        if site_ids is not None and not site_ids or story_ids is not None and not story_ids:
            stamps: list[StoryStamp] = []  # none of no sites or no stories: no query
            ids: list[int] = []
        elif archiving is not None:
            stamps = store.story_stamps(
                site_ids=site_ids, story_ids=story_ids, matching=matching, limit=limit
            )
        else:
            ids = store.story_ids(
                site_ids=site_ids, story_ids=story_ids, matching=matching, limit=limit
            )
        if archiving is not None:
            return archiving.place(slug, stamps, load)
        load(ids)
        return tuple(made[i] for i in ids if i in made)  # one deleted meanwhile: left out

    def page(**query: str) -> str:
        return page_url(home_url, **(query if filters else {}))

    national = index.gazetteer.national.name
    specs = [
        FeedSpec(
            slug=ALL_SLUG,
            title="tinlaodong: tin lao động, người có công và xã hội",
            description="Tin của các Sở LĐ-TB&XH, Sở Nội vụ và báo chí ngành, mỗi tin một lần.",
            link=page(),
            entries=entries(ALL_SLUG),
        ),
        health or health_spec(store, sites, home_url=home_url),
    ]
    for topic in default_topics() if topics is None else topics:
        # The last stored first: twice what the feed shows covers any order by date.
        tagged = story_ids_tagged(store.engine, topic=topic.id, limit=2 * limit)
        slug = topic_slug(topic.id)
        specs.append(
            FeedSpec(
                slug=slug,
                title=f"tinlaodong: {topic.name}",
                description=f"Tin về {topic.name} của các Sở và báo chí ngành.",
                link=page(topic=topic.id),
                entries=entries(slug, story_ids=tagged),
                group=TOPICS_GROUP,
            )
        )
    # Every current province has a feed: a province without a registered site still gets the
    # press's and the ministry's stories about it.
    for province in index.gazetteer.all_current():
        province_id = province.id
        also = _absorbed_before(index.gazetteer.former_of(province), province)
        slug = province_slug(province_id)
        specs.append(
            FeedSpec(
                slug=slug,
                title=f"tinlaodong: {province.name}",
                description=f"Tin lao động, người có công và xã hội của {province.name}{also}.",
                link=page(province=province_id),
                # By the rule of aggregator.story_provinces: its sites' stories (those of the
                # provinces it absorbed too) and the ones naming it or a province it absorbed.
                entries=entries(slug, matching=rule.clause([province])),
                group=province.name,
            )
        )
    for site in sites:
        current = site.current_province_id
        slug = site_slug(site.id)
        specs.append(
            FeedSpec(
                slug=slug,
                title=site.name,
                description=f"Tin của {site.name} ({site.province}), qua tinlaodong.",
                link=site.start_urls[0],  # the web page has no filter by site: the site's own
                entries=entries(slug, [site.id]),
                group=index.gazetteer.get(current).name if current else national,
            )
        )
    as_of = empty_since(store)
    return [s if s.entries else dataclasses.replace(s, updated=as_of) for s in specs]


def page_url(home_url: str | None, **query: str) -> str:
    """The web page (``home_url``, else the stand-in) with ``query`` as its filters."""
    return (home_url or LOCAL_ORIGIN) + ("?" + urlencode(query) if query else "")


def empty_since(store: StoryStore, *, health: bool = False) -> datetime:
    """The date of a feed with no entries: the store's first crawl (the health feed: the
    first since a site was last unhealthy); now if there is none. Not the last crawl: a
    crawl that finds nothing new leaves every feed as it was."""
    since = store.quiet_since(health=health)
    return since or datetime.now(UTC).replace(microsecond=0)


def health_spec(
    store: StoryStore, sites: Sequence[Site], *, home_url: str | None = None
) -> FeedSpec:
    """A feed for operators: one entry per site whose layout seems to have changed. Its link:
    the web page's site health table."""
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
                link=site.start_urls[0] if site else page_url(home_url),
                text=(
                    f"Từ {bad.since:%d/%m/%Y %H:%M}, các lần thu thập {name} ({bad.site_id}) "
                    f"không giống như thường lệ: {bad.reason}.\n\n"
                    f"Lần thu thập gần nhất: {bad.last_crawl:%d/%m/%Y %H:%M}. Hãy kiểm tra "
                    f"trang bằng 'tinlaodong try URL' và chỉnh hồ sơ của nó."
                ),
                published=bad.since,
                updated=bad.last_crawl,
                author=None,
                sources=(),
            )
        )
    return FeedSpec(
        slug=HEALTH_SLUG,
        title="tinlaodong: tình trạng các trang",
        description="Các trang nguồn không còn đọc được như trước (bố cục đã thay đổi).",
        link=page_url(home_url),
        entries=tuple(entries),
        updated=None if entries else empty_since(store, health=True),
    )


def update_feeds(
    store: StoryStore,
    sites: Sequence[Site],
    out_dir: Path,
    *,
    base_url: str | None = None,
    home_url: str | None = None,
    page_size: int = PAGE_SIZE,
    pages: int | None = None,
    pool: Executor | None = None,
) -> list[Path]:
    """Bring every feed under ``out_dir`` up to date with the store (a feed whose stories did
    not change is not rewritten; nothing is rebuilt if the store's content, the sites and the
    options are those of the last update: ``feeds.publish_state``); returns the files it
    is responsible for.

    ``base_url``: where ``out_dir`` is served; ``home_url``: the web app; one alone gives
    the other (the folder's index page; the app's ``feeds/``). Without either,
    ``$TINLAODONG_PUBLIC_URL`` gives both (the feeds under its ``feeds/``); without it too,
    the stand-in of ``feeds.origin``, which the server replaces. ``pool``: a
    process pool that renders part of the feeds when many must be rebuilt (``write_feeds``).
    ``page_size``: entries of an archive; ``pages``: archives kept in each feed's chain
    (default ``$TINLAODONG_FEED_ARCHIVES``, else ``PAGES``).
    """
    if base_url is None and home_url is None:
        public = os.environ.get(PUBLIC_URL_ENV)
        home_url = public.rstrip("/") + "/" if public else LOCAL_ORIGIN
        base_url = home_url + "feeds/" if public else LOCAL_FEEDS
    filters = True
    if home_url is None and base_url is not None:
        # A folder on a static host: its index.html lists the feeds, with no filters.
        home_url, filters = base_url.rstrip("/") + "/", False
    elif base_url is None and home_url is not None:  # where the web app serves them
        base_url = home_url.rstrip("/") + "/feeds/"
    from aggregator.store.generation import content_generation
    from feeds import archives
    from feeds.publish_state import current_files, inputs_fingerprint, write_state
    from feeds.writer import write_feeds

    if pages is None:
        pages = archives_kept()

    # Read before the stories: a story stored meanwhile bumps it past what is recorded.
    generation = content_generation(store.engine)
    # From the crawl runs, which the generation leaves out.
    health = health_spec(store, sites, home_url=home_url)
    inputs = inputs_fingerprint(tuple(sites), base_url, home_url, page_size, pages)
    written = current_files(out_dir, inputs, generation)
    if written is None:
        layout = _layout(tuple(sites), base_url, home_url, page_size)
        archiving = Archiving(out_dir, archives.read_state(out_dir, layout), page_size, pages)
        specs = feed_specs(
            store,
            sites,
            archiving.window,
            home_url=home_url,
            health=health,
            filters=filters,
            archiving=archiving,
        )
        written = write_feeds(
            out_dir,
            specs,
            base_url=base_url,
            limit=page_size,
            pool=pool,
            archives=archiving.archived,
        )
        archiving.state.publish += 1
        archiving.state.forget_others({spec.slug for spec in specs})
        archives.write_state(out_dir, archiving.state)
    else:
        # Nothing the other feeds show has changed: the health feed alone may have (a site
        # that stays unhealthy has a new last crawl), and it is rewritten only if it did.
        own = write_feeds(out_dir, [health], base_url=base_url, limit=page_size, listing=False)
        written = _replace_feed(written, HEALTH_SLUG, own)
    write_state(out_dir, inputs, generation, written)
    return written


def archives_kept() -> int:
    """``$TINLAODONG_FEED_ARCHIVES``, else ``PAGES``: a value that is not a count is said
    once and the default used."""
    value = os.environ.get(ARCHIVES_ENV, "").strip()
    if not value:
        return PAGES
    try:
        kept = int(value)
        if not 0 <= kept <= MAX_ARCHIVES:  # a typo's huge count overflowed SQLite's integers
            raise ValueError(value)
    except ValueError:
        logger.warning(
            "feeds: %s=%r is not a count of archives: %d kept", ARCHIVES_ENV, value, PAGES
        )
        return PAGES
    return kept


def _layout(*parts: object) -> str:
    """What the archives' bytes and cuts depend on beside their format: sites (names,
    provinces), addresses, archive size. Another layout cuts and writes them again."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _replace_feed(files: list[Path], slug: str, new: list[Path]) -> list[Path]:
    """``files`` with those of feed ``slug`` replaced by ``new``, in their place."""
    mine = [i for i, path in enumerate(files) if path.name.startswith(f"{slug}.")]
    at = mine[0] if mine else len(files)
    others = [path for path in files if not path.name.startswith(f"{slug}.")]
    return others[:at] + new + others[at:]


def _absorbed_before(former: list[Province], province: Province) -> str:
    """ " (gồm cả Hà Tây trước 1/8/2008)": the former provinces now part of ``province``, each
    with the day it merged (Hà Tây in 2008, the others in 2025)."""
    by_day: dict[str, list[str]] = {}
    for part in former:
        if part != province and part.merged is not None:
            day = f"{part.merged.day}/{part.merged.month}/{part.merged.year}"
            by_day.setdefault(day, []).append(part.name)
    said = "; ".join(f"{', '.join(names)} trước {day}" for day, names in by_day.items())
    return f" (gồm cả {said})" if said else ""
