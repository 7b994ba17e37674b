"""The home-grown PHP CMS of the Lai Châu site: plain ids, no class names any profile knows.

Discovery has to work without a profile: ``robots.txt`` names the sitemap, the home page links
an RSS 2.0 feed. Absolute URLs in those files carry :data:`mirror.paths.BASE_URL_PLACEHOLDER`,
which the server replaces with its real address.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import format_datetime

from mirror.model import Article
from mirror.paths import BASE_URL_PLACEHOLDER
from mirror.templates.common import SiteChrome, esc, load_template

_PAGE = load_template("generic_page.html")


def _page(chrome: SiteChrome, *, title: str, content: str, head: str = "") -> str:
    return _PAGE.substitute(
        title=esc(title),
        head=head,
        site_name=esc(chrome.name),
        site_upper=esc(chrome.name.upper()),
        content=content,
        address=esc(chrome.address),
        phone=esc(chrome.phone),
        email=esc(chrome.email),
    )


def article_page(chrome: SiteChrome, article: Article) -> str:
    paragraphs = "\n".join(f"<p>{esc(p)}</p>" for p in article.paragraphs)
    content = f"""<div id="content">
<h1>{esc(article.headline)}</h1>
<div class="ngay">Ngày đăng: {article.published:%d/%m/%Y %H:%M}</div>
{paragraphs}
<p align="right"><b>{esc(article.author)}</b></p>
<div class="back"><a href="javascript:history.back()">[Quay lại]</a>
<a href="javascript:window.print()">[In trang]</a></div>
</div>"""
    return _page(chrome, title=f"{article.headline} - {chrome.name}", content=content)


def home_page(chrome: SiteChrome, articles: Sequence[tuple[str, Article]]) -> str:
    """The news list is a bare table of links: nothing a listing selector could recognise."""
    rows = "\n".join(
        f'<tr><td><a href="{esc(url)}">{esc(a.headline)}</a> '
        f"<font color=\"#888\">({a.published:%d/%m/%Y})</font><br />{esc(a.summary)}</td></tr>"
        for url, a in articles
    )
    content = f"""<div id="content">
<div class="box-title">TIN TỨC - SỰ KIỆN</div>
<table width="100%" cellpadding="4">
{rows}
</table>
</div>"""
    head = '<link rel="alternate" type="application/rss+xml" title="Tin tức" href="/rss.xml" />\n'
    return _page(chrome, title=chrome.name, content=content, head=head)


def login_page(chrome: SiteChrome) -> str:
    content = (
        '<div id="content"><h1>Quản trị hệ thống</h1><form method="post" action="/admin/login">'
        '<input name="user" /><input name="pass" type="password" /><input type="submit" '
        'value="Đăng nhập" /></form></div>'
    )
    return _page(chrome, title=f"Quản trị - {chrome.name}", content=content)


def rss(chrome: SiteChrome, articles: Sequence[tuple[str, Article]]) -> str:
    items = "\n".join(
        f"""<item>
<title>{esc(a.headline)}</title>
<link>{BASE_URL_PLACEHOLDER}{esc(url)}</link>
<guid isPermaLink="true">{BASE_URL_PLACEHOLDER}{esc(url)}</guid>
<pubDate>{format_datetime(a.published)}</pubDate>
<description>{esc(a.summary)}</description>
</item>"""
        for url, a in articles
    )
    newest = max(a.published for _, a in articles)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>{esc(chrome.name)} - Tin tức</title>
<link>{BASE_URL_PLACEHOLDER}/</link>
<description>Tin tức, sự kiện của {esc(chrome.name)}</description>
<language>vi</language>
<lastBuildDate>{format_datetime(newest)}</lastBuildDate>
{items}
</channel>
</rss>
"""


def sitemap(urls: Sequence[tuple[str, str]]) -> str:
    """``urls``: (root-relative URL, W3C date) pairs."""
    entries = "\n".join(
        f"<url><loc>{BASE_URL_PLACEHOLDER}{esc(url)}</loc><lastmod>{day}</lastmod></url>"
        for url, day in urls
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{entries}
</urlset>
"""
