"""``tinlaodong stories``: the stored stories, each with every site that published it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from aggregator.cli.options import (
    add_since_option,
    add_sites_option,
    check_site_ids,
    limit_int,
)
from aggregator.timeshow import iso, iso_when, show_when

# The store and the gazetteer are imported when the command runs, not when the command line is
# parsed: `tinlaodong --help` stays quick.
if TYPE_CHECKING:
    from aggregator.site_index import SiteIndex
    from aggregator.store import StoryView
    from aggregator.story_provinces import ProvinceRule, StoryProvinces


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "stories",
        parents=[parent],
        help="list the stored stories and their sources",
        description="List the stories of the data directory, newest first (by the canonical "
        "article's date): each with its sources (site, URL, title, date; the canonical article "
        "first, marked '*') and the provinces of its publishers. Times are Vietnam's "
        "(+07:00); a page that gave a day without a time shows the day. When there are more "
        "than --limit, a last line on stderr says how many were shown of how many.",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per story")
    parser.add_argument(
        "--limit", type=limit_int, default=20, metavar="N", help="at most N stories (20)"
    )
    parser.add_argument(
        "--site", action="append", default=[], metavar="ID",
        help="only stories this site published (repeatable)",
    )
    add_since_option(parser)
    add_sites_option(parser)
    parser.set_defaults(func=list_stories)


def list_stories(args: argparse.Namespace) -> int:
    from aggregator.registry import load_registry
    from aggregator.site_index import SiteIndex
    from aggregator.store import open_store, require_store
    from aggregator.story_provinces import ProvinceRule

    registry = load_registry(args.sites)
    index, rule = SiteIndex(registry.sites), ProvinceRule(registry.sites)
    require_store(args.data_dir)
    store = open_store(args.data_dir)
    try:
        check_site_ids(registry, args.site, store)
        sites = args.site or None
        stories = store.stories(site_ids=sites, limit=args.limit, since=args.since)
        # Counted only when the list is full: a shorter one is every story there is.
        full = len(stories) == args.limit
        total = store.story_count(site_ids=sites, since=args.since) if full else 0
        about = rule.about_stored(store.engine, [story.id for story in stories])
    finally:
        store.close()
    for story in stories:
        where = rule.of(about[story.id], [s.site_id for s in story.sources])
        if args.json:
            print(json.dumps(story_dict(story, index, rule, where), ensure_ascii=False))
        else:
            print(story_text(story, rule.label(where)))
    if total > len(stories):
        # On stderr: the --json lines stay one story each, for whatever reads them.
        print(f"{len(stories)} of {total} stories; --limit N for more", file=sys.stderr)
    return 0


def story_dict(
    story: StoryView, index: SiteIndex, rule: ProvinceRule, where: StoryProvinces
) -> dict[str, object]:
    return {
        "id": story.id,
        "title": story.title,
        "lead": story.lead,
        "published": iso_when(story.published, story.date_only),
        "first_seen": iso(story.first_seen),
        "author": story.author,
        **rule.as_json(where),  # provinces (both), provinces_about, provinces_publishers
        "sources": [
            {
                "site": s.site_id,
                "site_name": index.name(s.site_id),
                "url": s.url,
                "title": s.title,
                "published": iso_when(s.published, s.date_only),
                "canonical": s.canonical,
            }
            for s in story.sources
        ],
    }


_WHEN = len("24/07/2024 12:55 +07:00")  # the sources' date column


def story_text(story: StoryView, where: str) -> str:
    """The story's line (``where``: its provinces, ``ProvinceRule.label``), then its sources."""
    when = show_when(story.published, story.date_only) or "(no date)"
    lines = [f"{when}  {story.title}  [{where}]"]
    for s in story.sources:
        mark = "*" if s.canonical else " "
        date = f"{show_when(s.published, s.date_only) or '(no date)':<{_WHEN}}"
        lines.append(f"  {mark} {s.site_id:<24} {date}  {s.url}")
        if s.title and s.title != story.title:
            lines.append(f"    {'':<24} {'':<{_WHEN}}  {s.title}")
    return "\n".join(lines)
