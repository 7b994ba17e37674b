"""Identity of URLs and bodies: what makes two pages the same source or the same story."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urldefrag

import courlan

_SPACE_RE = re.compile(r"\s+")


def canonical_url(url: str) -> str:
    """Canonical form of an article URL (courlan: lowercase host, no fragment, no tracking
    parameters, sorted query). Non-strict, so that ``?id=123`` article ids survive."""
    # Fragments never name another page; courlan keeps them in non-strict mode.
    bare = urldefrag(url).url
    return str(courlan.normalize_url(bare)) or bare


def normalised_text(text: str) -> str:
    """The body as compared for exact duplicates: NFC, case-folded, whitespace collapsed."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalised_text(text).encode("utf-8")).hexdigest()
