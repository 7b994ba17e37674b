"""Báo Dân sinh pages (the sector newspaper), after the markup contract its page object reads:

``<article class="article-detail">`` holding ``.article-date``, ``h1.article-title``,
``h2.article-sapo``, ``.article-content`` (``<p>``, ``figure.article-image`` with ``img[alt]``
and ``figcaption``, author last as ``p.article-author``); then ``section.related-news``
("CÙNG CHUYÊN MỤC"), ``.view-by-date`` and a footer with three "Báo dân sinh" links. Category
listings: ``div.category-list`` of ``article.story`` and ``div.pagination`` with ``a.next``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mirror.model import Article
from mirror.templates.common import SNAPSHOT_DAY, ListingEntry, esc, load_template

SITE_NAME = "Báo Dân sinh"
IMAGE_PREFIX = "/stores/news_dataimages/"
CATEGORY = "Lao động - Việc làm"
_SHARE = "https://www.facebook.com/sharer/sharer.php"
_WEEKDAYS = ("THỨ HAI", "THỨ BA", "THỨ TƯ", "THỨ NĂM", "THỨ SÁU", "THỨ BẢY", "CHỦ NHẬT")

_PAGE = load_template("baodansinh_page.html")


def date_line(moment: datetime) -> str:
    """'THỨ TƯ, NGÀY 24 THÁNG 07 NĂM 2024 12:55', as the paper prints it above the headline."""
    weekday = _WEEKDAYS[moment.weekday()]
    return f"{weekday}, NGÀY {moment:%d} THÁNG {moment:%m} NĂM {moment:%Y %H:%M}"


def _page(*, title: str, main: str, description: str = "", meta: str = "") -> str:
    return _PAGE.substitute(
        title=esc(title),
        description=esc(description),
        meta=meta,
        main=main,
        today=esc(date_line(SNAPSHOT_DAY).rsplit(" ", 1)[0].title()),
    )


def _breadcrumb() -> str:
    return (
        '<div class="breadcrumb"><a href="/">Trang chủ</a> <span>/</span> '
        f'<a href="/lao-dong-viec-lam">{CATEGORY}</a></div>'
    )


def article_page(article: Article, related: Sequence[ListingEntry]) -> str:
    blocks = [_figure(article, n) for n, i in enumerate(article.images) if i.after < 0]
    for index, text in enumerate(article.paragraphs):
        blocks.append(f"<p>{esc(text)}</p>")
        blocks.extend(_figure(article, n) for n, i in enumerate(article.images) if i.after == index)
    blocks.append(
        '<p class="article-author" style="text-align: right;">'
        f"<strong>{esc(article.author)}</strong></p>"
    )
    sapo = f'<h2 class="article-sapo">{esc(article.lead)}</h2>\n' if article.lead else ""
    related_items = "\n".join(
        f'    <li><a href="{esc(r.url)}">{esc(r.headline)}</a> '
        f'<span class="time">{r.published:%d/%m/%Y %H:%M}</span></li>'
        for r in related
    )
    main = f"""<div class="main-col">
{_breadcrumb()}
<article class="article-detail">
<div class="article-date">{date_line(article.published)}</div>
<h1 class="article-title">{esc(article.headline)}</h1>
{sapo}<div class="article-share"><a href="{_SHARE}">Chia sẻ</a></div>
<div class="article-content">
{chr(10).join(blocks)}
</div>
</article>
<section class="related-news"><h3>CÙNG CHUYÊN MỤC</h3>
  <ul>
{related_items}
  </ul>
</section>
{_view_by_date()}
</div>"""
    meta = (
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{esc(article.headline)}">\n'
        '<meta property="article:published_time" '
        f'content="{article.published.isoformat()}">\n'
    )
    return _page(
        title=f"{article.headline} | {SITE_NAME}",
        main=main,
        description=article.summary,
        meta=meta,
    )


def _figure(article: Article, index: int) -> str:
    image = article.images[index]
    caption = esc(image.caption)
    return (
        f'<figure class="article-image"><img src="{esc(IMAGE_PREFIX + image.src)}" '
        f'alt="{caption}"><figcaption>{caption}</figcaption></figure>'
    )


def _view_by_date() -> str:
    return (
        '<div class="view-by-date">Xem theo ngày\n'
        '  <form action="/lao-dong-viec-lam" method="get" class="date-picker">'
        '<input type="date" name="date"><button type="submit">Xem</button></form>\n</div>'
    )


def listing_page(
    entries: Sequence[ListingEntry],
    *,
    prev_url: str | None,
    next_url: str | None,
) -> str:
    stories = "\n".join(
        '<article class="story">'
        + (
            f'<a class="story-thumb" href="{esc(e.url)}"><img src="{esc(e.image_url)}" alt=""></a>'
            if e.image_url
            else ""
        )
        + f'<h3 class="story-title"><a href="{esc(e.url)}">{esc(e.headline)}</a></h3>'
        f'<span class="story-time">{e.published:%d/%m/%Y %H:%M}</span>'
        f'<p class="story-summary">{esc(e.summary)}</p></article>'
        for e in entries
    )
    links = []
    if prev_url:
        links.append(f'<a class="prev" rel="prev" href="{esc(prev_url)}">Trang trước</a>')
    if next_url:
        links.append(f'<a class="next" rel="next" href="{esc(next_url)}">Trang sau</a>')
    main = f"""<div class="main-col">
{_breadcrumb()}
<h1 class="category-title">{CATEGORY}</h1>
<div class="category-list">
{stories}
</div>
<div class="pagination">{" ".join(links)}</div>
{_view_by_date()}
</div>"""
    return _page(title=f"{CATEGORY} | {SITE_NAME}", main=main)


def home_page(entries: Sequence[ListingEntry]) -> str:
    top, rest = entries[0], entries[1:]
    items = "\n".join(
        f'  <li><a href="{esc(e.url)}">{esc(e.headline)}</a></li>' for e in rest
    )
    main = f"""<div class="main-col home">
<section class="featured">
  <h2><a href="{esc(top.url)}">{esc(top.headline)}</a></h2>
  <p>{esc(top.summary)}</p>
</section>
<section class="box-category"><h3><a href="/lao-dong-viec-lam">{CATEGORY}</a></h3>
<ul>
{items}
</ul>
<a class="more" href="/lao-dong-viec-lam">Xem thêm</a>
</section>
</div>"""
    return _page(title="Báo Dân sinh - Cơ quan của Bộ Lao động - Thương binh và Xã hội", main=main)


def login_page() -> str:
    main = (
        '<div class="main-col"><h1>Đăng nhập</h1><form method="post" action="/admin/login">'
        '<input name="user"><input name="password" type="password"><button>Đăng nhập</button>'
        "</form></div>"
    )
    return _page(title=f"Đăng nhập | {SITE_NAME}", main=main)
