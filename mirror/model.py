"""What the mirror publishes: articles and the listing entries that lead to broken pages."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# Every site of the mirror is Vietnamese: times are local (UTC+7, no daylight saving).
VIETNAM_TZ = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Image:
    src: str  # file name under content/images/
    caption: str
    after: int  # index of the body paragraph the image follows (-1: before the first)


@dataclass(frozen=True)
class Article:
    site_id: str
    id: int
    slug: str
    headline: str
    published: datetime  # aware, +07:00
    paragraphs: tuple[str, ...]
    author: str  # the signature closing the page
    lead: str | None = None
    images: tuple[Image, ...] = ()
    category: str = "tin-tuc-su-kien"
    nfd: bool = False  # the page is served in Unicode NFD (decomposed)
    seed: bool = False  # built from one of the user's seed dumps
    # The signature names a unit (a department, a centre), not a person: the page has no author.
    signed_by_unit: bool = False
    # (site id, article id) of the press release this article republishes verbatim
    republishes: tuple[str, int] | None = None

    @property
    def summary(self) -> str:
        """What a listing shows under the headline: the lead, else the first paragraph cut short."""
        if self.lead:
            return self.lead
        first = self.paragraphs[0] if self.paragraphs else ""
        return first if len(first) <= 200 else first[:200].rsplit(" ", 1)[0] + "..."


@dataclass(frozen=True)
class BrokenLink:
    """A listing entry whose article page the server answers with an error status."""

    site_id: str
    id: int
    slug: str
    headline: str
    published: datetime
    status: int
    category: str = "tin-tuc-su-kien"


def slugify(text: str) -> str:
    """ASCII URL slug of a Vietnamese headline, as Vietnamese CMSes make them (đ becomes d)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def parse_local_time(value: str) -> datetime:
    """'2024-03-14 08:30' (Vietnam local time) as an aware datetime."""
    return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=VIETNAM_TZ)
