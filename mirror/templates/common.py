"""Small helpers shared by the page templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from string import Template

from mirror.model import VIETNAM_TZ

# The day the mirror pretends it was saved: the "today" that site headers print.
SNAPSHOT_DAY = datetime(2025, 6, 2, 8, 0, tzinfo=VIETNAM_TZ)


@dataclass(frozen=True)
class SiteChrome:
    """What a site's chrome says about its owner: header, footer and side portlets."""

    name: str  # "Sở LĐ-TB&XH tỉnh Quảng Trị"
    province: str
    address: str
    phone: str
    email: str
    visitors_online: int = 2
    visitors_today: int = 67
    visitors_total: str = "717.717"


@dataclass(frozen=True)
class ListingEntry:
    """One article as a listing, a home page or a related-news box shows it."""

    url: str
    headline: str
    published: datetime
    summary: str = ""
    image_url: str | None = None


def load_template(name: str) -> Template:
    """A page skeleton from this package (``$name`` placeholders, ``$$`` for a dollar)."""
    return Template((Path(__file__).parent / name).read_text(encoding="utf-8"))


def esc(text: str) -> str:
    return escape(text, quote=True)


def twelve_hour(moment: datetime) -> str:
    """'09:30 AM', without strftime's locale-dependent %p."""
    hour = moment.hour % 12 or 12
    return f"{hour:02d}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
