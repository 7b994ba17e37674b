"""The feeds' links and dates as a feed reader sees them: written by ``update_feeds`` from a
real store, served by a real WebServer on loopback, parsed with feedparser.

Without ``TINLAODONG_PUBLIC_URL`` the channel link is the page of the server that serves the
feed, with every feed's self link at that server; with it, the public address. Never a
placeholder repository; the health feed in Vietnamese; an empty feed dated by the first crawl.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from aggregator.store import open_store
from feeds.publish import PUBLIC_URL_ENV, update_feeds
from feeds.web import WebServer
from tests.test_web import NOW, Data, get, populated_data_dir

# A province of the gazetteer none of the test's stories is about or from.
EMPTY_SLUG = "province-ca-mau"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Data]:
    with pytest.MonkeyPatch.context() as env:
        env.delenv(PUBLIC_URL_ENV, raising=False)
        yield populated_data_dir(tmp_path_factory.mktemp("links"))


@pytest.fixture(scope="module")
def server(data: Data) -> Iterator[WebServer]:
    with WebServer.for_data_dir(data.data_dir, data.sites, port=0) as running:
        yield running


def served(url: str, host: str | None = None) -> bytes:
    status, _, body = get(url, {"Host": host} if host else None)
    assert status == 200, url
    return body


def test_channel_link_is_the_serving_page_and_self_links_point_at_it(server: WebServer) -> None:
    base = server.url
    for name in ("all", "health", "topic-viec-lam", EMPTY_SLUG):
        rss = feedparser.parse(served(f"{base}/feeds/{name}.rss.xml"))
        atom = feedparser.parse(served(f"{base}/feeds/{name}.atom.xml"))
        for parsed, ext in ((rss, "rss.xml"), (atom, "atom.xml")):
            assert parsed.feed.link.startswith(base + "/"), (name, parsed.feed.link)
            selfs = [link.href for link in parsed.feed.links if link.rel == "self"]
            assert selfs == [f"{base}/feeds/{name}.{ext}"], name
        feed = json.loads(served(f"{base}/feeds/{name}.json"))
        assert feed["home_page_url"].startswith(base + "/")
        assert feed["feed_url"] == f"{base}/feeds/{name}.json"


def test_no_placeholder_address_in_any_served_file(server: WebServer, data: Data) -> None:
    names = [p.name for p in (data.data_dir / "feeds").iterdir() if not p.name.startswith(".")]
    assert len(names) > 50
    for name in names:
        body = served(f"{server.url}/feeds/{name}")
        assert b"github.com" not in body and b".invalid" not in body, name


def test_the_address_the_reader_used_is_the_one_linked(server: WebServer) -> None:
    alias = f"localhost:{server.port}"
    atom = feedparser.parse(served(f"{server.url}/feeds/all.atom.xml", host=alias))
    assert atom.feed.link == f"http://{alias}/"
    assert [link.href for link in atom.feed.links if link.rel == "self"] == [
        f"http://{alias}/feeds/all.atom.xml"
    ]
    # At the root too (/<name>): the links name /feeds/, where every file is.
    rss = feedparser.parse(served(f"{server.url}/all.rss.xml"))
    assert [link.href for link in rss.feed.links if link.rel == "self"] == [
        f"{server.url}/feeds/all.rss.xml"
    ]


def test_health_feed_speaks_vietnamese(server: WebServer) -> None:
    feed = feedparser.parse(served(f"{server.url}/feeds/health.atom.xml")).feed
    assert feed.title == "tinlaodong: tình trạng các trang"
    assert "trang" in feed.subtitle and "site" not in feed.subtitle.lower()


def test_empty_feed_is_dated_by_the_first_crawl(server: WebServer) -> None:
    # The first crawl of populated_data_dir finished three hours less a minute before NOW;
    # every site has been healthy since, so the (empty) health feed has that date too.
    for slug in (EMPTY_SLUG, "health"):
        atom = feedparser.parse(served(f"{server.url}/feeds/{slug}.atom.xml"))
        assert atom.entries == []
        updated = datetime(*atom.feed.updated_parsed[:6], tzinfo=NOW.tzinfo)
        assert updated == NOW - timedelta(minutes=179), slug


def test_public_url_is_written_into_the_files(
    tmp_path: Path, data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://tin.example/")
    store = open_store(data.data_dir)
    try:
        update_feeds(store, data.sites, tmp_path / "feeds")
    finally:
        store.close()
    atom = feedparser.parse((tmp_path / "feeds" / "all.atom.xml").read_bytes())
    assert atom.feed.link == "https://tin.example/"
    assert [link.href for link in atom.feed.links if link.rel == "self"] == [
        "https://tin.example/feeds/all.atom.xml"
    ]
    health = feedparser.parse((tmp_path / "feeds" / "health.rss.xml").read_bytes())
    assert health.feed.link == "https://tin.example/"


def test_a_base_url_alone_links_the_folder(tmp_path: Path, data: Data) -> None:
    # feeds build --base-url URL, for a static host: the folder's index page is the channel.
    store = open_store(data.data_dir)
    try:
        update_feeds(store, data.sites, tmp_path / "feeds", base_url="https://cdn.example/tin")
    finally:
        store.close()
    for path in (tmp_path / "feeds").glob("*.atom.xml"):
        atom = feedparser.parse(path.read_bytes())
        if not path.name.startswith("site-"):  # a site's feed: the site's own page
            assert atom.feed.link == "https://cdn.example/tin/", path.name
        assert [link.href for link in atom.feed.links if link.rel == "self"] == [
            f"https://cdn.example/tin/{path.name}"
        ]
        assert b".invalid" not in path.read_bytes(), path.name
