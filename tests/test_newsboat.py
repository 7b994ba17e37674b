"""Feeds in a real feed reader: newsboat (Debian's) reads each subscription document and the
archives of its RFC 5005 chain over loopback HTTP, in RSS and in Atom, and keeps every story
once with its Vietnamese title intact. newsboat does not page through ``prev-archive`` itself:
a reader subscribed to the archives too sees each story once (by its id) across the chain.

What newsboat kept is read from its own cache (an SQLite file), not from its screen."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from aggregator.models import Article
from aggregator.registry import Site
from aggregator.store import open_store
from feeds.publish import update_feeds
from tests.helpers import static_site

NEWSBOAT = shutil.which("newsboat")
pytestmark = pytest.mark.skipif(
    NEWSBOAT is None, reason="newsboat is not installed (make install puts Debian's there as root)"
)

SITES = (
    Site(id="qn", name="Sở Quảng Ninh", province="Quảng Ninh", start_urls=("https://qn.vn/",)),
)
STORIES = 7
SIZE = 2  # entries an archive: seven stories make a chain of several documents
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def title(n: int) -> str:
    return f"Hội nghị tổng kết công tác lao động, người có công số {n}"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("newsboat")
    store = open_store(root / "data")
    try:
        for n in range(STORIES):
            words = " ".join(f"việc{n}x{i} làm{i * n + 7}y" for i in range(40))
            article = Article(None, title(n), f"Nội dung tin {n} về lao động. {words}.")
            store.add_article(
                "qn", f"https://qn.vn/tin/{n}", article, now=T0 + timedelta(hours=n)
            )
        update_feeds(store, SITES, root / "feeds", page_size=SIZE, pages=10)
    finally:
        store.close()
    return root / "feeds"


def read_in_newsboat(urls: list[str], home: Path) -> list[tuple[str, str, str]]:
    """(feed URL, item guid, item title) of every item newsboat kept after one reload."""
    home.mkdir()
    (home / "urls").write_text("\n".join(urls) + "\n", encoding="utf-8")
    (home / "config").write_text("", encoding="utf-8")
    cache = home / "cache.db"
    run = subprocess.run(
        [NEWSBOAT or "newsboat", "-u", str(home / "urls"), "-c", str(cache),
         "-C", str(home / "config"), "-x", "reload", "print-unread"],
        capture_output=True, text=True, timeout=120,
        env={"HOME": str(home), "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr
    assert "Error" not in run.stderr, run.stderr
    with sqlite3.connect(cache) as db:
        return list(db.execute("SELECT feedurl, guid, title FROM rss_item"))


@pytest.mark.parametrize("ext", [".rss.xml", ".atom.xml"])
def test_newsboat_reads_the_chain_and_keeps_each_story_once(
    published: Path, tmp_path: Path, ext: str
) -> None:
    documents = [f"all{ext}", *sorted(p.name for p in published.glob(f"all.archive-*{ext}"))]
    assert len(documents) >= 3, documents  # a subscription document and archives
    with static_site(published) as (base, _):
        urls = [f"{base}/{name}" for name in documents]
        items = read_in_newsboat(urls, tmp_path / "home")
    # Every document was fetched and read: each has the items feedparser finds in it.
    for name, url in zip(documents, urls, strict=True):
        expected = len(feedparser.parse(str(published / name)).entries)
        assert expected and sum(1 for item in items if item[0] == url) == expected, name
    guids = [guid for _, guid, _ in items]
    assert len(guids) == len(set(guids)) == STORIES
    # As written: NFC, whatever form the page had (decomposed text reads apart in readers).
    assert {shown for _, _, shown in items} == {title(n) for n in range(STORIES)}
