"""``tinlaodong stories``: the stored stories, each with every site that published it."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from aggregator.cli.options import add_sites_option
from aggregator.models import shown_published

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
        "first, marked '*') and the provinces of its publishers. When there are more than "
        "--limit, a last line on stderr says how many were shown of how many.",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per story")
    parser.add_argument(
        "--limit", type=_positive_int, default=20, metavar="N", help="at most N stories (20)"
    )
    parser.add_argument(
        "--site", action="append", default=[], metavar="ID",
        help="only stories this site published (repeatable)",
    )
    add_sites_option(parser)
    parser.set_defaults(func=list_stories)


def list_stories(args: argparse.Namespace) -> int:
    from aggregator.registry import load_registry
    from aggregator.site_index import SiteIndex
    from aggregator.store import open_store, require_store
    from aggregator.story_provinces import ProvinceRule

    sites = load_registry(args.sites).sites
    index, rule = SiteIndex(sites), ProvinceRule(sites)
    require_store(args.data_dir)
    store = open_store(args.data_dir)
    try:
        stories = store.stories(site_ids=args.site or None, limit=args.limit)
        # Counted only when the list is full: a shorter one is every story there is.
        total = store.story_count(site_ids=args.site or None) if len(stories) == args.limit else 0
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
        "published": shown_published(story.published, story.date_only),
        "first_seen": story.first_seen.isoformat(),
        "author": story.author,
        **rule.as_json(where),  # provinces (both), provinces_about, provinces_publishers
        "sources": [
            {
                "site": s.site_id,
                "site_name": index.name(s.site_id),
                "url": s.url,
                "title": s.title,
                "published": shown_published(s.published, s.date_only),
                "canonical": s.canonical,
            }
            for s in story.sources
        ],
    }


def story_text(story: StoryView, where: str) -> str:
    """The story's line (``where``: its provinces, ``ProvinceRule.label``), then its sources."""
    when = _when(story.published, story.date_only) or "(no date)"
    lines = [f"{when}  {story.title}  [{where}]"]
    for s in story.sources:
        mark = "*" if s.canonical else " "
        date = f"{_when(s.published, s.date_only) or '(no date)':<16}"
        lines.append(f"  {mark} {s.site_id:<24} {date}  {s.url}")
        if s.title and s.title != story.title:
            lines.append(f"    {'':<24} {'':<16}  {s.title}")
    return "\n".join(lines)


def _when(published: datetime | None, date_only: bool) -> str | None:
    """A story's date to read: a day the page showed without a time, without one."""
    if published is None:
        return None
    return f"{published:%Y-%m-%d}" if date_only else f"{published:%Y-%m-%d %H:%M}"


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1: {text!r}")
    return int(text)
