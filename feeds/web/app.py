"""The web app: requests in, responses out, no HTTP plumbing (``feeds.web.server`` routes).

``/`` the browsing page (``?province=&topic=&q=&page=&lang=en``), ``/feeds/search`` the saved
searches as feeds (``&format=rss|atom|json``), ``/healthz``, ``/metrics``; every other path is
left to the static feed files.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from aggregator.dates import VIETNAM
from aggregator.exceptions import ConfigError
from aggregator.gazetteer import normalise
from aggregator.models import Image, text_after_lead
from aggregator.registry import Site
from aggregator.store import SiteActivity, SourceView, StoryStore, StoryView
from aggregator.story_provinces import StoryProvinces
from aggregator.tags import default_topics
from feeds.builder import atom_bytes, feed_updated, rss_bytes
from feeds.content import paragraphs
from feeds.jsonfeed import json_feed_bytes
from feeds.model import FeedSpec
from feeds.publish import (
    ALL_SLUG,
    HEALTH_SLUG,
    province_slug,
    site_slug,
    to_entry,
    topic_slug,
)
from feeds.web import charts
from feeds.web.charts import Heatmap
from feeds.web.data import Found, Run, View, WebData, check_day, check_view
from feeds.web.errors import filter_error
from feeds.web.i18n import EN, language, text
from feeds.web.metrics import metrics_text
from feeds.web.pages import (
    FeedLink,
    HomePage,
    Pages,
    SiteRow,
    SourceRow,
    StoryPage,
    StoryRow,
    excerpt,
)
from feeds.web.times import absolute, relative

PER_PAGE = 30
FEED_SIZE = 50  # entries of a saved-search feed: the newest of the best matches
FEED_CANDIDATES = 200
PAGE_CACHE = "public, max-age=60"
ICON_CACHE = "public, max-age=604800"  # a week: the icon changes with a release, if ever
FEED_CACHE = "public, max-age=300"
FORMATS = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str
    cache_control: str = "no-cache"
    last_modified: datetime | None = None  # aware


@dataclass
class RequestCounts:
    """Requests served by route and status, for /metrics; thread-safe."""

    counts: Counter[tuple[str, int]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, route: str, status: int) -> None:
        with self.lock:
            self.counts[(route, status)] += 1

    def snapshot(self) -> dict[tuple[str, int], int]:
        with self.lock:
            return dict(self.counts)


class WebApp:
    def __init__(self, store: StoryStore, sites: Sequence[Site], feeds_dir: Path) -> None:
        self.store = store
        self.data = WebData(store, sites)
        self.sites = list(sites)
        self.feeds_dir = feeds_dir
        self.requests = RequestCounts()
        self.pages = Pages()

    def favicon(self) -> Response:
        """The site's icon, an SVG (every browser of the last years takes one at any URL)."""
        return Response(200, self.pages.icon, "image/svg+xml", ICON_CACHE)

    def metrics(self) -> Response:
        body = metrics_text(self.data, self.store, self.sites, self.requests.snapshot())
        return Response(200, body, "text/plain; version=0.0.4; charset=utf-8")

    # -- the page

    def home(self, query: Mapping[str, str], base: str) -> Response:
        lang = language(query.get("lang"))
        error = None
        try:
            view = check_view(
                self.data,
                query.get("province"),
                query.get("topic"),
                query.get("q"),
                query.get("page"),
            )
        except ConfigError as exc:
            view, error = View(), filter_error(lang, exc)
        try:
            since, until = check_day(query.get("since")), check_day(query.get("until"))
        except ValueError as exc:
            error = text(lang, "bad_date", value=str(exc))
        else:
            if since and until and since > until:
                shown = {"since": f"{since:%d/%m/%Y}", "until": f"{until:%d/%m/%Y}"}
                error = text(lang, "bad_dates", **shown)
            elif error is None:
                view = replace(view, since=since, until=until)
        try:
            found = self.data.find(view, PER_PAGE)
        except ConfigError as exc:
            found, error = Found([], {}, False), filter_error(lang, exc, view.q)
        chart_title, chart = self._chart(view, lang)
        provinces = self.data.provinces(found.stories)
        now = datetime.now(UTC)
        page = HomePage(
            lang=lang,
            heading=self._heading(view, lang),
            filters={
                "province": view.province or "",
                "topic": view.topic or "",
                "q": view.q,
                "since": query.get("since", "") if error else _iso(view.since),
                "until": query.get("until", "") if error else _iso(view.until),
            },
            today=datetime.now(VIETNAM).date(),
            count=self._count(found, view, lang),
            provinces=self._provinces(view.province),
            topics=[(t.id, t.name) for t in default_topics()],
            stories=[
                self._row(s, found.snippets.get(s.id), provinces[s.id], lang, now)
                for s in found.stories
            ],
            page=view.page,
            more=found.more,
            follow=[self._view_feed(view, base, lang)],
            groups=self._feed_groups(base, lang),
            opml=f"{base}/feeds/feeds.opml",
            chart=chart,
            chart_title=chart_title,
            sites=self._site_rows(lang),
            error=error,
        )
        return Response(200 if error is None else 400, self.pages.home(page), HTML, PAGE_CACHE)

    def _count(self, found: Found, view: View, lang: str) -> str:
        """"123 tin · hiển thị 1–30": how many the filters find, which of them are shown."""
        if found.total is None:
            return ""
        key = "count_capped" if found.capped else "count_one" if found.total == 1 else "count"
        said = text(lang, key, n=f"{found.total:,}".replace(",", "." if lang != EN else ","))
        if found.stories:
            first = PER_PAGE * (view.page - 1) + 1
            said += " · " + text(lang, "showing", first=first, last=first + len(found.stories) - 1)
        return said

    def _heading(self, view: View, lang: str) -> str:
        if view.q:
            return text(lang, "results_for", q=view.q)
        parts = []
        if view.province:
            parts.append(self.data.index.gazetteer.get(view.province).name)
        if view.topic:
            parts += [t.name for t in default_topics() if t.id == view.topic]
        return " · ".join(parts) or text(lang, "latest")

    def _provinces(self, chosen: str | None) -> list[tuple[str, str]]:
        # Every current province: one without a site of its own has the stories naming it;
        # and the one chosen, a former one too (?province=kon-tum), for the form to show it.
        gazetteer = self.data.index.gazetteer
        names = [(p.id, p.name) for p in gazetteer.all_current()]
        if chosen and chosen not in dict(names):
            names.append((chosen, gazetteer.get(chosen).name))
        return sorted(names, key=lambda pair: _collation_key(pair[1]))

    def _row(
        self, story: StoryView, snippet: str | None, where: StoryProvinces, lang: str, now: datetime
    ) -> StoryRow:
        first = story.sources[0]
        if snippet is None:
            snippet = excerpt(text_after_lead(story.text, story.lead))
        when = story.published or story.first_seen
        date_only = story.date_only and story.published is not None
        return StoryRow(
            title=story.title,
            url=first.url,
            provinces=tuple(self.data.rule.names(where.publishers)),
            about=tuple(self.data.rule.names(where.about)),
            source=self.data.index.name(first.site_id),
            others=len({s.site_id for s in story.sources[1:]} - {first.site_id}),
            when=when,
            excerpt=snippet,
            lead=story.lead,
            date_only=date_only,
            ago=relative(when, now, lang, date_only),
            link=f"/story/{story.id}" + ("?lang=en" if lang == EN else ""),
            image=_shown_image(story),
        )

    def _static_feed(self, slug: str, title: str, base: str) -> FeedLink | None:
        if not (self.feeds_dir / f"{slug}.rss.xml").is_file():
            return None
        root = f"{base}/feeds/{slug}"
        return FeedLink(title, f"{root}.rss.xml", f"{root}.atom.xml", f"{root}.json")

    def _view_feed(self, view: View, base: str, lang: str) -> FeedLink:
        """The feed showing what the page shows: a file where one exists, else a search."""
        static = None
        title = self._heading(view, lang)
        if not view.q and not (view.province and view.topic) and not view.since:
            if view.province:
                static = self._static_feed(province_slug(view.province), title, base)
            elif view.topic:
                static = self._static_feed(topic_slug(view.topic), title, base)
            else:
                static = self._static_feed(ALL_SLUG, text(lang, "site_title"), base)
        if static is not None:
            return static
        params = _search_params(view)
        if not params:
            params = {"q": ""}
        url = f"{base}/feeds/search?" + urlencode(params)
        return FeedLink(title, f"{url}&format=rss", f"{url}&format=atom", f"{url}&format=json")

    def _feed_groups(self, base: str, lang: str) -> list[tuple[str, list[FeedLink]]]:
        gazetteer = self.data.index.gazetteer
        top = [
            self._static_feed(ALL_SLUG, text(lang, "site_title"), base),
            self._static_feed(HEALTH_SLUG, text(lang, "health"), base),
        ]
        topics = [self._static_feed(topic_slug(t.id), t.name, base) for t in default_topics()]
        groups: list[tuple[str, list[FeedLink | None]]] = [
            ("tinlaodong", top),
            (text(lang, "topic"), topics),
        ]
        by_province: dict[str, list[Site]] = {}
        for site in self.sites:
            by_province.setdefault(site.current_province_id or gazetteer.national.id, []).append(
                site
            )
        for province_id in sorted(by_province, key=lambda i: _collation_key(gazetteer.get(i).name)):
            name = gazetteer.get(province_id).name
            links = [self._static_feed(province_slug(province_id), name, base)]
            links += [
                self._static_feed(site_slug(s.id), s.name, base) for s in by_province[province_id]
            ]
            if province_id == gazetteer.national.id:
                name = text(lang, "national")
            groups.append((name, links))
        found = [(name, [link for link in links if link]) for name, links in groups]
        return [(name, links) for name, links in found if links]

    def _chart(self, view: View, lang: str) -> tuple[str, Heatmap | None]:
        """(title, chart) of the stories per day per province; no chart without stories."""
        days, counts = self.data.daily_counts(province=view.province)
        gazetteer = self.data.index.gazetteer
        title = text(lang, "chart_days", end=f"{days[-1]:%d/%m/%Y}")
        # Every province with a site, quiet ones too: a blank row says something.
        for site in self.sites:
            counts.setdefault(site.current_province_id or gazetteer.national.id, Counter())
        if view.province:
            counts = {view.province: counts.get(view.province, Counter())}
        rows = [
            (
                text(lang, "national") if pid == gazetteer.national.id else gazetteer.get(pid).name,
                c,
            )
            for pid, c in counts.items()
        ]
        rows.sort(key=lambda row: _collation_key(row[0]))
        if not any(c for _, c in rows):
            return title, None
        return title, charts.heatmap(rows, days, title)

    def _site_rows(self, lang: str) -> list[SiteRow]:
        activity = self.store.site_activity()
        runs = self.data.runs()
        gazetteer = self.data.index.gazetteer
        now = datetime.now(UTC)
        rows = []
        for site in sorted(
            self.sites,
            key=lambda s: (
                _collation_key(
                    gazetteer.get(s.current_province_id).name if s.current_province_id else ""
                ),
                s.name,
            ),
        ):
            act = activity.get(site.id)
            status, css = _status(act, lang)
            site_runs = runs.get(site.id, [])
            titles = [_run_title(r, lang) for r in site_runs]
            rows.append(
                SiteRow(
                    name=site.name,
                    province=site.province,
                    status=status,
                    status_class=css,
                    last=relative(act.last_crawl, now, lang) if act and act.last_crawl else "—",
                    stories=act.stories if act else 0,
                    strip=charts.crawl_strip(site_runs, titles),
                )
            )
        return rows

    # -- one story

    def story(self, story_id: str, query: Mapping[str, str]) -> Response:
        """``/story/<id>``: the story in full with every source; a 404 page if there is none."""
        lang = language(query.get("lang"))
        # Digits beyond a database integer (64 bits signed) are no story id either.
        digits = story_id.isascii() and story_id.isdigit() and len(story_id) < 19
        number = int(story_id) if digits else None
        found = self.data.story(number) if number is not None else None
        if found is None:
            return Response(404, self.pages.not_found(lang, f"/story/{story_id}"), HTML)
        story, tags = found
        gazetteer = self.data.index.gazetteer
        when = story.published or story.first_seen
        date_only = story.date_only and story.published is not None
        now = datetime.now(UTC)
        topics = {t.id: t.name for t in default_topics()}
        named: dict[str, str] = {}  # name -> id: a former province named as its successor is
        for pid in tags.get("province", []) + tags.get("former_province", []):  # shown once
            named.setdefault(gazetteer.get(pid).name, pid)
        page = StoryPage(
            id=story.id,
            lang=lang,
            title=story.title,
            lead=story.lead,
            image=_shown_image(story),
            absolute=absolute(when, date_only),
            machine_time=when.date().isoformat() if date_only else when.isoformat(),
            ago=relative(when, now, lang, date_only),
            provinces=sorted(
                ((pid, name) for name, pid in named.items()),
                key=lambda pair: _collation_key(pair[1]),
            ),
            topics=[(tid, topics[tid]) for tid in tags.get("topic", []) if tid in topics],
            paragraphs=paragraphs(text_after_lead(story.text, story.lead)),
            sources=[self._source_row(s) for s in story.sources],
        )
        return Response(200, self.pages.story(page), HTML, PAGE_CACHE)

    def _source_row(self, source: SourceView) -> SourceRow:
        seen = source.seen or source.published
        return SourceRow(
            name=self.data.index.name(source.site_id),
            url=source.url,
            province=" · ".join(self.data.index.provinces(source.site_id)),
            seen=absolute(seen) if seen else "—",
            machine_seen=seen.isoformat() if seen else "",
            published=absolute(source.published, source.date_only) if source.published else None,
        )

    # -- saved searches as feeds

    def search_feed(self, query: Mapping[str, str], base: str) -> Response:
        fmt = query.get("format", "atom")
        if fmt not in FORMATS:
            return _plain(400, f"format must be one of {', '.join(FORMATS)}\n")
        try:
            view = check_view(
                self.data, query.get("province"), query.get("topic"), query.get("q"), None
            )
            if not (view.q or view.province or view.topic):
                return _plain(400, "a saved search needs q, province or topic\n")
            view = replace(view, since=check_day(query.get("since")))
            # A feed shows no snippet and no count.
            found = self.data.find(view, FEED_CANDIDATES, snippets=False, counted=False)
        except ValueError as exc:  # check_day's
            return _plain(400, f"since: not a day (YYYY-MM-DD, 1900 to 2200): {exc}\n")
        except ConfigError as exc:
            return _plain(400, f"{exc}\n")
        lang = language(query.get("lang"))
        what = self._heading(view, lang)
        provinces = self.data.provinces(found.stories)
        entries = tuple(
            to_entry(s, self.data.index, self.data.rule.names(provinces[s.id].about))
            for s in found.stories
        )
        params = _search_params(view)
        spec = FeedSpec(
            # Each saved search its own feed id (a reader telling feeds apart by id must not
            # merge two searches): the search in the id, in a fixed order.
            slug=f"search?{urlencode(sorted(params.items()))}",
            title=text(lang, "feed_search", q=view.q)
            if view.q
            else text(lang, "feed_filtered", what=what),
            description=what,
            link=f"{base}/?{urlencode(params)}",
            entries=entries,
        )
        self_url = f"{base}/feeds/search?{urlencode({**params, 'format': fmt})}"
        if fmt == "rss":
            body = rss_bytes(spec, self_url=self_url, limit=FEED_SIZE)
        elif fmt == "atom":
            body = atom_bytes(spec, self_url=self_url, limit=FEED_SIZE)
        else:
            body = json_feed_bytes(spec, self_url=self_url, limit=FEED_SIZE)
        updated = feed_updated(entries) if entries else None
        return Response(200, body, FORMATS[fmt], FEED_CACHE, updated)

    # -- operations

    def healthz(self) -> Response:
        report: dict[str, object] = {"ok": True, "store": "reachable"}
        status = 200
        try:
            stories, sources = self.store.count()
            runs = self.data.last_runs()
        except Exception as exc:  # any failure to read the store means "down"
            report.update(ok=False, store=f"unreachable: {exc.__class__.__name__}")
            status = 503
        else:
            last = max((r.finished for r in runs), default=None)
            report.update(stories=stories, sources=sources, sites=len(self.sites))
            if last is not None:
                last_aware = last.replace(tzinfo=UTC)
                report["last_crawl"] = last_aware.isoformat()
                report["last_crawl_age_seconds"] = round(
                    (datetime.now(UTC) - last_aware).total_seconds(), 1
                )
            else:
                report["last_crawl"] = report["last_crawl_age_seconds"] = None
        body = (json.dumps(report, ensure_ascii=False) + "\n").encode("utf-8")
        return Response(status, body, "application/json; charset=utf-8")


def _shown_image(story: StoryView) -> Image | None:
    """The story's first image with an http(s) address (relative ones made absolute against
    its page): shown from its own site, never fetched or proxied by this server."""
    for image in story.images:
        src = urljoin(story.sources[0].url, image.src) if story.sources else image.src
        if urlsplit(src).scheme in ("http", "https"):
            return Image(src, image.caption)
    return None


def _search_params(view: View) -> dict[str, str]:
    """The query string of ``view``'s search feed: its filters and its ``since`` (a feed is a
    window moving on: no ``until``)."""
    params = {
        "q": view.q,
        "province": view.province or "",
        "topic": view.topic or "",
        "since": _iso(view.since),
    }
    return {k: v for k, v in params.items() if v}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _plain(status: int, message: str) -> Response:
    return Response(status, message.encode("utf-8"), "text/plain; charset=utf-8")


def _collation_key(name: str) -> tuple[str, str]:
    """Vietnamese names in a reader's order, near enough: by their letters without marks."""
    return normalise(name), name


def _status(act: SiteActivity | None, lang: str) -> tuple[str, str]:
    if act is None or act.last_crawl is None:
        return text(lang, "st_never"), "none"
    if act.last_unreachable:
        return text(lang, "st_unreachable"), "bad"
    if not act.healthy:
        return text(lang, "st_unhealthy", reason=act.health_reason or "?"), "warn"
    if act.redirected_to:
        return text(lang, "st_moved", url=act.redirected_to), "warn"
    if act.last_errors:
        return text(lang, "st_errors", n=act.last_errors), "warn"
    return text(lang, "st_ok"), "ok"


def _run_title(run: Run, lang: str) -> str:
    when = f"{run.finished:%d/%m %H:%M}"
    if run.unreachable:
        return text(lang, "run_unreachable", when=when)
    return text(
        lang, "run_title", when=when, pages=run.pages, new=run.new_stories, errors=run.errors
    )
