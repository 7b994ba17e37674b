"""Identity of URLs and bodies: what makes two pages the same source or the same story."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

import courlan

_SPACE_RE = re.compile(r"\s+")


def canonical_url(url: str) -> str:
    """Canonical form of an article URL (courlan: lowercase host, no fragment, no tracking
    parameters, sorted query). Non-strict, so that ``?id=123`` article ids survive."""
    # Fragments never name another page; courlan keeps them in non-strict mode.
    # Not urldefrag: it also drops an empty ";" parameter, but only when there is a fragment.
    bare = url.split("#", 1)[0]
    return str(courlan.normalize_url(bare)) or bare


def normalised_text(text: str) -> str:
    """The body as compared for exact duplicates: NFC, case-folded, whitespace collapsed."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalised_text(text).encode("utf-8")).hexdigest()


# A copy naming its original: "Nguồn: Sở LĐ-TB&XH tỉnh Quảng Trị", "(Theo baodansinh.vn)".
# "Theo" must be followed by a name (a capital or a domain), so "Theo kế hoạch, ..." is no credit.
_CREDIT_RE = re.compile(
    r"^[(\[]?\s*(?:nguồn\s*:?|theo\s*:?)\s*(?P<name>[^\n]{2,80}?)\s*[)\]]?\s*\.?$",
    re.IGNORECASE,
)
_DOMAIN_RE = re.compile(r"\b((?:[a-z0-9-]+\.)+[a-z]{2,})\b", re.IGNORECASE)
_CREDIT_MAX_WORDS = 14
# Where a credit line sits: the first or the last paragraphs of a body.
_CREDIT_HEAD, _CREDIT_TAIL = 2, 3
# What names the kind of body rather than the place (folded to ASCII): left out when matching.
_PUBLISHER_WORDS = re.compile(
    r"\b(?:so lao dong\s*-?\s*thuong binh va xa hoi|so ld\s*-?\s*tb\s*&?\s*xh|so ldtbxh"
    r"|so noi vu|cong thong tin dien tu|cong ttdt|ubnd|tinh|thanh pho|tp)\b"
)


def _credit_name(paragraph: str) -> str | None:
    line = unicodedata.normalize("NFC", paragraph).strip()
    if not line or len(line.split()) > _CREDIT_MAX_WORDS:
        return None
    match = _CREDIT_RE.match(line)
    if match is None:
        return None
    name = match.group("name").strip(" .:()[]")
    if line.lstrip("([ ").casefold().startswith("theo") and not (
        name[:1].isupper() or _DOMAIN_RE.search(name)
    ):
        return None
    return name or None


def is_credit_line(paragraph: str) -> bool:
    return _credit_name(paragraph) is not None


def credited_publisher(text: str) -> str | None:
    """The publisher a body credits as its origin ("Nguồn: ...", "Theo ..."), if any."""
    paragraphs = [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    ends = paragraphs[-_CREDIT_TAIL:][::-1] + paragraphs[:_CREDIT_HEAD]
    for paragraph in ends:
        name = _credit_name(paragraph)
        if name is not None:
            return name
    return None


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def names_publisher(credit: str, site_id: str, url: str) -> bool:
    """Whether ``credit`` ("Sở LĐ-TB&XH Quảng Trị", "baodansinh.vn", "Báo Dân sinh") names the
    site ``site_id`` that published ``url``: by domain, else by the place or title folded to
    ASCII ("quangtri", "baodansinh") against the words of the site id and of the host."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    for domain in _DOMAIN_RE.findall(credit):
        bare = domain.casefold().removeprefix("www.")
        if host == bare or host.endswith("." + bare):
            return True
    folded = _ascii_fold(credit)
    place = _PUBLISHER_WORDS.sub(" ", folded)
    names = {re.sub(r"[^a-z0-9]", "", place), re.sub(r"[^a-z0-9]", "", folded)}
    labels = set(re.split(r"[-.]", site_id.casefold())) | set(re.split(r"[-.]", host))
    return any(len(name) >= 4 and name in labels for name in names)
