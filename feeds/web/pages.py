"""The browsing page: what it shows (:class:`HomePage`) and its HTML, from the Jinja2
templates of ``templates/`` (autoescaped): plain server-rendered markup, inline CSS, no script."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined

from feeds.content import paragraphs, xml_text
from feeds.web.charts import Heatmap, Strip
from feeds.web.i18n import EN, text

EXCERPT_CHARS = 260


@dataclass(frozen=True)
class FeedLink:
    """One feed in its three formats; URLs absolute (pasted into a reader as they are)."""

    title: str
    rss: str
    atom: str
    json: str


@dataclass(frozen=True)
class StoryRow:
    title: str
    url: str
    provinces: tuple[str, ...]  # its publishers' (``aggregator.story_provinces``)
    source: str
    others: int
    when: datetime
    excerpt: str  # plain text; « and » mark search matches
    lead: str | None = None  # the standfirst, shown apart above the excerpt
    date_only: bool = False  # ``when`` is a day the page showed without a time
    about: tuple[str, ...] = ()  # the provinces it names, shown apart from its publishers'

    def day(self) -> str:
        """``when`` as the page shows it: without a time for a date-only story."""
        return f"{self.when:%d/%m/%Y}" if self.date_only else f"{self.when:%d/%m/%Y %H:%M}"

    def machine_time(self) -> str:
        """The ``<time datetime>`` value: a valid date string for a day without a time."""
        return self.when.date().isoformat() if self.date_only else self.when.isoformat()


@dataclass(frozen=True)
class SiteRow:
    name: str
    province: str
    status: str
    status_class: str  # ok | warn | bad | none
    last: str
    stories: int
    strip: Strip


@dataclass
class HomePage:
    lang: str
    heading: str
    filters: dict[str, str]  # province, topic, q: as in the query string
    provinces: Sequence[tuple[str, str]]  # (id, name)
    topics: Sequence[tuple[str, str]]
    stories: Sequence[StoryRow]
    page: int
    more: bool
    follow: Sequence[FeedLink]  # the feeds of this view: autodiscovery and the follow box
    groups: Sequence[tuple[str, Sequence[FeedLink]]]  # every feed, grouped
    opml: str
    chart: Heatmap | None  # None: no story in the chart's days
    chart_title: str
    sites: Sequence[SiteRow]
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def t(self, key: str, **values: object) -> str:
        return text(self.lang, key, **values)

    def href(self, **changes: object) -> str:
        """This page's URL with some parameters changed (None or "" drops one)."""
        params: dict[str, object] = {
            **self.filters,
            "lang": EN if self.lang == EN else None,
            **changes,
        }
        query = {
            k: v for k, v in params.items() if v not in (None, "") and (k, v) != ("page", 1)
        }
        return "/" + ("?" + urlencode(query) if query else "")


class Pages:
    """The templates, loaded once (Jinja2 compiles and caches them)."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("feeds.web", "templates"),
            autoescape=True,
            undefined=StrictUndefined,  # a misspelt name fails the test, not the page
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["marks"] = marks
        self.env.globals["EN"] = EN

    def home(self, page: HomePage) -> bytes:
        title = page.t("site_title")
        if page.heading != page.t("latest"):
            title = f"{page.heading} · {title}"
        other_lang = page.href(lang=None if page.lang == EN else EN)
        html = self.env.get_template("page.html").render(
            page=page, t=page.t, title=title, other_lang=other_lang
        )
        return xml_text(html).encode("utf-8")


def excerpt(text_body: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a story's text, cut at a word."""
    first = " ".join(paragraphs(text_body)[:2])
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def marks(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet's parts, each with whether it is a «match» (shown as <mark>)."""
    parts, rest = [], snippet
    while "«" in rest and "»" in rest.split("«", 1)[1]:
        before, after = rest.split("«", 1)
        inside, rest = after.split("»", 1)
        parts += [(before, False), (inside, True)]
    parts.append((rest, False))
    return [(part, marked) for part, marked in parts if part or marked]
