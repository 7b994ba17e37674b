"""feeds.pieces: a document joined from its entries' pieces is the bytes feedgen and json write
for it whole, and a publish with one new story renders that story, not its feeds' others."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds import pieces
from feeds.builder import rss_and_atom_bytes
from feeds.jsonfeed import json_feed_bytes
from feeds.model import FeedEntry, FeedSpec
from feeds.writer import EXTENSIONS, write_feeds
from tests.test_feeds_writer import entry, tricky_entry

BASE = "https://tin.example/feeds/"


def entries(count: int, first: int = 2) -> tuple[FeedEntry, ...]:
    """Entries with and without an author, a lead, categories, images; some on one date."""
    return tuple(
        entry(
            n,
            1 + n % 27,
            author="Trần Thị B" if n % 3 else None,
            summary=f"Tóm tắt {n} & <b>" if n % 2 else None,
            categories=("Hà Tĩnh", "Nghệ An") if n % 4 else (),
            images=((f"/anh/{n}.jpg", "Ảnh <1>"),) if n % 5 == 0 else (),
        )
        for n in range(first, first + count)
    )


def spec(items: tuple[FeedEntry, ...], slug: str = "all") -> FeedSpec:
    empty_since = datetime(2024, 1, 1, tzinfo=UTC)
    home = "https://tin.example/?a=1&b=2"
    return FeedSpec(slug, "Tin & tức", "Mô tả <x>", home, items, updated=empty_since)


@pytest.mark.parametrize("count", [0, 1, 40])
@pytest.mark.parametrize("archive", [False, True])
def test_a_document_joined_from_pieces_is_the_bytes_written_whole(
    count: int, archive: bool
) -> None:
    items = (tricky_entry(), *entries(count - 1)) if count else ()
    whole = spec(items)
    rss_links = [("prev-archive", BASE + "all.archive-3.rss.xml")]
    atom_links = [("prev-archive", BASE + "all.archive-3.atom.xml")]
    next_url = BASE + "all.archive-3.json"
    rss, atom = rss_and_atom_bytes(
        whole,
        rss_self=BASE + "all.rss.xml",
        atom_self=BASE + "all.atom.xml",
        limit=count,
        rss_links=rss_links,
        atom_links=atom_links,
        archive=archive,
    )
    jsonf = json_feed_bytes(
        whole, self_url=BASE + "all.json", limit=count, next_url=next_url, archive=archive
    )
    joined, _ = pieces.Renderer().document(
        whole,
        rss_self=BASE + "all.rss.xml",
        atom_self=BASE + "all.atom.xml",
        json_self=BASE + "all.json",
        rss_links=rss_links,
        atom_links=atom_links,
        next_url=next_url,
        archive=archive,
    )
    assert joined == (rss, atom, jsonf)


def feed_files(directory: Path, slugs: tuple[str, ...] = ("all", "site-a")) -> dict[str, bytes]:
    return {s + e: (directory / (s + e)).read_bytes() for s in slugs for e in EXTENSIONS}


def publish(directory: Path, items: tuple[FeedEntry, ...]) -> None:
    even = tuple(e for e in items if int(e.guid.rpartition("/")[2], 16) % 2 == 0)
    write_feeds(directory, [spec(items), spec(even, "site-a")], base_url=BASE, limit=100)


def test_a_new_story_costs_its_own_rendering_and_the_feeds_are_as_if_built_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = entries(40)
    publish(tmp_path / "kept", before)
    rendered: list[str] = []
    render = pieces.Renderer._render

    def counted(self: pieces.Renderer, items: list[FeedEntry]) -> list[pieces.Pieces]:
        rendered.extend(item.guid for item in items)
        return render(self, items)

    monkeypatch.setattr(pieces.Renderer, "_render", counted)
    new = entries(1, first=100)[0]
    changed = dataclasses.replace(before[4], updated=datetime(2024, 4, 1, tzinfo=UTC))
    after = (new, *before[:4], changed, *before[5:])
    publish(tmp_path / "kept", after)
    # Each in two feeds and three formats, each rendered once; the others cut out of the files.
    assert sorted(rendered) == sorted([new.guid, changed.guid])
    monkeypatch.undo()
    publish(tmp_path / "anew", after)
    assert feed_files(tmp_path / "kept") == feed_files(tmp_path / "anew")


def test_a_feed_file_edited_since_it_was_written_is_not_taken_apart(tmp_path: Path) -> None:
    before = entries(10)
    publish(tmp_path / "kept", before)
    for ext in EXTENSIONS:  # the same length: only the hash of what was written tells
        path = tmp_path / "kept" / f"all{ext}"
        path.write_bytes(path.read_bytes().replace("Tin số 5".encode(), "Tin sô' 5".encode()))
    after = (*entries(1, first=100), *before)
    publish(tmp_path / "kept", after)
    publish(tmp_path / "anew", after)
    assert feed_files(tmp_path / "kept") == feed_files(tmp_path / "anew")
    assert "Tin số 5".encode() in (tmp_path / "kept" / "all.rss.xml").read_bytes()


def test_a_damaged_layout_is_rendered_anew(tmp_path: Path) -> None:
    before = entries(10)
    publish(tmp_path / "kept", before)
    (tmp_path / "kept" / pieces.STATE_NAME).write_text('{"code": 1, "docs": [')
    after = (*entries(1, first=100), *before)
    publish(tmp_path / "kept", after)
    publish(tmp_path / "anew", after)
    assert feed_files(tmp_path / "kept") == feed_files(tmp_path / "anew")
