"""Text clean-up shared by extraction and the page objects.

Vietnamese pages mix NFC and NFD (decomposed tone marks, common in windows-1258 and in text
pasted from Word), non-breaking spaces and zero-width characters; everything leaving
extraction goes through :func:`clean_line` or :func:`join_paragraphs` so that equal words
compare equal.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

# Zero-width and BOM characters: invisible, but they split words for search and dedup.
# Direction controls (embeddings, overrides, isolates) too: Vietnamese has no use for them, and
# an override turns the rest of a title around in a feed reader.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad\u061c\u202a-\u202e\u2066-\u2069]")
# Any run of whitespace, Unicode spaces (NBSP, thin space, ideographic space) included.
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """``text`` in Unicode NFC, skipping the copy when it already is."""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def clean_line(text: str) -> str:
    """One line: NFC, invisible characters dropped, whitespace runs collapsed, trimmed."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", nfc(text))).strip()


def clean_or_none(text: str | None) -> str | None:
    """:func:`clean_line`, or None when nothing is left."""
    if text is None:
        return None
    return clean_line(text) or None


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Paragraphs cleaned, empty ones dropped, separated by one blank line."""
    return "\n\n".join(p for p in map(clean_line, paragraphs) if p)


def clean_text(text: str) -> str:
    """A multi-line text (one paragraph a line) as blank-line separated paragraphs."""
    return join_paragraphs(text.splitlines())


# UTF-8 read as windows-1252/latin-1 (or windows-1258): the letter of a lead byte Vietnamese
# uses (C2-C4, C6, CC, CD: "Â", "Ã", "Ä", "Æ", "Ì", "Í"; E1, E2 with two continuation bytes:
# "á", "â"; "Ă" and a combining grave where windows-1258 differs) followed by a continuation
# byte's ("‘", "»", "™", "¡" ...): "Ä‘Ã´Ì£ng". A misread Vietnamese page is full of these;
# correct text essentially never has one ("café’s" is no mark: E9 is no such lead).
_CONTINUATION = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc" + (
    "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122"
)
_MOJIBAKE_PAIR = re.compile(
    f"[\u00c2-\u00c4\u00c6\u00cc\u00cd\u0102\u0300][{_CONTINUATION}]"
    f"|[\u00e1\u00e2][{_CONTINUATION}]{{2}}"
)
_LEADS = "\u00c2\u00c3\u00c4\u00c6\u00cc\u00cd\u0102\u0300\u00e1\u00e2"
# Every pair above starts with a lead and a continuation. As one class-led pattern, re scans
# for its first class in a tight loop, several times faster than the two-branch pattern on
# pages that hold none (before, this check was a sizeable share of a page's extraction).
_MOJIBAKE_HINT = re.compile(f"[{_LEADS}][{_CONTINUATION}]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_MISREAD_AS = ("cp1252", "cp1258")
_MAX_REPAIR_ROUNDS = 3  # text mangled twice over comes back in two rounds


def mojibake_count(text: str) -> int:
    """How many UTF-8-read-as-windows-1252 character pairs ``text`` holds."""
    # Substring tests run at memchr speed: most non-Vietnamese pages skip the regex scan.
    if not any(lead in text for lead in _LEADS) or not _MOJIBAKE_HINT.search(text):
        return 0
    return len(_MOJIBAKE_PAIR.findall(text))


def repair_mojibake(text: str) -> str:
    """``text`` with each run of mojibake turned back into the characters it encoded.

    A run of non-ASCII characters is re-encoded with the charset it was misread as and
    decoded as UTF-8; a run that does not come out as valid UTF-8 is left alone, so correct
    text is never touched. (ftfy does this and more, at 10x the cost; this is the one
    misreading Vietnamese pages show.)
    """
    for _ in range(_MAX_REPAIR_ROUNDS):
        if not mojibake_count(text):
            break
        text = _NON_ASCII_RUN.sub(_repair_run, text)
    return text


def _repair_run(match: re.Match[str]) -> str:
    run = match[0]
    if not _MOJIBAKE_PAIR.search(run):
        return run
    for charset in _MISREAD_AS:
        raw = _sloppy_encode(run, charset)
        if raw is None:
            continue
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return run


def _sloppy_encode(run: str, charset: str) -> bytes | None:
    """``run`` in ``charset``, bytes the charset leaves undefined (0x81, 0x8D, 0x8F, 0x90,
    0x9D) taken as latin-1 as browsers do; None if a character has no byte."""
    out = bytearray()
    for char in run:
        try:
            out += char.encode(charset)
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                return None
            out.append(ord(char))
    return bytes(out)


# Entities some portals print with their "&" lost ("ldquo;Việc làm rdquo;") or escaped
# twice ("&amp;hellip;" shows as "&hellip;"): typographic ones only, where a bare name
# cannot be a word of the text.
_TYPOGRAPHIC = (
    "ldquo", "rdquo", "lsquo", "rsquo", "bdquo", "sbquo", "laquo", "raquo", "hellip",
    "ndash", "mdash", "middot",
)  # fmt: skip
_SHORT = ("nbsp", "quot", "amp", "apos", "bull", "deg", "copy")  # could end a word
_LITERAL_ENTITY = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BARE_ENTITY = re.compile(rf"(?<!&)({'|'.join(_TYPOGRAPHIC)});|(?<![&\w])({'|'.join(_SHORT)});")


def restore_entities(text: str) -> str:
    """``text`` with entity names shown as text turned into the characters readers expect."""
    if ";" not in text:
        return text
    text = _LITERAL_ENTITY.sub(_entity, text)
    return _BARE_ENTITY.sub(_entity, text)


def _entity(match: re.Match[str]) -> str:
    name = match[1] or match[2]
    char = html.unescape(f"&{name};")
    if char == f"&{name};":
        return match[0]  # not an entity after all
    return " " if char == "\xa0" else char


# A numeric reference to a code point XML cannot hold (C0 controls but tab/newline/CR, lone
# surrogates, U+FFFE/U+FFFF, beyond U+10FFFF): libxml2 gives up on the rest of the document at
# one, so a single "&#xFFFE;" left the article without text.
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def drop_unusable_references(markup: str) -> str:
    """``markup`` without numeric character references to code points XML cannot hold."""
    if "&#" not in markup:
        return markup
    return _NUMERIC_REFERENCE.sub(_usable_reference, markup)


def _usable_reference(match: re.Match[str]) -> str:
    hexa, decimal = match.groups()
    code = int(hexa, 16) if hexa else int(decimal)
    unusable = (
        (code < 0x20 and code not in (0x9, 0xA, 0xD))
        or 0xD800 <= code <= 0xDFFF
        or code in (0xFFFE, 0xFFFF)
        or code > 0x10FFFF
    )
    return "" if unusable else match.group(0)
