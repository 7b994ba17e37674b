"""An entry's HTML body: paragraphs, figures and the list of sources, sanitised and XML-safe."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from html import escape
from urllib.parse import urljoin

import nh3

from feeds.model import FeedEntry, FeedSource

# XML 1.0 forbids C0 controls other than tab/newline/CR, lone surrogates and U+FFFE/U+FFFF;
# lxml refuses to serialise them, and a feed reader rejects the whole feed over one of them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

_ALLOWED: dict[str, object] = {
    "tags": {"p", "a", "figure", "figcaption", "img", "ul", "li", "strong", "em", "br"},
    "attributes": {"a": {"href"}, "img": {"src", "alt"}},
    "url_schemes": {"http", "https"},
    # ammonia adds rel="noopener noreferrer" by default; the allow-list has no rel, and a feed
    # body opens no windows, so keep the markup exactly what was allowed.
    "link_rel": None,
}
_CLEANER = nh3.Cleaner(**_ALLOWED)  # type: ignore[arg-type]
_URL_ATTRIBUTES = frozenset({("a", "href"), ("img", "src")})

SOURCES_LABEL = "Nguồn:"


def xml_text(value: str) -> str:
    """``value`` as NFC with the XML-invalid characters removed.

    NFC because some sites send Vietnamese in decomposed form (base letter + combining marks),
    which readers render and search differently from the same words typed as NFC.
    """
    return unicodedata.normalize("NFC", _XML_INVALID.sub("", value))


def sanitize(html: str, base_url: str | None = None) -> str:
    """Keep only the allow-listed tags, attributes and http(s) URLs; XML-safe.

    ``base_url`` (the page the HTML comes from): relative links and image sources are made
    absolute against it, since a feed reader would resolve them against the feed's own URL.
    """
    if not base_url:
        return xml_text(_CLEANER.clean(xml_text(html)))

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) not in _URL_ATTRIBUTES:
            return value
        try:
            return urljoin(base_url, value.strip())
        except ValueError:  # an unparsable URL ("http://[::1") is dropped, not kept as is
            return None

    cleaned = nh3.clean(xml_text(html), attribute_filter=absolute, **_ALLOWED)  # type: ignore[arg-type]
    return xml_text(cleaned)


def paragraphs(text: str) -> list[str]:
    """The non-blank paragraphs of a plain text, split on blank lines."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


# Within :func:`entry_html_cache`: each entry's HTML, built once for every feed and page it is in.
_HTML_CACHE: ContextVar[dict[FeedEntry, str] | None] = ContextVar("entry_html", default=None)


@contextmanager
def entry_html_cache() -> Iterator[None]:
    """Build each entry's HTML once inside the block, however many feeds, pages and formats
    show it (the HTML is a function of the entry's data alone). Nested blocks share the outer
    cache; it is dropped when the outermost block ends."""
    if _HTML_CACHE.get() is not None:
        yield
        return
    token = _HTML_CACHE.set({})
    try:
        yield
    finally:
        _HTML_CACHE.reset(token)


def entry_html(entry: FeedEntry) -> str:
    """The sanitised HTML body of an entry: text, then figures, then the sources."""
    cache = _HTML_CACHE.get()
    if cache is None:
        return _entry_html(entry)
    html = cache.get(entry)
    if html is None:
        html = cache[entry] = _entry_html(entry)
    return html


def _entry_html(entry: FeedEntry) -> str:
    parts = [_paragraph_html(p) for p in paragraphs(entry.text)]
    parts += [_figure_html(src, caption) for src, caption in entry.images]
    parts.append(_sources_html(entry.sources))
    # Relative image sources are the article page's: resolved against its URL.
    return sanitize("".join(parts), base_url=entry.link)


def _paragraph_html(paragraph: str) -> str:
    # A single newline inside a paragraph is a line break the site meant (addresses, verse).
    lines = (escape(line.strip()) for line in paragraph.splitlines())
    return "<p>" + "<br>".join(lines) + "</p>"


def _figure_html(src: str, caption: str | None) -> str:
    alt = escape(caption or "")
    figcaption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{escape(src)}" alt="{alt}">{figcaption}</figure>'


def _sources_html(sources: tuple[FeedSource, ...]) -> str:
    if not sources:
        return ""
    items = "".join(
        f'<li><a href="{escape(s.url)}">{escape(s.site_name)}</a></li>' for s in sources
    )
    return f"<p><strong>{SOURCES_LABEL}</strong></p><ul>{items}</ul>"
