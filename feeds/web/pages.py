"""The HTML of the browsing page: plain server-rendered markup, inline CSS, no script."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from urllib.parse import urlencode

from feeds.content import paragraphs, xml_text
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
    provinces: tuple[str, ...]
    source: str
    others: int
    when: datetime
    excerpt: str  # plain text; « and » mark search matches


@dataclass(frozen=True)
class SiteRow:
    name: str
    province: str
    status: str
    status_class: str  # ok | warn | bad | none
    last: str
    stories: int
    strip: str  # inline SVG


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
    chart: str
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


def render(page: HomePage) -> bytes:
    t = page.t
    title = t("site_title")
    if page.heading != t("latest"):
        title = f"{page.heading} · {title}"
    discovery = "".join(_discovery(link) for link in page.follow)
    other_lang = page.href(lang=None if page.lang == EN else EN)
    body = [
        "<header>",
        f'<p class="brand"><a href="{escape(page.href(province=None, topic=None, q=None))}">'
        f"tinlaodong</a> <span>{escape(t('site_title'))}</span></p>",
        f'<a class="lang" href="{escape(other_lang)}">{escape(t("language"))}</a>',
        "</header>",
        "<main>",
        _filters(page),
        _stories(page),
        _follow(page),
        f'<section class="chart"><h2>{escape(page.chart_title)}</h2>'
        f'<div class="scroll">{page.chart}</div></section>',
        _health(page),
        _all_feeds(page),
        "</main>",
        f'<footer><p>{escape(t("tagline"))}</p></footer>',
    ]
    html = (
        f'<!DOCTYPE html>\n<html lang="{page.lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n{discovery}<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
    return xml_text(html).encode("utf-8")


def _discovery(link: FeedLink) -> str:
    title = escape(link.title)
    return (
        f'<link rel="alternate" type="application/rss+xml" title="{title} (RSS)"'
        f' href="{escape(link.rss)}">\n'
        f'<link rel="alternate" type="application/atom+xml" title="{title} (Atom)"'
        f' href="{escape(link.atom)}">\n'
        f'<link rel="alternate" type="application/feed+json" title="{title} (JSON Feed)"'
        f' href="{escape(link.json)}">\n'
    )


def _options(choices: Sequence[tuple[str, str]], selected: str, everything: str) -> str:
    options = [f'<option value="">{escape(everything)}</option>']
    for value, name in choices:
        mark = " selected" if value == selected else ""
        options.append(f'<option value="{escape(value)}"{mark}>{escape(name)}</option>')
    return "".join(options)


def _filters(page: HomePage) -> str:
    t, f = page.t, page.filters
    lang = f'<input type="hidden" name="lang" value="{EN}">' if page.lang == EN else ""
    error = f'<p class="error" role="alert">{escape(page.error)}</p>' if page.error else ""
    return (
        '<form class="filters" method="get" action="/" role="search">'
        f'<label>{escape(t("province"))}<select name="province">'
        f'{_options(page.provinces, f.get("province", ""), t("all_provinces"))}</select></label>'
        f'<label>{escape(t("topic"))}<select name="topic">'
        f'{_options(page.topics, f.get("topic", ""), t("all_topics"))}</select></label>'
        f'<label class="q">{escape(t("search"))}<input type="search" name="q"'
        f' value="{escape(f.get("q", ""))}" placeholder="{escape(t("search_hint"))}"></label>'
        f'{lang}<div class="buttons"><button type="submit">{escape(t("filter"))}</button>'
        f' <a href="{escape(page.href(province=None, topic=None, q=None))}">'
        f'{escape(t("clear"))}</a></div></form>{error}'
    )


def _follow(page: HomePage) -> str:
    t = page.t
    items = []
    for link in page.follow:
        for kind, url in (("RSS", link.rss), ("Atom", link.atom), ("JSON Feed", link.json)):
            items.append(
                f'<li><a class="feed" href="{escape(url)}">{kind}</a>'
                f'<input readonly value="{escape(url)}" aria-label="{escape(t("copy"))}: {kind}"'
                "></li>"
            )
    titles = ", ".join(escape(link.title) for link in page.follow)
    return (
        f'<section class="follow"><h2>{escape(t("follow"))}: {titles}</h2>'
        f'<p class="hint">{escape(t("follow_hint"))}</p><ul>{"".join(items)}</ul></section>'
    )


def _stories(page: HomePage) -> str:
    t = page.t
    if not page.stories:
        listing = f'<p class="empty">{escape(t("no_stories"))}</p>'
    else:
        listing = '<ol class="stories">' + "".join(_story(page, s) for s in page.stories) + "</ol>"
    pager = []
    if page.page > 1:
        pager.append(f'<a rel="prev" href="{escape(page.href(page=page.page - 1))}">'
                     f'← {escape(t("newer"))}</a>')
    if page.more:
        pager.append(f'<a rel="next" href="{escape(page.href(page=page.page + 1))}">'
                     f'{escape(t("older"))} →</a>')
    nav = f'<nav class="pager">{" ".join(pager)}</nav>' if pager else ""
    return f'<section><h1>{escape(page.heading)}</h1>{listing}{nav}</section>'


def _story(page: HomePage, row: StoryRow) -> str:
    others = f' ({escape(page.t("other_sources", n=row.others))})' if row.others else ""
    provinces = " · ".join(escape(p) for p in row.provinces)
    province = f'<span class="province">{provinces}</span> · ' if provinces else ""
    return (
        f'<li><article><h3><a href="{escape(row.url)}">{escape(row.title)}</a></h3>'
        f'<p class="meta">{province}<span class="source">{escape(row.source)}</span>{others}'
        f' · <time datetime="{row.when.isoformat()}">{row.when:%d/%m/%Y %H:%M}</time></p>'
        f'<p class="excerpt">{_marked(row.excerpt)}</p></article></li>'
    )


def excerpt(text_body: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a story's text, cut at a word."""
    first = " ".join(paragraphs(text_body)[:2])
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def _marked(snippet: str) -> str:
    """A search snippet with its «matches» as <mark>, everything else escaped."""
    out, rest = [], snippet
    while "«" in rest and "»" in rest.split("«", 1)[1]:
        before, after = rest.split("«", 1)
        inside, rest = after.split("»", 1)
        out += [escape(before), "<mark>", escape(inside), "</mark>"]
    out.append(escape(rest))
    return "".join(out)


def _health(page: HomePage) -> str:
    t = page.t
    ok = sum(1 for s in page.sites if s.status_class == "ok")
    rows = "".join(
        f'<tr><td>{escape(s.name)}<br><small>{escape(s.province)}</small></td>'
        f'<td class="{s.status_class}">{escape(s.status)}</td><td>{escape(s.last)}</td>'
        f'<td class="n">{s.stories}</td><td>{s.strip}</td></tr>'
        for s in page.sites
    )
    head = "".join(
        f"<th>{escape(t(k))}</th>"
        for k in ("col_site", "col_status", "col_last", "col_stories", "col_runs")
    )
    return (
        f'<details class="health"><summary><h2>{escape(t("health"))}</h2> '
        f'<span>{escape(t("health_summary", ok=ok, total=len(page.sites)))}</span></summary>'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
        "</table></div></details>"
    )


def _all_feeds(page: HomePage) -> str:
    t = page.t
    groups = []
    for name, links in page.groups:
        items = "".join(
            f'<li>{escape(link.title)}: <a href="{escape(link.rss)}">RSS</a>'
            f' · <a href="{escape(link.atom)}">Atom</a>'
            f' · <a href="{escape(link.json)}">JSON</a></li>'
            for link in links
        )
        groups.append(f"<h3>{escape(name)}</h3><ul>{items}</ul>")
    return (
        f'<details class="feeds"><summary><h2>{escape(t("feeds"))}</h2></summary>'
        f'<p><a href="{escape(page.opml)}">{escape(t("feeds_opml"))}</a></p>'
        + "".join(groups)
        + "</details>"
    )


CSS = """
:root{--ink:#1d2530;--muted:#5b6573;--line:#dde3ea;--accent:#0b5cad;--bg:#fafbfc}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,
sans-serif;color:var(--ink);background:var(--bg)}
header{display:flex;justify-content:space-between;align-items:center;gap:1rem;
padding:.6rem 1rem;background:#0b3d6e;color:#fff}
header a{color:#fff}.brand{margin:0;font-weight:700}.brand span{font-weight:400;opacity:.85}
main{max-width:60rem;margin:0 auto;padding:0 1rem 2rem}
a{color:var(--accent)}h1{font-size:1.4rem;margin:1.2rem 0 .6rem}
h2{font-size:1.1rem;margin:0}h3{font-size:1.05rem;margin:0 0 .2rem}
.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:flex-end;margin-top:1rem;
padding:.8rem;background:#fff;border:1px solid var(--line);border-radius:8px}
.filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted);
flex:1 1 12rem}
.filters label.q{flex:2 1 16rem}
select,input,button{font:inherit;padding:.45rem;border:1px solid #b8c2cc;border-radius:6px;
background:#fff;color:var(--ink);min-width:0}
button{background:var(--accent);color:#fff;border-color:var(--accent);padding:.45rem 1rem}
.buttons{display:flex;gap:.8rem;align-items:center}
.error{color:#a40000}
.follow{margin-top:1rem;padding:.6rem .8rem;background:#eef5fc;border-radius:8px}
.follow h2{font-size:1rem}.hint{margin:.2rem 0;font-size:.85rem;color:var(--muted)}
.follow ul{list-style:none;padding:0;margin:.3rem 0 0;display:grid;gap:.3rem}
.follow li{display:flex;gap:.5rem;align-items:center}
.follow a.feed{flex:0 0 6rem;font-weight:600}.follow input{flex:1;font-size:.8rem}
ol.stories{list-style:none;padding:0;margin:0}
ol.stories li{padding:.8rem 0;border-bottom:1px solid var(--line)}
.meta{margin:0;font-size:.85rem;color:var(--muted)}.province{font-weight:600;color:#0b3d6e}
.excerpt{margin:.3rem 0 0}mark{background:#fff0a8;padding:0 .1em}
.pager{display:flex;justify-content:space-between;margin:1rem 0}
section.chart,details{margin-top:1.4rem;padding:.6rem .8rem;background:#fff;
border:1px solid var(--line);border-radius:8px}
summary{cursor:pointer}summary h2{display:inline}summary span{color:var(--muted);font-size:.9rem}
.scroll{overflow-x:auto}svg.chart{display:block;margin-top:.5rem;max-width:none}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin-top:.5rem}
th,td{text-align:left;padding:.35rem .4rem;border-bottom:1px solid var(--line);vertical-align:top}
td.n{text-align:right}td.ok{color:#2e7d32}td.warn{color:#9a5b00}td.bad{color:#c62828}
td.none{color:var(--muted)}small{color:var(--muted)}
details ul{padding-left:1.2rem;margin:.2rem 0 .6rem}details h3{margin-top:.8rem}
footer{max-width:60rem;margin:0 auto;padding:1rem;color:var(--muted);font-size:.85rem}
@media (max-width:40rem){header{flex-wrap:wrap}.brand span{display:block}
.follow li{flex-wrap:wrap}.follow a.feed{flex-basis:100%}
th:nth-child(3),td:nth-child(3){display:none}}
"""
