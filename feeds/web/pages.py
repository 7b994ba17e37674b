"""The browsing page: what it shows (:class:`HomePage`) and its HTML, from the Jinja2
templates of ``templates/`` (autoescaped): plain server-rendered markup, inline CSS, no script."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib.resources import files
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined

from aggregator.models import Image
from feeds.content import paragraphs, xml_text
from feeds.web.charts import Heatmap, Strip
from feeds.web.i18n import EN, text
from feeds.web.times import absolute

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
    ago: str = ""  # ``when`` relative to the page's now: "2 giờ trước"
    link: str = ""  # the story's own page, every source listed
    image: Image | None = None  # a thumbnail, from the site that published it
    about: tuple[str, ...] = ()  # the provinces it names, shown apart from its publishers'

    def day(self) -> str:
        """``when`` in full, labelled: without a time for a date-only story."""
        return absolute(self.when, self.date_only)

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
    today: date | None = None  # in Vietnam: the quick date choices count back from it
    count: str = ""  # "123 tin · hiển thị 1–30"

    def quick_dates(self) -> list[tuple[str, str, bool]]:
        """(label, URL, whether it is the current choice): today, 7 days, 30 days, any time."""
        if self.today is None:
            return []
        days = {"today_choice": 0, "days_7": 6, "days_30": 29}
        choices = [(key, (self.today - timedelta(days=n)).isoformat()) for key, n in days.items()]
        current = (self.filters.get("since", ""), self.filters.get("until", ""))
        found = []
        for key, since in [*choices, ("any_time", "")]:
            url = self.href(since=since or None, until=None, page=None)
            found.append((self.t(key), url, current == (since, "")))
        return found

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


@dataclass(frozen=True)
class SourceRow:
    """A page that published the story, as its story page lists it."""

    name: str
    url: str
    province: str
    seen: str  # when it was fetched, in full
    machine_seen: str
    published: str | None  # its own date, in full, where it gave one


@dataclass(frozen=True)
class StoryPage:
    id: int
    lang: str
    title: str
    lead: str | None
    image: Image | None  # an absolute http(s) URL, shown from its site (never proxied)
    absolute: str  # the date in full: "06/12/2026 14:30 (+07:00)", a day alone if date-only
    machine_time: str
    ago: str
    provinces: Sequence[tuple[str, str]]  # (id, name): the provinces the story names
    topics: Sequence[tuple[str, str]]
    paragraphs: Sequence[str]  # the text after the lead
    sources: Sequence[SourceRow]
    # The image's box before it loads (no layout shift); CSS scales it to the column.
    image_width: int = 640
    image_height: int = 360

    def t(self, key: str, **values: object) -> str:
        return text(self.lang, key, **values)

    def list_href(self, **params: str) -> str:
        """The list filtered by ``params``, in this page's language."""
        query = {**params, **({"lang": EN} if self.lang == EN else {})}
        return "/?" + urlencode(query)

    def home(self) -> str:
        return "/?lang=en" if self.lang == EN else "/"

    def other_lang(self) -> str:
        return f"/story/{self.id}" + ("" if self.lang == EN else f"?lang={EN}")


@dataclass(frozen=True)
class NotFoundPage:
    lang: str

    def t(self, key: str, **values: object) -> str:
        return text(self.lang, key, **values)

    def home(self) -> str:
        return "/?lang=en" if self.lang == EN else "/"


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
        self.icon = (files("feeds.web") / "templates" / "favicon.svg").read_bytes()

    def home(self, page: HomePage) -> bytes:
        title = page.t("site_title")
        if page.heading != page.t("latest"):
            title = f"{page.heading} · {title}"
        other_lang = page.href(lang=None if page.lang == EN else EN)
        home = page.href(province=None, topic=None, q=None, since=None, until=None)
        return self._render("page.html", page, title, home, other_lang)

    def story(self, page: StoryPage) -> bytes:
        title = f"{page.title} · {page.t('site_title')}"
        return self._render("story.html", page, title, page.home(), page.other_lang())

    def not_found(self, lang: str, path: str) -> bytes:
        """The page of a story that is not there, linking home in ``lang``."""
        page = NotFoundPage(lang)
        other = path + ("" if lang == EN else f"?lang={EN}")
        return self._render("notfound.html", page, page.t("not_found"), page.home(), other)

    def _render(
        self, name: str, page: HomePage | StoryPage | NotFoundPage, title: str, home: str,
        other_lang: str,
    ) -> bytes:
        html = self.env.get_template(name).render(
            page=page, t=page.t, title=title, home=home, other_lang=other_lang
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
