"""One :class:`FeedSpec` as RSS 2.0 and Atom bytes, built with feedgen, deterministic.

The same data gives the same bytes: every date comes from the entries (never the clock, which
is feedgen's default for ``updated``/``lastBuildDate``), and entries have a total order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from aggregator.dates import VIETNAM
from feeds.content import entry_html, xml_text
from feeds.model import FeedEntry, FeedSpec
from feeds.rfc2822 import use_locale_free_dates

DEFAULT_LIMIT = 100
GENERATOR = "tinlaodong"
LANGUAGE = "vi"
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
# RFC 5005's namespace: <fh:archive/> marks an archive document, one that never changes.
HISTORY_NS = "http://purl.org/syndication/history/1.0"
# (rel, href) pairs: the paging links of RFC 5005 ("first", "next", ...).
Links = Sequence[tuple[str, str]]


def rss_name(slug: str) -> str:
    return f"{slug}.rss.xml"


def atom_name(slug: str) -> str:
    return f"{slug}.atom.xml"


def feed_id(slug: str) -> str:
    # A tag URI rather than a URL: the feed keeps its id wherever it is hosted.
    return f"tag:tinlaodong,2024:feed/{slug}"


def newest_first(entries: Iterable[FeedEntry], limit: int = DEFAULT_LIMIT) -> list[FeedEntry]:
    """The ``limit`` most recently published entries, newest first; ties broken by guid."""
    entries = list(entries)
    for entry in entries:  # before sorting, which would fail on a naive date less clearly
        _require_aware(entry)
    ordered = sorted(entries, key=lambda e: (e.published, e.guid), reverse=True)
    return ordered[: max(limit, 0)]


def entry_updated(entry: FeedEntry) -> datetime:
    # Atom wants updated >= published; a store that has not touched a story since it was
    # published may well report an older "updated".
    return max(entry.published, entry.updated)


def feed_updated(entries: Iterable[FeedEntry], empty: datetime | None = None) -> datetime:
    """The newest entry's date; without entries ``empty`` (the spec's own date), else now: a
    reader must not see an empty feed dated 1970 (the same data still gives the same bytes,
    as the caller gives the date). Now is in Vietnam's time, as every other feed date."""
    newest = max((entry_updated(e) for e in entries), default=None)
    return newest or empty or datetime.now(VIETNAM).replace(microsecond=0)


def rss_bytes(
    spec: FeedSpec,
    *,
    self_url: str | None = None,
    limit: int = DEFAULT_LIMIT,
    links: Links = (),
) -> bytes:
    use_locale_free_dates()
    fg = _generator(spec, newest_first(spec.entries, limit), self_url, RSS_TYPE)
    _add_rss_links(fg, links)
    return bytes(fg.rss_str(pretty=True))


def atom_bytes(
    spec: FeedSpec,
    *,
    self_url: str | None = None,
    limit: int = DEFAULT_LIMIT,
    links: Links = (),
) -> bytes:
    fg = _generator(spec, newest_first(spec.entries, limit), self_url, ATOM_TYPE)
    for rel, href in links:
        fg.link(href=xml_text(href), rel=rel, type=ATOM_TYPE)
    return bytes(fg.atom_str(pretty=True))


def rss_and_atom_bytes(
    spec: FeedSpec,
    *,
    rss_self: str | None = None,
    atom_self: str | None = None,
    limit: int = DEFAULT_LIMIT,
    rss_links: Links = (),
    atom_links: Links = (),
    archive: bool = False,
    updated: datetime | None = None,
) -> tuple[bytes, bytes]:
    """``rss_bytes`` and ``atom_bytes`` of one spec, the same bytes, from one generator: its
    entries (most of the work: feedgen builds each field) are made once for both.
    ``updated``: the feed's date instead of its entries' (a feed of some of them, to be
    joined with the others: ``feeds.pieces``)."""
    use_locale_free_dates()
    entries = newest_first(spec.entries, limit)
    fg = _generator(spec, entries, rss_self, RSS_TYPE)
    if updated is not None:
        fg.updated(updated)
    _add_rss_links(fg, rss_links)
    if archive:
        fg.register_extension("tinlaodong_archive", _ArchiveMark, BaseEntryExtension)
    rss = bytes(fg.rss_str(pretty=True))
    # What _generator sets for Atom instead: its own self link, then the paging links.
    fg.link(_feed_links(xml_text(spec.link), atom_self, ATOM_TYPE), replace=True)
    for rel, href in atom_links:
        fg.link(href=xml_text(href), rel=rel, type=ATOM_TYPE)
    return rss, bytes(fg.atom_str(pretty=True))


def _add_rss_links(fg: FeedGenerator, links: Links) -> None:
    """feedgen writes only the self link into RSS: the paging links go in as ``atom:link``
    elements after it (or first in the channel), as RSS readers that page expect. Through a
    feedgen extension, which sees the channel before its items: parsing and writing the whole
    feed again to add them was a tenth of publishing the feeds."""
    if links:
        fg.register_extension(
            "tinlaodong_paging",
            functools.partial(_RssPagingLinks, links),
            BaseEntryExtension,
            atom=False,
            rss=True,
        )


class _RssPagingLinks(BaseExtension):  # type: ignore[misc]  # feedgen has no type hints
    def __init__(self, links: Links) -> None:
        self.links = links

    def extend_ns(self) -> dict[str, str]:
        return {"atom": ATOM_NS}

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        channel = feed.find("channel")
        assert channel is not None
        existing = channel.findall(f"{{{ATOM_NS}}}link")
        position = channel.index(existing[-1]) + 1 if existing else 0
        for offset, (rel, href) in enumerate(self.links):
            link = etree.Element(f"{{{ATOM_NS}}}link", href=xml_text(href), rel=rel, type=RSS_TYPE)
            channel.insert(position + offset, link)
        return feed


class _ArchiveMark(BaseExtension):  # type: ignore[misc]  # feedgen has no type hints
    """``<fh:archive/>`` in the channel (RSS, RFC 5005 appendix B) or the feed (Atom)."""

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY_NS}

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        channel = feed.find("channel")
        assert channel is not None
        channel.insert(0, etree.Element(f"{{{HISTORY_NS}}}archive"))
        return feed

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        feed.insert(0, etree.Element(f"{{{HISTORY_NS}}}archive"))
        return feed


def _generator(
    spec: FeedSpec, entries: list[FeedEntry], self_url: str | None, media_type: str
) -> FeedGenerator:
    fg = FeedGenerator()
    # dc:creator carries the author in RSS, whose <author> must be an e-mail address;
    # Atom has <author><name> for that.
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(feed_id(spec.slug))
    fg.title(xml_text(spec.title))
    fg.description(xml_text(spec.description))
    fg.link(_feed_links(xml_text(spec.link), self_url, media_type), replace=True)
    fg.language(LANGUAGE)
    fg.generator(GENERATOR)
    fg.updated(feed_updated(entries, spec.updated))
    for entry in entries:
        _add_entry(fg, entry)
    return fg


def _feed_links(home: str, self_url: str | None, media_type: str) -> list[dict[str, str]]:
    # The home page goes last: feedgen makes the *last* link the RSS <channel><link>.
    links = [{"href": self_url, "rel": "self", "type": media_type}] if self_url else []
    links.append({"href": home, "rel": "alternate"})
    return links


def _add_entry(fg: FeedGenerator, entry: FeedEntry) -> None:
    # "append": feedgen prepends by default, which would reverse the newest-first order.
    fe = fg.add_entry(order="append")
    fe.id(xml_text(entry.guid))  # also the RSS guid, with isPermaLink="false"
    fe.title(entry_title(entry))
    fe.link(href=xml_text(entry.link), rel="alternate")
    fe.content(entry_html(entry), type="html")
    summary = xml_text(entry.summary or "").strip()
    if summary:
        # feedgen makes it the RSS <description>, the body then going into <content:encoded>.
        fe.summary(summary)
    fe.published(entry.published)
    fe.updated(entry_updated(entry))
    for category in entry.categories:
        fe.category(term=xml_text(category))
    author = xml_text(entry.author or "").strip()
    if author:
        fe.author(name=author)
        fe.dc.dc_creator(author)


def entry_title(entry: FeedEntry) -> str:
    """The entry's title, XML-safe; its link when nothing visible is left of it (a title of
    control characters only): feedgen refuses an entry without a title, and one bad title
    must not fail every feed it is in."""
    title = xml_text(entry.title).strip()
    return title or xml_text(entry.link).strip() or entry.guid


def _require_aware(entry: FeedEntry) -> None:
    for name in ("published", "updated"):
        if getattr(entry, name).utcoffset() is None:
            raise ValueError(f"entry {entry.guid}: {name} has no time zone")
