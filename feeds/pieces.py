"""A feed document joined from pieces: its head, each entry's piece (RSS ``<item>``, Atom
``<entry>``, JSON Feed item), its tail, the same bytes feedgen and ``json`` write for it whole.

An entry's piece depends on the entry alone, not on the feed it is in: a story shown by the
"all" feed, its site's, its province's and its topics' is rendered once a publish, not once a
feed and format. And a subscription document rewritten because a new story joined it still
holds its other entries as they were: their pieces are cut out of the file it replaces, whose
layout (each entry's digest and the pieces' lengths) the previous publish recorded
(``.feed-pieces.json``, hidden: never served). A piece is taken from a file only if the file
is the one recorded (its hash): anything else (a file edited or damaged) is rendered again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feeds import builder
from feeds.builder import Links
from feeds.files import write_atomically
from feeds.jsonfeed import json_feed_bytes, json_item_bytes
from feeds.model import FeedEntry, FeedSpec

STATE_NAME = ".feed-pieces.json"
FORMATS = ("rss", "atom", "json")  # in the order of ``writer.EXTENSIONS``
# What follows the last entry (lxml's pretty printing: the entries are the root's, or the
# channel's, last children); JSON Feed's items are cut out of the document by their key.
_TAILS = {"rss": b"  </channel>\n</rss>\n", "atom": b"</feed>\n"}
_NO_ITEMS = b'"items": []'
_ITEMS = b'"items": ['
_ITEM_SEPARATOR = b", "  # json.dumps' separator between a list's items
# The stand-in feed each entry is rendered alone in, dated once for all: its head is fixed.
_PROBE = FeedSpec("probe", "probe", "probe", "https://probe.invalid/", ())
_PROBE_DATE = datetime(2000, 1, 1, tzinfo=UTC)
_RSS_ITEM, _ATOM_ENTRY = b"    <item>\n", b"  <entry>\n"  # an entry's first line, indented
# Bytes of pieces made once and kept for the feeds after (the rest are made again).
BUDGET = 16 * 1024 * 1024
logger = logging.getLogger("tinlaodong.feeds")

Pieces = tuple[bytes, bytes, bytes]  # RSS, Atom, JSON Feed


def entry_digest(entry: FeedEntry) -> str:
    # The entries are frozen dataclasses of strings, dates and tuples: their repr is the data.
    data = repr(entry).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Layout:
    """Where each entry's piece lies in a written subscription document, per format."""

    digests: tuple[str, ...]  # the entries, in the document's order
    files: dict[str, tuple[str, int, tuple[int, ...]]]  # format: (file hash, head, lengths)

    def to_json(self) -> dict[str, object]:
        return {"digests": list(self.digests), **{f: list(v) for f, v in self.files.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Layout:
        files = {}
        for name in FORMATS:
            digest, head, lengths = data[name]
            files[name] = (str(digest), int(head), tuple(int(n) for n in lengths))
        return cls(tuple(str(d) for d in data["digests"]), files)


def file_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Renderer:
    """Renders documents from pieces: each entry's made once (by its digest), or cut out of
    the previous subscription document that holds it unchanged.

    The pieces cut out of a feed's previous file serve that feed alone (:meth:`reuse` each
    feed before rendering it; the next feed cuts its own). Those made here serve every feed,
    each until its last use (:meth:`count`), within ``budget`` bytes: past it, a piece is
    made again when another feed needs it, so that a rebuild of every feed does not hold
    every entry's pieces at once."""

    def __init__(self, digests: dict[int, str] | None = None, budget: int = BUDGET) -> None:
        self._made: dict[str, Pieces] = {}
        self._held = 0  # bytes of ``_made``
        self._budget = budget
        self._cut: dict[str, Pieces] = {}  # out of the feed's previous file
        self._digests = {} if digests is None else digests  # by id(): entries live meanwhile
        self._uses: Counter[str] = Counter()
        self._probe_heads: tuple[bytes, bytes] | None = None

    def count(self, documents: Iterable[Sequence[FeedEntry]]) -> None:
        """The documents to be rendered, each a sequence of entries: a piece made here is
        kept for the later ones (none are without a count)."""
        self._uses = Counter(self.digest(e) for entries in documents for e in entries)

    def digest(self, entry: FeedEntry) -> str:
        known = self._digests.get(id(entry))
        if known is None:
            known = self._digests[id(entry)] = entry_digest(entry)
        return known

    def reuse(self, paths: Sequence[Path], layout: Layout | None) -> None:
        """Take the pieces of a feed's previous subscription document (its files, in the
        order of ``FORMATS``) as ``layout`` records them, if its files are the ones recorded;
        those of the feed before are dropped."""
        self._cut = {}
        if layout is None:
            return
        found: dict[str, list[bytes]] = {}
        for name, path in zip(FORMATS, paths, strict=True):
            digest, head, lengths = layout.files[name]
            try:
                data = path.read_bytes()
            except OSError:
                return
            if file_hash(data) != digest or len(lengths) != len(layout.digests):
                return  # edited, damaged, or another layout: rendered again
            at, cut = head, []
            for length in lengths:
                cut.append(data[at : at + length])
                at += length
            if name == "json":  # the separator before each item but the first is not its own
                cut = [p.removeprefix(_ITEM_SEPARATOR) for p in cut]
            found[name] = cut
        for i, digest in enumerate(layout.digests):
            self._cut[digest] = (found["rss"][i], found["atom"][i], found["json"][i])

    def pieces(self, entry: FeedEntry) -> Pieces:
        return self._pieces_of([entry])[0]

    def _pieces_of(self, entries: Sequence[FeedEntry]) -> list[Pieces]:
        digests = [self.digest(e) for e in entries]
        known = {d: self._cut.get(d) or self._made.get(d) for d in digests}
        missing = {d: e for d, e in zip(digests, entries, strict=True) if known[d] is None}
        known.update(zip(missing, self._render(list(missing.values())), strict=True))
        for digest in digests:
            self._uses[digest] -= 1
        for digest in missing:
            made = known[digest]
            assert made is not None
            size = sum(len(p) for p in made)
            if self._uses[digest] > 0 and self._held + size <= self._budget:
                self._made[digest] = made
                self._held += size
        for digest in dict.fromkeys(digests):
            if self._uses[digest] <= 0 and digest in self._made:
                self._held -= sum(len(p) for p in self._made.pop(digest))
        return [known[d] for d in digests]  # type: ignore[misc]

    def _render(self, entries: list[FeedEntry]) -> list[Pieces]:
        """The entries in the stand-in feed, each one's piece cut out of each format; one
        document for all, cut at its entries' first lines (the entry's fields are escaped
        text or sanitised HTML, where those lines cannot be), else one document each."""
        if not entries:
            return []
        rss_head, atom_head = self._heads()
        rss, atom = builder.rss_and_atom_bytes(
            dataclasses.replace(_PROBE, entries=tuple(entries)),
            limit=len(entries),
            updated=_PROBE_DATE,
        )
        rss_items = _split(_between(rss, rss_head, _TAILS["rss"]), _RSS_ITEM)
        atom_items = _split(_between(atom, atom_head, _TAILS["atom"]), _ATOM_ENTRY)
        ordered = builder.newest_first(entries, len(entries))
        if len(rss_items) != len(entries) or len(atom_items) != len(entries):
            if len(entries) == 1:
                raise AssertionError("feedgen's output is not shaped as feeds.pieces expects")
            return [p for e in entries for p in self._render([e])]
        by_entry = {id(e): i for i, e in enumerate(ordered)}
        return [
            (rss_items[by_entry[id(e)]], atom_items[by_entry[id(e)]], json_item_bytes(e))
            for e in entries
        ]

    def _heads(self) -> tuple[bytes, bytes]:
        if self._probe_heads is None:
            rss, atom = builder.rss_and_atom_bytes(_PROBE, updated=_PROBE_DATE)
            self._probe_heads = (
                rss.removesuffix(_TAILS["rss"]),
                atom.removesuffix(_TAILS["atom"]),
            )
        return self._probe_heads

    def document(
        self,
        spec: FeedSpec,
        *,
        rss_self: str | None,
        atom_self: str | None,
        json_self: str | None,
        rss_links: Links,
        atom_links: Links,
        next_url: str | None,
        archive: bool,
    ) -> tuple[Pieces, Layout]:
        """``spec``'s RSS, Atom and JSON Feed bytes (``spec.entries``, all of them, newest
        first: the caller cuts), the bytes ``rss_and_atom_bytes`` and ``json_feed_bytes``
        write; and where each entry's piece lies in them."""
        entries = builder.newest_first(spec.entries, len(spec.entries))
        updated = builder.feed_updated(entries, spec.updated)
        bare = dataclasses.replace(spec, entries=())
        rss, atom = builder.rss_and_atom_bytes(
            bare,
            rss_self=rss_self,
            atom_self=atom_self,
            rss_links=rss_links,
            atom_links=atom_links,
            archive=archive,
            updated=updated,
        )
        jsonf = json_feed_bytes(bare, self_url=json_self, next_url=next_url, archive=archive)
        pieces = self._pieces_of(entries)
        files: dict[str, tuple[str, int, tuple[int, ...]]] = {}
        made = []
        for index, (name, empty) in enumerate((("rss", rss), ("atom", atom))):
            head = empty.removesuffix(_TAILS[name])
            own = [p[index] for p in pieces]
            data = head + b"".join(own) + _TAILS[name]
            files[name] = (file_hash(data), len(head), tuple(len(p) for p in own))
            made.append(data)
        head, _, tail = jsonf.partition(_NO_ITEMS)
        items = [p[2] for p in pieces]
        # The separator goes with the item after it: the first piece is the first item.
        spaced = [items[0], *(_ITEM_SEPARATOR + p for p in items[1:])] if items else []
        head += _ITEMS
        data = head + b"".join(spaced) + b"]" + tail
        files["json"] = (file_hash(data), len(head), tuple(len(p) for p in spaced))
        made.append(data)
        layout = Layout(tuple(self.digest(e) for e in entries), files)
        return (made[0], made[1], made[2]), layout


def _split(items: bytes, first_line: bytes) -> list[bytes]:
    """``items`` cut before each line that is ``first_line``."""
    starts = [0] if items.startswith(first_line) else []
    at = items.find(b"\n" + first_line)
    while at != -1:
        starts.append(at + 1)
        at = items.find(b"\n" + first_line, at + 1)
    if items and (not starts or starts[0] != 0):
        return []
    return [items[a:b] for a, b in zip(starts, [*starts[1:], len(items)], strict=True)]


def _between(data: bytes, head: bytes, tail: bytes) -> bytes:
    if not (data.startswith(head) and data.endswith(tail)):
        raise AssertionError("feedgen's output is not shaped as feeds.pieces expects")
    return data[len(head) : len(data) - len(tail)]


def read_state(out_dir: Path, code: str) -> dict[str, Layout]:
    """The layouts of the subscription documents under ``out_dir``, by stem, if written by
    this ``code``; else none (every entry rendered)."""
    try:
        data = json.loads((out_dir / STATE_NAME).read_text(encoding="utf-8"))
        if data["code"] != code:
            return {}
        return {str(stem): Layout.from_json(layout) for stem, layout in data["docs"].items()}
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return {}


def write_state(out_dir: Path, code: str, layouts: Mapping[str, Layout]) -> None:
    docs = {stem: layouts[stem].to_json() for stem in sorted(layouts)}
    data = json.dumps({"code": code, "docs": docs}, separators=(",", ":"))
    write_atomically(out_dir / STATE_NAME, (data + "\n").encode("utf-8"))
