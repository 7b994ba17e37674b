"""How one page's extracted fields are scored against its hand-read labels.

Both sides are normalised the way ``../shared/corpus/vn-dev/README.md`` says (HTML entities
decoded, NFC, whitespace collapsed with NBSP as whitespace, U+200B and U+FEFF removed). Entities
that lost their ``&`` ("ldquo;", "hellip;"...) count as their characters on both sides too: the
labels keep them as the page shows them, while extraction may restore them.

- title: equal to ``title`` or ``title_alt``;
- date: the day of ``published``, the date shown (``published_alt``, the metadata's, only
  where the page shows none; none expected: none extracted);
- time: on pages showing a time, the hour and minute of ``published``;
- date_only: on dated pages, a date-only page is reported as date-only, a timed one is not;
- author: equal to ``author`` or ``author_alt`` (none expected: none extracted);
- lead: none expected: none extracted; else the extracted lead equals it or starts with it;
- body start: ``body_start`` within the first ``len + SLACK`` characters of the text;
- body end: ``body_end`` followed by at most ``SLACK`` characters, not counting a closing
  photo gallery (its "Một số hình ảnh:" headings and the expected captions, kept in place);
- captions: each expected caption somewhere in the text (counted per caption).

A field an extractor does not give at all (bare trafilatura has no lead) is not scored for it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import lxml.html

FIELDS = (
    "title",
    "date",
    "time",
    "date_only",
    "author",
    "lead",
    "body_start",
    "body_end",
    "captions",
)
SLACK = 200
_VIETNAM = timezone(timedelta(hours=7))
_SPACE = re.compile(r"\s+")
# A named entity whose "&" was lost (some pages double-escape, a label keeps what is shown).
# Typographic names may follow a word directly ("alordquo;"); short ones could end a word.
_BARE_ENTITY = re.compile(
    r"(?<!&)(ldquo|rdquo|lsquo|rsquo|hellip|ndash|mdash|laquo|raquo);"
    r"|(?<![&\w])(quot|amp|nbsp|apos);"
)


def norm(text: str | None) -> str:
    if text is None:
        return ""
    text = html.unescape(text)
    text = _BARE_ENTITY.sub(lambda m: html.unescape(f"&{m.group(m.lastindex or 0)};"), text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u200b", "").replace("\ufeff", "").replace("\xa0", " ")
    return _SPACE.sub(" ", text).strip()


@dataclass
class Extracted:
    """What an extractor gave for one page; ``None`` in a ``gives_*`` field: not given at all."""

    title: str | None
    text: str
    published: datetime | None
    author: str | None
    date_only: bool | None = None  # None: the extractor does not say
    lead: str | None = None
    gives_time: bool = True
    gives_lead: bool = True

    def shown(self, field: str) -> str | None:
        """The extracted value a miss of ``field`` is explained by (``--verbose``)."""
        clean = norm(self.text)
        if field in ("date", "time", "date_only"):
            stamp = self.published.isoformat() if self.published else None
            return f"{stamp} date_only={self.date_only}"
        if field == "body_start":
            return clean[:120]
        if field in ("body_end", "captions"):
            return clean[-120:]
        value = getattr(self, field)
        return value if isinstance(value, str) or value is None else str(value)


Scores = dict[str, tuple[int, int]]


def expected_shown(entry: dict[str, Any], field: str) -> str | None:
    """The label a miss of ``field`` is measured against (``--verbose``)."""
    if field in ("date", "time", "date_only"):
        return str(entry.get("published"))
    if field == "captions":
        return " | ".join(entry.get("captions") or [])
    value = entry.get(field)
    return value if isinstance(value, str) or value is None else str(value)


def score(entry: dict[str, Any], got: Extracted | None) -> Scores:
    """(right, counted) per field for one page; a field not counted on it is absent."""
    empty = Extracted(title=None, text="", published=None, author=None)
    page = got or empty
    scores: Scores = {}
    titles = {norm(entry["title"]), norm(entry.get("title_alt"))} - {""}
    scores["title"] = (int(norm(page.title) in titles), 1)
    scores.update(_dates(entry, page))
    authors = {norm(entry["author"]), norm(entry.get("author_alt"))} - {""}
    author = norm(page.author)
    scores["author"] = (int(author in authors if authors else not author), 1)
    if page.gives_lead:
        lead, expected = norm(page.lead), norm(entry.get("lead"))
        scores["lead"] = (int(lead.startswith(expected) if expected else not lead), 1)
    text = norm(page.text)
    start, end = norm(entry["body_start"]), norm(entry["body_end"])
    scores["body_start"] = (int(start in text[: len(start) + SLACK]), 1)
    captions = [norm(c) for c in entry.get("captions") or []]
    scores["body_end"] = (int(_ends_with(page.text or "", end, captions)), 1)
    if captions:
        scores["captions"] = (sum(1 for c in captions if c in text), len(captions))
    return scores


def _ends_with(text: str, end: str, captions: list[str]) -> bool:
    """Whether ``end`` closes the prose of ``text``: what follows it is at most ``SLACK``
    characters (a signature, a source line) besides a photo gallery, whose headings ("Một số
    hình ảnh:") and captions kept in place may follow the last line of prose."""
    flat = norm(text)
    at = flat.rfind(end)
    if at < 0:
        return False
    rest = flat[at + len(end) :]
    for caption in captions:
        rest = rest.replace(caption, " ", 1) if caption else rest
    rest = _GALLERY_HEADING.sub(" ", rest)
    return len(norm(rest)) <= SLACK


_GALLERY_HEADING = re.compile(r"[^.:!?]{0,60}(?:hình ảnh|ảnh)[^.:!?]{0,30}:", re.IGNORECASE)


def _dates(entry: dict[str, Any], page: Extracted) -> Scores:
    scores: Scores = {}
    published = page.published
    if published is not None and published.tzinfo is not None:
        published = published.astimezone(_VIETNAM)
    # The date shown wins over the metadata's (``published_alt``), which counts only where
    # the page shows none.
    expected = [v for v in (entry.get("published") or entry.get("published_alt"),) if v]
    if not expected:
        scores["date"] = (int(published is None), 1)
        return scores
    days = {value[:10] for value in expected}
    scores["date"] = (int(published is not None and f"{published:%Y-%m-%d}" in days), 1)
    shows_time = "T" in (entry.get("published") or "")
    if page.gives_time and shows_time:
        stamps = {value[:16] for value in expected if "T" in value}
        right = (
            published is not None and not page.date_only and f"{published:%Y-%m-%dT%H:%M}" in stamps
        )
        scores["time"] = (int(right), 1)
    if page.date_only is not None:
        scores["date_only"] = (int(page.date_only is not shows_time), 1)
    return scores


LABEL_STRINGS = ("title", "title_alt", "author", "author_alt", "lead", "body_start", "body_end")


def unfound_labels(entry: dict[str, Any], page: bytes) -> list[str]:
    """The label strings of ``entry`` that do not occur in the page's normalised text.

    The page's text is taken twice, its text nodes joined with and without a space between
    them, since a label spans inline tags (no space) and block ones (a space) alike.
    """
    root = lxml.html.document_fromstring(page)
    for element in root.xpath("//script | //style | //noscript"):
        element.drop_tree()
    nodes = list(root.itertext())
    texts = (norm(" ".join(nodes)), norm("".join(nodes)))
    strings = [(name, entry.get(name)) for name in LABEL_STRINGS]
    strings += [("captions", caption) for caption in entry.get("captions") or []]
    return [
        f"{name}: {value!r}"
        for name, value in strings
        if isinstance(value, str) and not any(norm(value) in text for text in texts)
    ]
