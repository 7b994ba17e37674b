"""RFC 5005 archived feeds (issue 22): each feed's subscription document holds its newest
entries and links ``prev-archive``; archives ``<slug>.archive-<n>.<ext>``, numbered from the
oldest, hold entries in the order the feed first saw them and are never written again once
full; a story changed later comes back in the subscription document with its new date; the
oldest archives leave the chain past the horizon; a format change rewrites them once. A
reader walking the chain with feedparser sees every entry once, at its latest. On each
backend (the store's queries differ)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest

from aggregator.models import Article
from aggregator.registry import Site
from aggregator.store import StoryStore, open_store
from feeds import builder
from feeds.publish import update_feeds
from tests.backends import backend

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")

SITES = (
    Site(id="qn", name="Sở Quảng Ninh", province="Quảng Ninh", start_urls=("https://qn.vn/",)),
)
SIZE = 2  # entries an archive: a few stories make several
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
FORMATS = (".rss.xml", ".atom.xml", ".json")
ARCHIVES_ENV = "TINLAODONG_FEED_ARCHIVES"  # the horizon: archives kept in each chain


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StoryStore]:
    monkeypatch.delenv(ARCHIVES_ENV, raising=False)
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def add(
    store: StoryStore, n: int, *, at: datetime, published: datetime | None = None, url: str = ""
) -> None:
    article = Article(None, f"Tin số {n}", body(n), published=published)
    store.add_article("qn", url or f"https://qn.vn/tin/{n}", article, now=at)


def body(n: int) -> str:
    # Words of its own: no two stories alike enough to be taken for one (near-duplicates).
    words = " ".join(f"việc{n}x{i} làm{i * n + 7}y" for i in range(40))
    return f"Nội dung của tin số {n} về lao động ở tỉnh. {words}."


def publish(store: StoryStore, out: Path, kept: int = 10) -> None:
    update_feeds(store, SITES, out, page_size=SIZE, pages=kept)


def archive_files(out: Path, slug: str = "all") -> dict[str, tuple[int, bytes]]:
    """Each archive file of ``slug``: (mtime in ns, bytes)."""
    return {
        path.name: (path.stat().st_mtime_ns, path.read_bytes())
        for path in sorted(out.glob(f"{slug}.archive-*"))
    }


def age(out: Path) -> None:
    """Every archive an hour older: a file written again has a new mtime, whatever the
    clock's resolution."""
    for path in out.glob("*.archive-*"):
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 3600 * 10**9))


def parsed(path: Path) -> Any:
    return feedparser.parse(path.read_bytes())


def link(feed: Any, rel: str) -> str | None:
    hrefs = [entry.href for entry in feed.feed.get("links", []) if entry.rel == rel]
    assert len(hrefs) <= 1, hrefs
    return hrefs[0] if hrefs else None


def titles(path: Path) -> set[str]:
    return {entry.title for entry in parsed(path).entries}


def walk(out: Path, name: str) -> list[Any]:
    """The documents a reader reads from the subscription document ``name``, following
    ``prev-archive`` (relative links: written without a base URL)."""
    docs = [parsed(out / name)]
    while (older := link(docs[-1], "prev-archive")) is not None:
        older = older.rpartition("/")[2]  # at the stand-in address the server replaces
        assert (out / older).is_file(), older
        docs.append(parsed(out / older))
    return docs


def latest_entries(docs: list[Any]) -> dict[str, Any]:
    """RFC 5005 section 4.2: of an entry found more than once, the newest document's copy."""
    seen: dict[str, Any] = {}
    for doc in docs:
        for entry in doc.entries:
            seen.setdefault(entry.id, entry)
    return seen


def test_a_full_archive_is_never_written_again(store: StoryStore, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    out.mkdir()
    (out / "all.page-2.rss.xml").write_bytes(b"<rss/>")  # the paged layout before: it goes
    for n in range(1, 11):
        add(store, n, at=T0 + timedelta(minutes=n))
    publish(store, out)
    assert not (out / "all.page-2.rss.xml").exists()
    first = archive_files(out)
    # Ten entries: four archives of two, two in the subscription document (fewer than four).
    assert sorted(first) == sorted(f"all.archive-{n}{ext}" for n in range(1, 5) for ext in FORMATS)
    assert titles(out / "all.rss.xml") == {"Tin số 9", "Tin số 10"}
    age(out)
    aged = archive_files(out)
    for n in (11, 12):
        add(store, n, at=T0 + timedelta(hours=1, minutes=n))
    publish(store, out)
    after = archive_files(out)
    assert {name: after[name] for name in aged} == aged  # not one byte, not its mtime
    assert titles(out / "all.archive-5.rss.xml") == {"Tin số 9", "Tin số 10"}
    assert titles(out / "all.rss.xml") == {"Tin số 11", "Tin số 12"}


def test_archives_hold_entries_in_the_order_first_seen(store: StoryStore, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    # The first crawl finds four recent stories; the next one four older ones (a site's
    # archive): they go after, not among, what the feed has shown already.
    for n in range(1, 5):
        add(store, n, at=T0 + timedelta(minutes=n), published=T0 - timedelta(days=5 - n))
    publish(store, out)
    for n in range(5, 9):
        add(store, n, at=T0 + timedelta(hours=1, minutes=n), published=T0 - timedelta(days=90 + n))
    publish(store, out)
    for n in range(9, 11):
        add(store, n, at=T0 + timedelta(hours=2, minutes=n), published=T0 - timedelta(days=1))
    publish(store, out)
    chain = [titles(out / f"all.archive-{n}.atom.xml") for n in (1, 2, 3, 4)]
    # Within one crawl, by their own dates (oldest first into the archives).
    assert chain == [{"Tin số 1", "Tin số 2"}, {"Tin số 3", "Tin số 4"}, *chain[2:]]
    assert chain[2] | chain[3] == {"Tin số 5", "Tin số 6", "Tin số 7", "Tin số 8"}
    assert chain[2] == {"Tin số 7", "Tin số 8"}  # the older first: 8 and 7 predate 6 and 5
    assert titles(out / "all.atom.xml") == {"Tin số 9", "Tin số 10"}


def test_a_story_changed_after_its_archive_is_full_comes_back_with_a_new_date(
    store: StoryStore, tmp_path: Path
) -> None:
    out = tmp_path / "feeds"
    for n in range(1, 7):
        add(store, n, at=T0 + timedelta(minutes=n))
    publish(store, out)
    assert "Tin số 1" in titles(out / "all.archive-1.atom.xml")
    age(out)
    aged = archive_files(out)
    # Another page of the same story: a new source, the story's updated moves.
    changed = T0 + timedelta(days=2)
    add(store, 1, at=changed, url="https://qn.vn/tin/1-ban-in")
    publish(store, out)
    assert archive_files(out) == aged  # archive 1 keeps the story as it was
    current = {e.title: e for e in parsed(out / "all.atom.xml").entries}
    assert set(current) == {"Tin số 1", "Tin số 5", "Tin số 6"}
    archived = {e.title: e for e in parsed(out / "all.archive-1.atom.xml").entries}
    old, new = archived["Tin số 1"], current["Tin số 1"]
    assert old.id == new.id
    assert datetime.fromisoformat(new.updated) == changed > datetime.fromisoformat(old.updated)
    assert "1-ban-in" in new.content[0].value and "1-ban-in" not in old.content[0].value
    # The site's feed too, and the next crawl with news archives it anew, at its latest.
    assert "Tin số 1" in titles(out / "site-qn.atom.xml")
    for n in (7, 8, 9):
        add(store, n, at=changed + timedelta(minutes=n))
    publish(store, out)
    assert archive_files(out, "all")["all.archive-1.atom.xml"] == aged["all.archive-1.atom.xml"]
    assert "Tin số 1" in titles(out / "all.archive-4.atom.xml")


def test_archives_past_the_horizon_leave_the_chain(
    store: StoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "feeds"
    for n in range(1, 9):
        add(store, n, at=T0 + timedelta(minutes=n))
    publish(store, out)
    assert (out / "all.archive-3.atom.xml").is_file()
    monkeypatch.setenv(ARCHIVES_ENV, "2")
    for n in (9, 10):
        add(store, n, at=T0 + timedelta(hours=1, minutes=n))
    update_feeds(store, SITES, out, page_size=SIZE)
    assert sorted(p.name for p in out.glob("all.archive-*.atom.xml")) == [
        "all.archive-3.atom.xml",
        "all.archive-4.atom.xml",
    ]
    docs = walk(out, "all.atom.xml")
    assert len(docs) == 3  # the subscription document and two archives
    assert link(docs[-1], "prev-archive") is None  # the oldest kept links nothing gone
    assert str(link(docs[-1], "current")).endswith("/all.atom.xml")
    assert "Tin số 1" not in latest_entries(docs).keys() | {
        e.title for d in docs for e in d.entries
    }


def test_a_format_change_rewrites_every_archive_once(
    store: StoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feeds import archives  # here: the module is new, the other tests fail without it

    out = tmp_path / "feeds"
    for n in range(1, 7):
        add(store, n, at=T0 + timedelta(minutes=n))
    publish(store, out)
    age(out)
    aged = archive_files(out)
    # A change of the feeds' markup: without a new FORMAT the archives stay as they are...
    monkeypatch.setattr(builder, "GENERATOR", "tinlaodong 2")
    add(store, 7, at=T0 + timedelta(hours=1))
    publish(store, out)
    assert archive_files(out) == aged
    assert b"tinlaodong 2" in (out / "all.atom.xml").read_bytes()
    # ... with one, every archive is written again, once.
    monkeypatch.setattr(archives, "FORMAT", archives.FORMAT + 1)
    add(store, 8, at=T0 + timedelta(hours=1, minutes=1))
    publish(store, out)
    rebuilt = archive_files(out)
    assert set(rebuilt) >= set(aged)
    assert all(b"tinlaodong 2" in data for name, (_, data) in rebuilt.items() if "json" not in name)
    age(out)
    aged = archive_files(out)
    add(store, 9, at=T0 + timedelta(hours=2))
    publish(store, out)
    assert {name: mtime for name, (mtime, _) in archive_files(out).items() if name in aged} == {
        name: mtime for name, (mtime, _) in aged.items()
    }


@pytest.mark.parametrize("name", ["all.atom.xml", "all.rss.xml", "site-qn.rss.xml"])
def test_a_reader_walking_the_chain_sees_each_entry_once_at_its_latest(
    store: StoryStore, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "feeds"
    for n in range(1, 8):
        add(store, n, at=T0 + timedelta(minutes=n))
    publish(store, out)
    add(store, 2, at=T0 + timedelta(days=1), url="https://qn.vn/tin/2-ban-in")
    for n in range(8, 12):
        add(store, n, at=T0 + timedelta(days=1, minutes=n))
    publish(store, out)
    docs = walk(out, name)
    assert len(docs) >= 4
    # RFC 5005: archives marked fh:archive and linking the subscription document; it is not one.
    raw = [(out / name).read_bytes()] + [
        (out / str(link(doc, "prev-archive")).rpartition("/")[2]).read_bytes() for doc in docs[:-1]
    ]
    assert b"purl.org/syndication/history/1.0" not in raw[0]
    assert all(b"<fh:archive/>" in data for data in raw[1:])
    assert all(str(link(doc, "current")).endswith("/" + name) for doc in docs[1:])
    seen = latest_entries(docs)
    assert sorted(e.title for e in seen.values()) == sorted(f"Tin số {n}" for n in range(1, 12))
    latest = seen[_guid_of(seen, "Tin số 2")]
    # Its latest copy, with both its sources (RSS without a lead: the body is the description).
    assert "2-ban-in" in (latest.content[0].value if "content" in latest else latest.summary)
    # JSON Feed, which has no archives: next_url walks the same chain.
    stem = name.split(".")[0]
    feed = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    ids: dict[str, str] = {}
    while True:
        for item in feed["items"]:
            ids.setdefault(item["id"], item["date_modified"])
        if "next_url" not in feed:
            break
        older = feed["next_url"].rpartition("/")[2]
        feed = json.loads((out / older).read_text(encoding="utf-8"))
        assert feed["_tinlaodong"] == {"archive": True}
    assert ids.keys() == seen.keys()


def _guid_of(seen: dict[str, Any], title: str) -> str:
    return next(guid for guid, entry in seen.items() if entry.title == title)


def test_a_lost_archive_or_a_damaged_state_is_written_again(
    store: StoryStore, tmp_path: Path
) -> None:
    out = tmp_path / "feeds"
    for n in range(1, 7):
        add(store, n, at=T0 + timedelta(minutes=n))
    publish(store, out)
    whole = archive_files(out)
    (out / "all.archive-1.atom.xml").unlink()  # an operator's slip
    publish(store, out)  # nothing new in the store: the lost file alone is written
    assert {name: data for name, (_, data) in archive_files(out).items()} == {
        name: data for name, (_, data) in whole.items()
    }
    (out / ".feed-archives.json").write_text("{not json", encoding="utf-8")
    add(store, 7, at=T0 + timedelta(hours=1))
    publish(store, out)  # cut again from the store: the same chain, the new story current
    docs = walk(out, "all.atom.xml")
    assert sorted(e.title for e in latest_entries(docs).values()) == sorted(
        f"Tin số {n}" for n in range(1, 8)
    )


@pytest.mark.parametrize("value", ["many", "-1", "99999999999999999999999"])
def test_a_horizon_that_is_not_a_count_is_said_once_and_the_default_kept(
    store: StoryStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    value: str,
) -> None:
    # The huge count overflowed SQLite's integers: a traceback (re-attack).
    monkeypatch.setenv(ARCHIVES_ENV, value)
    add(store, 1, at=T0)
    update_feeds(store, SITES, tmp_path / "feeds", page_size=SIZE)
    said = [r.getMessage() for r in caplog.records if ARCHIVES_ENV in r.getMessage()]
    assert said == [f"feeds: {ARCHIVES_ENV}={value!r} is not a count of archives: 5 kept"]
    assert (tmp_path / "feeds" / "all.atom.xml").is_file()


def test_entries_past_the_horizon_do_not_come_back(
    store: StoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stories of an archive that left the chain were still among the feed's candidates
    (the stories changed last): each publish after brought them back into the subscription
    document, as if new, and cut another archive."""
    monkeypatch.setenv(ARCHIVES_ENV, "2")
    out = tmp_path / "feeds"
    for n in range(1, 13):
        add(store, n, at=T0 + timedelta(minutes=n))
    publish_kept = lambda: update_feeds(store, SITES, out, page_size=SIZE)  # noqa: E731
    publish_kept()
    gone = {"Tin số 5", "Tin số 6"}  # the archive past the horizon of two
    assert not gone & {e.title for d in walk(out, "all.atom.xml") for e in d.entries}
    age(out)
    before = archive_files(out)
    add(store, 13, at=T0 + timedelta(hours=1))
    publish_kept()
    assert titles(out / "all.atom.xml") == {"Tin số 11", "Tin số 12", "Tin số 13"}
    assert not gone & {e.title for d in walk(out, "all.atom.xml") for e in d.entries}
    assert archive_files(out) == before  # no archive cut of them
