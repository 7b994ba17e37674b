"""The feed list: ``index.html`` for people, ``feeds.opml`` for feed readers; deterministic."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from lxml import etree

from feeds.builder import atom_name, rss_name
from feeds.content import xml_text
from feeds.model import FeedSpec

INDEX_NAME = "index.html"
OPML_NAME = "feeds.opml"
SITE_TITLE = "tinlaodong: tin lao động, người có công và xã hội"


def index_html(specs: Sequence[FeedSpec]) -> bytes:
    """A page listing every feed with links to its RSS and Atom files (relative links)."""
    discovery = "".join(_discovery_links(spec) for spec in specs)
    items = "".join(_index_item(spec) for spec in specs)
    page = (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(SITE_TITLE)}</title>\n{discovery}</head>\n<body>\n"
        f"<h1>{escape(SITE_TITLE)}</h1>\n<ul>\n{items}</ul>\n"
        f'<p><a href="{OPML_NAME}">OPML</a></p>\n</body>\n</html>\n'
    )
    return xml_text(page).encode("utf-8")


def opml(specs: Sequence[FeedSpec], base_url: str | None = None) -> bytes:
    """An OPML 2.0 subscription list of the RSS feeds; absolute URLs when ``base_url`` is known.

    Feeds with a ``group`` (a province's name: its own feed and its sites', "Chủ đề": the
    topics) are nested in one outline per group, in order of first appearance; the others
    stay at the top level.
    """
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = SITE_TITLE
    body = etree.SubElement(root, "body")
    folders: dict[str, etree._Element] = {}
    for spec in specs:
        parent = _folder(body, folders, spec.group) if spec.group else body
        title = xml_text(spec.title)
        etree.SubElement(
            parent,
            "outline",
            type="rss",
            text=title,
            title=title,
            xmlUrl=(base_url or "") + rss_name(spec.slug),
            htmlUrl=xml_text(spec.link),
        )
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True))


def _folder(body: etree._Element, folders: dict[str, etree._Element], group: str) -> etree._Element:
    if group not in folders:
        name = xml_text(group)
        folders[group] = etree.SubElement(body, "outline", text=name, title=name)
    return folders[group]


def _discovery_links(spec: FeedSpec) -> str:
    # Lets a browser or feed reader given the index page find the feeds by itself.
    title = escape(spec.title)
    return (
        f'<link rel="alternate" type="application/rss+xml" title="{title}"'
        f' href="{rss_name(spec.slug)}">\n'
        f'<link rel="alternate" type="application/atom+xml" title="{title}"'
        f' href="{atom_name(spec.slug)}">\n'
        f'<link rel="alternate" type="application/feed+json" title="{title}"'
        f' href="{spec.slug}.json">\n'
    )


def _index_item(spec: FeedSpec) -> str:
    return (
        f"<li><strong>{escape(spec.title)}</strong>: {escape(spec.description)}"
        f' (<a href="{rss_name(spec.slug)}">RSS</a>, <a href="{atom_name(spec.slug)}">Atom</a>,'
        f' <a href="{spec.slug}.json">JSON Feed</a>)'
        "</li>\n"
    )
