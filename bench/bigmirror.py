"""A large offline mirror for the crawl benchmark: many sites of every CMS family, many pages.

The pages are rendered by the mirror's own builders (``mirror.builders``), so every family is
read by the same page objects as in the tests. Three things differ from ``mirror.build``:

* the sites: ``sites`` of them, cycling through the seven families, one province each;
* the articles: generated, deterministic from the site and article number, each body distinct
  (Vietnamese sentences drawn from the mirror's own article text);
* the size: every HTML page is padded with chrome to a size drawn between ``min_kb`` and
  ``max_kb`` (inline portal scripts in ``<head>``, a mega-menu and a link footer in ``<body>``),
  as the real portals' pages are; listings show ``LISTING_PAGE_SIZE`` entries a page.

``build(out, Profile(sites=60, articles=170))`` writes ``out/<site id>/`` and returns the
:class:`mirror.build.MirrorSite` list :class:`mirror.server.MirrorServer` serves, and where each
article page is. ``extra`` adds
that many newer articles per site (an incremental re-crawl's "new stories"); the older articles
keep their URLs and bodies.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from aggregator import yamlfile
from mirror import builders, urls
from mirror.build import MirrorSite
from mirror.content import load_articles
from mirror.model import Article, Image, slugify
from mirror.paths import file_for_url
from mirror.sites import SPECS, SiteSpec
from mirror.templates.common import SNAPSHOT_DAY, SiteChrome

ROOT = Path(__file__).resolve().parents[1]
FAMILIES: tuple[str | None, ...] = (
    "liferay",
    "liferay7",
    "websphere",
    "sharepoint",
    "wordpress",
    "baodansinh",
    None,
)
LISTING_PAGE_SIZE = 15
_PAGE_SIZE_NAMES = (
    "LIFERAY_PAGE_SIZE",
    "BAODANSINH_PAGE_SIZE",
    "LIFERAY7_PAGE_SIZE",
    "WEBSPHERE_PAGE_SIZE",
    "SHAREPOINT_PAGE_SIZE",
    "WORDPRESS_PAGE_SIZE",
)
_HTML_START = re.compile(rb"^\s*(<!DOCTYPE|<html)", re.IGNORECASE)


@dataclass(frozen=True)
class Profile:
    """How big a generated mirror is."""

    sites: int
    articles: int  # per site
    min_kb: int = 30
    max_kb: int = 120


QUICK = Profile(sites=6, articles=50)
FULL = Profile(sites=60, articles=170)


def provinces() -> list[str]:
    """Province names of the registry's departments (every one is in the gazetteer)."""
    data = yamlfile.read(ROOT / "aggregator" / "sites.yaml")
    names: list[str] = []
    for entry in data["sites"]:
        name = entry.get("province")
        if name and name != "Toàn quốc" and name not in names:
            names.append(name)
    return names


def site_specs(count: int) -> list[SiteSpec]:
    templates = {spec.profile: spec for spec in SPECS}
    names = provinces()
    specs = []
    for number in range(count):
        family = FAMILIES[number % len(FAMILIES)]
        province = names[number % len(names)]
        template = templates[family]
        specs.append(
            replace(
                template,
                id=f"bench-{family or 'generic'}-{number:03d}",
                chrome=SiteChrome(
                    name=f"Sở Lao động - Thương binh và Xã hội tỉnh {province}",
                    province=province,
                    address=f"Số {number + 1} đường Trần Hưng Đạo, tỉnh {province}",
                    phone=f"0{200 + number} 3852 {number:03d}",
                    email=f"sldtbxh{number}@{slugify(province)}.gov.vn",
                    visitors_online=number % 17 + 1,
                    visitors_today=100 + number * 7,
                    visitors_total=f"{1 + number % 3}.{number:03d}.117",
                ),
            )
        )
    return specs


class _Text:
    """Sentences from the mirror's own article words: Vietnamese that looks like news."""

    def __init__(self) -> None:
        samples = load_articles(None)
        words = [w for a in samples for p in a.paragraphs for w in p.split() if w.isalpha()]
        self.words = sorted(set(words))
        self.categories: dict[str | None, list[str]] = {}
        self.images = sorted({i.src for a in samples for i in a.images})
        by_site = {spec.id: spec.profile for spec in SPECS}
        for article in samples:
            cats = self.categories.setdefault(by_site[article.site_id], [])
            if article.category not in cats:
                cats.append(article.category)

    def sentence(self, rng: random.Random) -> str:
        words = rng.choices(self.words, k=rng.randint(12, 28))
        return " ".join(words).capitalize() + "."

    def paragraph(self, rng: random.Random) -> str:
        return " ".join(self.sentence(rng) for _ in range(rng.randint(2, 5)))


def make_articles(
    spec: SiteSpec, count: int, text: _Text, first_id: int = 100_000
) -> list[Article]:
    """``count`` articles of one site, one a day going back from the snapshot day; article
    ``n`` is the same whatever ``count`` is, so a larger count only adds newer ones."""
    categories = text.categories.get(spec.profile) or ["tin-tuc-su-kien"]
    articles = []
    for number in range(count):
        rng = random.Random(f"{spec.id}/{number}")
        headline = text.sentence(rng).rstrip(".")[:110]
        paragraphs = tuple(text.paragraph(rng) for _ in range(rng.randint(5, 14)))
        image = rng.choice(text.images)
        articles.append(
            Article(
                site_id=spec.id,
                id=first_id + number,
                slug=f"{slugify(headline)[:80]}-{number}",
                headline=headline,
                # Older first: the newest articles are the highest numbers.
                published=SNAPSHOT_DAY - timedelta(hours=12 * (10_000 - number)),
                paragraphs=paragraphs,
                author=" ".join(rng.choices(text.words, k=3)).title(),
                images=(Image(src=image, caption=text.sentence(rng)[:70], after=1),),
                category=categories[number % len(categories)],
            )
        )
    return articles


def padding(target: int, seed: str) -> tuple[str, str]:
    """Chrome for ``<head>`` (portal scripts) and ``<body>`` (mega-menu, link footer) of about
    ``target`` bytes, 70/30, deterministic from ``seed``."""
    rng = random.Random(seed)
    script: list[str] = ['<script type="text/javascript">']
    size = 0
    while size < target * 0.7:
        line = (
            f"Liferay.Portlet.register('p_{rng.getrandbits(40):x}',{{\"namespace\":"
            f'"_{rng.getrandbits(48):x}_","refreshURL":"/c/portal/render_portlet?p_l_id='
            f'{rng.randint(1000, 99999)}&p_p_id=56_INSTANCE_{rng.getrandbits(30):x}",'
            f'"columnPos":{rng.randint(0, 9)},"isStatic":false}});'
        )
        script.append(line)
        size += len(line) + 1
    script.append("</script>")
    menu: list[str] = ['<nav class="mega-menu"><ul>']
    size = 0
    while size < target * 0.3:
        item = (
            f'<li class="menu-item-{rng.randint(1, 999)}"><a href="#" title="Mục '
            f'{rng.randint(1, 999)}">Chuyên mục {rng.randint(1, 999)} - thông tin tuyên truyền '
            f"{rng.randint(1, 99)}</a></li>"
        )
        menu.append(item)
        size += len(item.encode())
    menu.append("</ul></nav>")
    return "\n".join(script), "\n".join(menu)


def _padded(text: str, url: str, profile: Profile) -> str:
    encoded = text.encode("utf-8")
    if not _HTML_START.match(encoded[:200]):
        return text  # feeds, sitemaps, robots.txt stay as they are
    rng = random.Random(url)
    target = int(rng.uniform(profile.min_kb, profile.max_kb) * 1024) - len(encoded)
    if target <= 0:
        return text
    head, body = padding(target, url)
    text = text.replace("</head>", head + "\n</head>", 1)
    at = text.rfind("</body>")
    return text[:at] + body + "\n" + text[at:] if at >= 0 else text + body


@contextmanager
def _bench_rendering(profile: Profile) -> Iterator[None]:
    """The mirror's builders with padded pages and realistic listing sizes, for this build."""
    original_write: Callable[[Path, str, str], None] = builders.write
    sizes = {name: getattr(urls, name) for name in _PAGE_SIZE_NAMES}

    def write(root: Path, url: str, text: str) -> None:
        original_write(root, url, _padded(text, url, profile))

    builders.write = write  # type: ignore[assignment]
    for name in _PAGE_SIZE_NAMES:
        setattr(urls, name, LISTING_PAGE_SIZE)
    try:
        yield
    finally:
        builders.write = original_write  # type: ignore[assignment]
        for name, value in sizes.items():
            setattr(urls, name, value)


_BUILDERS = {
    "liferay": builders.build_liferay,
    "baodansinh": builders.build_baodansinh,
    "liferay7": builders.build_liferay7,
    "websphere": builders.build_websphere,
    "sharepoint": builders.build_sharepoint,
    "wordpress": builders.build_wordpress,
    None: builders.build_generic,
}


_ARTICLE_URL: dict[str | None, Callable[[Article], str]] = {
    "liferay": urls.liferay_article,
    "baodansinh": urls.baodansinh_article,
    "liferay7": urls.liferay7_article,
    "websphere": urls.websphere_article,
    "sharepoint": urls.sharepoint_article,
    "wordpress": urls.wordpress_article,
    None: urls.generic_article,
}


@dataclass(frozen=True)
class Built:
    sites: list[MirrorSite]
    # (site id, root-relative URL, file) of every article page
    articles: list[tuple[str, str, Path]]

    def sample(self, count: int) -> list[tuple[str, str, Path]]:
        """``count`` article pages spread evenly over the sites."""
        step = max(1, len(self.articles) // max(1, count))
        return self.articles[::step][:count]

    def total_bytes(self) -> int:
        return sum(p.stat().st_size for s in self.sites for p in s.root.rglob("*") if p.is_file())


def build(out: Path, profile: Profile, extra: int = 0) -> Built:
    """Render every site into ``out/<site id>`` (over what is there: pages only get added)."""
    text = _Text()
    sites = []
    pages: list[tuple[str, str, Path]] = []
    with _bench_rendering(profile):
        for spec in site_specs(profile.sites):
            root = out / spec.id
            root.mkdir(parents=True, exist_ok=True)
            articles = make_articles(spec, profile.articles + extra, text)
            statuses = _BUILDERS[spec.profile](spec, root, articles, [])
            for article in articles:
                url = _ARTICLE_URL[spec.profile](article)
                pages.append((spec.id, url, root / file_for_url(url)))
            sites.append(
                MirrorSite(
                    id=spec.id,
                    name=spec.chrome.name,
                    province=spec.chrome.province,
                    profile=spec.profile,
                    root=root,
                    start_paths=spec.start_paths,
                    statuses=tuple(sorted(statuses.items())),
                )
            )
    return Built(sites, pages)
