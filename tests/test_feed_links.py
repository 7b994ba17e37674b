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
from email.message import Message
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

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


def _vary(headers: Message) -> set[str]:
    return {name.strip().lower() for name in (headers["Vary"] or "").split(",")}


def test_public_url_wins_over_the_host_header(
    server: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 21, item 7: with a public address set, a forged Host put its name in the links
    # of the page and of every feed, and caches on the way kept that for everyone.
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://tin.example/")
    evil = {"Host": "evil.example"}
    status, headers, body = get(f"{server.url}/", evil)
    assert status == 200 and b"evil.example" not in body
    doc = lxml_html.fromstring(body.decode("utf-8"))
    feeds = [link.get("href") for link in doc.cssselect('head link[rel="alternate"]')]
    assert feeds and all(href.startswith("https://tin.example/feeds/") for href in feeds)
    for path in ("/feeds/all.atom.xml", "/all.atom.xml", "/feeds/search?q=lao&format=atom"):
        status, headers, body = get(server.url + path, evil)
        assert status == 200 and b"evil.example" not in body, path
        atom = feedparser.parse(body)
        assert atom.feed.link.startswith("https://tin.example/"), path
        selfs = [link.href for link in atom.feed.links if link.rel == "self"]
        assert len(selfs) == 1 and selfs[0].startswith("https://tin.example/feeds/"), path
        assert "host" not in _vary(headers), path  # the same links for every Host


def test_answers_whose_links_follow_the_host_vary_on_it(
    server: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a public address the links name the Host the reader used: a shared cache that
    # keyed on the URL alone would give one reader's address to the next.
    monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    for path in ("/", "/feeds/all.rss.xml", "/all.atom.xml", "/feeds/search?q=lao&format=rss"):
        status, headers, _ = get(server.url + path)
        assert status == 200 and "public" in headers["Cache-Control"], path
        assert {"host", "accept-encoding"} <= _vary(headers), path
        # A revalidation's 304 says so too (RFC 9110 15.4.5).
        status, headers, _ = get(server.url + path, {"If-None-Match": headers["ETag"]})
        assert status == 304 and "host" in _vary(headers), path
    status, headers, _ = get(f"{server.url}/favicon.svg")  # no links: one for every Host
    assert status == 200 and _vary(headers) == {"accept-encoding"}
