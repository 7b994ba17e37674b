"""``tinlaodong search QUERY``: find stored stories, with or without diacritics."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from aggregator.cli.options import (
    add_since_option,
    add_sites_option,
    check_site_ids,
    limit_int,
)
from aggregator.gazetteer import REORGANISED
from aggregator.timeshow import iso_when, show_when

# The store, the index and the gazetteer are imported when the command runs, not when the
# command line is parsed: `tinlaodong --help` stays quick.
if TYPE_CHECKING:
    from aggregator.search import Hit
    from aggregator.story_provinces import ProvinceRule

_SYNTAX = (
    'Words side by side must all be there; "a phrase" keeps its words in order; OR separates '
    "alternatives, each made of the words around it (Hàn Quốc OR Nhật Bản); -word or NOT word "
    "leaves it out. A word without diacritics matches with or without them (lao dong finds lao "
    "động), one with them matches them. A word with a leading dash is a word to leave out, "
    "not an option, unless it is one of the options below."
)


class _SearchParser(argparse.ArgumentParser):
    """The search command's parser: ``search -lao dong`` is a query leaving "lao" out, not an
    unknown option. Whatever is not one of the command's options goes to the query, in the
    order written (OR and -word depend on it)."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        options: list[str] = []
        query: list[str] = []
        pending = list(sys.argv[1:] if args is None else args)
        while pending:
            arg = pending.pop(0)
            if arg == "--":
                query += pending
                break
            name = arg.split("=", 1)[0]
            action = self._option_string_actions.get(name) if arg.startswith("-") else None
            if action is None and arg.startswith("--") and len(arg) > 2:
                action = self._long_option(name)
            if action is None and not arg.startswith("--"):
                query.append(arg)
                continue
            if action is None:
                options.append(arg)  # a mistyped long option: argparse names it
                continue
            options.append(arg)
            if action.nargs != 0 and "=" not in arg and pending:
                options.append(pending.pop(0))  # the option's value, whatever it looks like
        return super().parse_known_args([*options, "--", *query], namespace)

    def _long_option(self, name: str) -> argparse.Action | None:
        """A long option or an unambiguous abbreviation of one (argparse's rule), else None."""
        found = [a for s, a in self._option_string_actions.items() if s.startswith(name)]
        return found[0] if len(set(found)) == 1 else None


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "search",
        parents=[parent],
        help="search the stored stories",
        description="Search the stored stories (the index is brought up to date first). "
        + _SYNTAX
        + " Times are Vietnam's (+07:00). When there are more than --limit, a last line on "
        "stderr says how many were shown of how many.",
    )
    # add_parser builds the top parser's class; this one reads a leading dash as a word.
    parser.__class__ = _SearchParser
    parser.add_argument("query", nargs="+", metavar="QUERY", help="words, quoted for phrases")
    parser.add_argument(
        "--province",
        action="append",
        metavar="P",
        help="only stories of this province: naming it or published by its sites (a current "
        "province's former provinces included); repeatable",
    )
    add_since_option(parser)
    parser.add_argument(
        "--site", action="append", default=[], metavar="ID",
        help="only stories this site published (repeatable)",
    )
    parser.add_argument("--limit", type=limit_int, default=20, metavar="N", help="at most N")
    add_sites_option(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per hit")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aggregator.registry import load_registry
    from aggregator.search import refresh_index, search
    from aggregator.store import open_store, require_store
    from aggregator.story_provinces import ProvinceRule
    from feeds.web.data import SEARCH_COUNTED

    registry = load_registry(args.sites)
    rule = ProvinceRule(registry.sites)
    provinces = _provinces(args.province, rule) if args.province else None
    require_store(args.data_dir)
    store = open_store(args.data_dir)
    try:
        check_site_ids(registry, args.site, store)
        refresh_index(store.engine)
        found = partial(
            search,
            store.engine,
            " ".join(args.query),
            provinces=provinces,
            since=args.since,
            site_ids=args.site,
            rule=rule,
        )
        hits = found(limit=args.limit)
        # Counted only when the list is full, up to the web page's bound: a search's cost
        # grows with what it reads.
        bound = max(SEARCH_COUNTED, args.limit)
        total = len(found(limit=bound + 1, snippets=False)) if len(hits) == args.limit else 0
        # Each hit's lead and whether its date is a day only: what the hit does not carry.
        stories = store.stories_by_id([hit.story_id for hit in hits])
        about = rule.about_stored(store.engine, [hit.story_id for hit in hits])
        for hit in hits:
            where = rule.of(about[hit.story_id], hit.site_ids)
            story = stories.get(hit.story_id)
            lead, date_only = (story.lead, story.date_only) if story else (None, False)
            if args.json:
                fields = rule.as_json(where)
                print(json.dumps(_to_dict(hit, fields, lead, date_only), ensure_ascii=False))
            else:
                print(_line(hit, rule.label(where), date_only))
    finally:
        store.close()
    if not hits and not args.json:
        print("no stories found", file=sys.stderr)
    if total > len(hits):
        # On stderr, as stories says it: the --json lines stay one hit each.
        of = f"more than {bound}" if total > bound else str(total)
        print(f"{len(hits)} of {of} stories; --limit N for more", file=sys.stderr)
    return 0


def _provinces(names: list[str], rule: ProvinceRule) -> list[str]:
    """Province ids; a former one stays itself (its stories, not all of its successor's)."""
    ids = []
    for name in names:
        province = rule.resolve(name)
        if province.successor_id:
            current = rule.gazetteer.get(province.successor_id).name
            print(
                f"{province.name} is part of {current} since {_day(province.merged)}: "
                f"stories naming {province.name} or published by its sites "
                f"(--province \"{current}\" for all of it)",
                file=sys.stderr,
            )
        ids.append(province.id)
    return ids


def _day(merged: date | None) -> str:
    """"1 August 2008": the day a former province became part of its successor."""
    when = merged or REORGANISED
    return f"{when.day} {when:%B %Y}"


def _line(hit: Hit, where: str, date_only: bool) -> str:
    day = show_when(hit.published, date_only) or "(no date)"
    return f"{day}  {hit.title}  [{where}]  {hit.url}  {hit.snippet}"


def _to_dict(
    hit: Hit, provinces: dict[str, list[str]], lead: str | None, date_only: bool
) -> dict[str, object]:
    return {
        "id": hit.story_id,  # as stories --json names it
        "story_id": hit.story_id,  # the older name, kept for scripts that read it
        "published": iso_when(hit.published, date_only),
        "title": hit.title,
        "lead": lead,
        **provinces,  # provinces (both), provinces_about, provinces_publishers
        "url": hit.url,
        "sites": list(hit.site_ids),
        "snippet": hit.snippet,
        "score": round(hit.score, 6),
    }
