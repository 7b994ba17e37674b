"""RFC 5005 archived feeds: which entries each feed's archives hold, kept from one publish to
the next.

A feed is its subscription document (``<slug>.<ext>``, the file readers subscribe to) and its
archives (``<slug>.archive-<n>.<ext>``), numbered from the oldest. Entries join a feed in
the order it first sees them (a publish's new entries in their own date order); when the
entries not yet archived reach twice ``size``, the oldest ``size`` of them become the next
archive, which is written once and never again. The subscription document holds the rest,
between ``size`` and twice ``size`` entries, and links (``prev-archive``) the newest archive.

An archived story that changes later (a new source, a corrected lead: the store moves its
``updated``) joins the subscription document again, with its new date, as RFC 5005 intends:
a reader walking the chain from the subscription document keeps each entry's first copy,
its latest. Only the ``keep`` newest archives stay in the chain; the files of older ones go,
and the oldest kept one is written again once, without its link to them. Their entries are
past the horizon: one still among a feed's candidates (the stories changed last) does not join
it again unless it changes.

The state (``.feed-archives.json``, hidden: never served) records each feed's archives and
unarchived entries; a state of another ``FORMAT`` or layout (archive size, addresses,
sites) starts every feed's archives again: a one-off rebuild.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from feeds.files import write_atomically
from feeds.model import FeedEntry
from feeds.paging import CURRENT, PREV_ARCHIVE, Document

STATE_NAME = ".feed-archives.json"
# Bump when the archives' bytes would change for the same entries (markup, links, fields):
# every archive is then written again once.
FORMAT = 1
ARCHIVE_SUFFIX = ".archive-"


def archive_stem(slug: str, number: int) -> str:
    return f"{slug}{ARCHIVE_SUFFIX}{number}"


@dataclass(frozen=True)
class Member:
    """A story of a feed as the planner sees it."""

    id: int  # the store's row id, to load it
    guid: str  # its lasting identity (the entry's guid)
    stamp: str  # when it last changed (the store's ``updated``)
    order: str  # its date in the feeds' order (sortable text), among those joining together


@dataclass
class Archive:
    number: int
    ids: list[int]
    guids: list[str]
    stamps: list[str]


@dataclass
class FeedArchives:
    archives: list[Archive] = field(default_factory=list)  # oldest first, kept ones only
    last: int = 0  # the last archive number given (numbers are never reused)
    joined: dict[str, int] = field(default_factory=dict)  # unarchived guid: publish it joined
    # The newest change (``Member.stamp``) among the entries of the archives that left the
    # chain: a story not changed since is past the horizon, not a new entry.
    horizon: str = ""


@dataclass(frozen=True)
class Plan:
    current: list[Member]  # the subscription document's entries
    render: dict[int, list[int]]  # archives to write now: number -> story ids (with guids)
    guids: dict[int, str]  # story id -> guid, for the ids of ``render``
    kept: tuple[int, ...]  # the chain's archive numbers, oldest first


@dataclass
class ArchiveState:
    layout: str
    publish: int = 0  # publishes so far: the order in which entries join
    feeds: dict[str, FeedArchives] = field(default_factory=dict)

    def plan(
        self, slug: str, members: Sequence[Member], size: int, keep: int, missing: set[int]
    ) -> Plan:
        """Cut ``slug``'s new archives from ``members`` (its stories now, any order) and
        record them; ``missing``: kept archive numbers whose files are not there (written
        again)."""
        feed = self.feeds.setdefault(slug, FeedArchives())
        archived: dict[str, str] = {}
        for archive in feed.archives:  # the newest copy of each entry counts
            archived.update(zip(archive.guids, archive.stamps, strict=True))
        pending = []
        for member in members:
            if archived.get(member.guid) == member.stamp:
                continue  # archived as it is
            if member.guid not in feed.joined and not _after(member.stamp, feed.horizon):
                continue  # in an archive that left the chain, and not changed since
            joined = feed.joined.get(member.guid, self.publish)
            pending.append((joined, member.order, member.guid, member))
        pending.sort(key=lambda item: item[:3])
        render: set[int] = set(missing)
        size = max(size, 1)
        while len(pending) >= 2 * size:
            chunk, pending = pending[:size], pending[size:]
            feed.last += 1
            feed.archives.append(
                Archive(
                    feed.last,
                    [m.id for *_, m in chunk],
                    [m.guid for *_, m in chunk],
                    [m.stamp for *_, m in chunk],
                )
            )
            render.add(feed.last)
        dropped = feed.archives[: max(len(feed.archives) - max(keep, 0), 0)]
        feed.archives = feed.archives[len(dropped) :]
        for archive in dropped:
            feed.horizon = max([feed.horizon, *archive.stamps], key=_instant)
        if dropped and feed.archives:
            render.add(feed.archives[0].number)  # its prev-archive link is gone
        feed.joined = {guid: joined for joined, _, guid, _ in pending}
        kept = {a.number: a for a in feed.archives}
        render_ids = {n: kept[n].ids for n in sorted(render) if n in kept}
        guids = {i: g for n in render_ids for i, g in zip(kept[n].ids, kept[n].guids, strict=True)}
        return Plan(
            current=[m for *_, m in pending],
            render=render_ids,
            guids=guids,
            kept=tuple(kept),
        )

    def forget_others(self, slugs: set[str]) -> None:
        """Feeds no longer published lose their state."""
        self.feeds = {slug: feed for slug, feed in self.feeds.items() if slug in slugs}


def _instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp) if stamp else datetime.min.replace(tzinfo=UTC)


def _after(stamp: str, horizon: str) -> bool:
    return not horizon or _instant(stamp) > _instant(horizon)


def read_state(out_dir: Path, layout: str) -> ArchiveState:
    """The state under ``out_dir`` if it was made with ``layout`` and this ``FORMAT``; else
    an empty one (every archive cut and written again)."""
    try:
        data = json.loads((out_dir / STATE_NAME).read_text(encoding="utf-8"))
        if data["format"] != FORMAT or data["layout"] != layout:
            return ArchiveState(layout)
        feeds = {
            str(slug): FeedArchives(
                archives=[
                    Archive(int(a["n"]), list(a["ids"]), list(a["guids"]), list(a["stamps"]))
                    for a in feed["archives"]
                ],
                last=int(feed["last"]),
                joined={str(g): int(n) for g, n in feed["joined"].items()},
                horizon=str(feed.get("horizon", "")),
            )
            for slug, feed in data["feeds"].items()
        }
        return ArchiveState(layout, int(data["publish"]), feeds)
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return ArchiveState(layout)


def write_state(out_dir: Path, state: ArchiveState) -> None:
    data = {
        "format": FORMAT,
        "layout": state.layout,
        "publish": state.publish,
        "feeds": {
            slug: {
                "archives": [
                    {"n": a.number, "ids": a.ids, "guids": a.guids, "stamps": a.stamps}
                    for a in feed.archives
                ],
                "last": feed.last,
                "joined": feed.joined,
                "horizon": feed.horizon,
            }
            for slug, feed in sorted(state.feeds.items())
        },
    }
    write_atomically(out_dir / STATE_NAME, (json.dumps(data) + "\n").encode("utf-8"))


@dataclass(frozen=True)
class Archived:
    """What the writer needs of one feed's archives: the chain's numbers, oldest first, and
    the entries of those to write now."""

    kept: tuple[int, ...]
    render: dict[int, tuple[FeedEntry, ...]]

    def documents(self, slug: str, current: tuple[FeedEntry, ...]) -> list[Document]:
        """The subscription document, then the archives to write."""
        newest = self.kept[-1] if self.kept else None
        older = archive_stem(slug, newest) if newest else None
        links: tuple[tuple[str, str], ...] = ((PREV_ARCHIVE, older),) if older else ()
        docs = [Document(slug, current, links, older=older)]
        for number, entries in sorted(self.render.items()):
            before = number - 1 if number - 1 in self.kept else None
            links = ((CURRENT, slug),)
            if before is not None:
                links += ((PREV_ARCHIVE, archive_stem(slug, before)),)
            docs.append(
                Document(
                    archive_stem(slug, number),
                    entries,
                    links,
                    archive=True,
                    older=archive_stem(slug, before) if before is not None else None,
                )
            )
        return docs
