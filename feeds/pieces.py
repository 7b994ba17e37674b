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

    ``uses``: how many documents still to render hold each digest (:meth:`count`); a piece
    is dropped after its last use, so that a rebuild of every feed does not hold every
    entry's pieces at once."""

    def __init__(self, digests: dict[int, str] | None = None) -> None:
        self._pieces: dict[str, Pieces] = {}
        self._digests = {} if digests is None else digests  # by id(): entries live meanwhile
        self._uses: Counter[str] | None = None
        self._probe_heads: tuple[bytes, bytes] | None = None

    def count(self, documents: Iterable[Sequence[FeedEntry]]) -> None:
        """The documents to be rendered, each a sequence of entries: pieces go after their
        last use (without a count, they stay while the renderer does)."""
        self._uses = Counter(self.digest(e) for entries in documents for e in entries)

    def digest(self, entry: FeedEntry) -> str:
        known = self._digests.get(id(entry))
        if known is None:
            known = self._digests[id(entry)] = entry_digest(entry)
        return known

    def reuse(self, paths: Sequence[Path], layout: Layout) -> None:
        """Take the pieces of a subscription document (its files, in the order of
        ``FORMATS``) as ``layout`` records them, if its files are the ones recorded."""
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
            if self._uses is None or self._uses[digest] > 0:
                made = (found["rss"][i], found["atom"][i], found["json"][i])
                self._pieces.setdefault(digest, made)

    def pieces(self, entry: FeedEntry) -> Pieces:
        digest = self.digest(entry)
        made = self._pieces.get(digest)
        if made is None:
            made = self._pieces[digest] = self._render(entry)
        if self._uses is not None:
            self._uses[digest] -= 1
            if self._uses[digest] <= 0:
                del self._pieces[digest]
        return made

    def _render(self, entry: FeedEntry) -> Pieces:
        """The entry alone in the stand-in feed, its piece cut out of each format."""
        rss_head, atom_head = self._heads()
        rss, atom = builder.rss_and_atom_bytes(
            dataclasses.replace(_PROBE, entries=(entry,)), updated=_PROBE_DATE
        )
        return (
            _between(rss, rss_head, _TAILS["rss"]),
            _between(atom, atom_head, _TAILS["atom"]),
            json_item_bytes(entry),
        )

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
        pieces = [self.pieces(e) for e in entries]
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
