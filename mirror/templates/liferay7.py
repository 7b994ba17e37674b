"""Liferay 7 / DXP pages (skeleton in liferay7_page.html): display pages of articles, the asset
publisher's abstracts with the Clay pager, its RSS feed, a home page and a login page.

Modelled from the family's known conventions (7.x classic theme, asset publisher full content
and abstracts templates, ``/o/`` OSGi resources), not from a saved department page.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import quote

from mirror.model import Article, Image
from mirror.paths import BASE_URL_PLACEHOLDER
from mirror.templates.common import SNAPSHOT_DAY, ListingEntry, SiteChrome, esc, load_template
from mirror.urls import LIFERAY7_LISTING, LIFERAY7_PORTLET, LIFERAY7_RSS

IMAGE_PREFIX = "/documents/20121/0/"
CATEGORY = "Tin tức - Sự kiện"
RESOURCE_QUERY = (
    "browserId=other&amp;themeId=snvhanoi_WAR_snvhanoitheme&amp;minifierType=css"
    "&amp;languageId=vi_VN&amp;t=1712636400000"
)
# Chrome texts of this family that the shared e2e chrome list does not know.
CHROME_TEXTS = ("Thống kê truy cập", "Văn bản mới", "Đánh giá bài viết", "Tin khác", "Lượt xem")

_PAGE = load_template("liferay7_page.html")
_MENU = (
    ("/vi/", "Trang chủ"),
    ("/vi/gioi-thieu", "Giới thiệu"),
    (LIFERAY7_LISTING, "Tin tức - Sự kiện"),
    ("/vi/van-ban", "Văn bản"),
    ("/vi/thu-tuc-hanh-chinh", "Thủ tục hành chính"),
    ("/vi/lien-he", "Liên hệ"),
)


def shown_date(moment: datetime) -> str:
    return f"{moment:%d/%m/%Y %H:%M}"


def portlet(portlet_id: str, body: str, title: str | None = None, css: str = "") -> str:
    """A Liferay 7 ``portlet-boundary``: decorated (title bar) or barebone."""
    base = portlet_id.split("_INSTANCE_")[0]
    header = (
        '<div class="autofit-float autofit-row portlet-header"><div class="autofit-col '
        f'autofit-col-expand"><h2 class="portlet-title-text">{esc(title)}</h2></div></div>'
        if title
        else ""
    )
    decorator = "portlet-decorate" if title else "portlet-barebone"
    return (
        f'<div class="portlet-boundary portlet-boundary_{base}_ portlet-static portlet-static-end '
        f'{decorator} {css}" id="p_p_id_{portlet_id}_"><span id="p_{portlet_id}"></span>'
        f'<section class="portlet" id="portlet_{portlet_id}"><div class="portlet-content">'
        f'{header}<div class="autofit-float autofit-row portlet-header"></div>'
        f'<div class=" portlet-content-container"><div class="portlet-body">{body}</div>'
        "</div></div></section></div>"
    )


def _right(chrome: SiteChrome) -> str:
    documents = (
        '<ul class="list-unstyled van-ban-moi">'
        '<li><a href="/vi/van-ban/-/vb/1207">Quyết định về chế độ trợ cấp một lần</a></li>'
        '<li><a href="/vi/van-ban/-/vb/1206">Kế hoạch tuyển dụng công chức năm 2025</a></li></ul>'
    )
    counter = (
        f'<ul class="list-unstyled thong-ke"><li>Đang truy cập: {chrome.visitors_online}</li>'
        f"<li>Hôm nay: {chrome.visitors_today}</li>"
        f"<li>Tổng lượt truy cập: {chrome.visitors_total}</li></ul>"
    )
    links = (
        '<select class="form-control" onchange="window.open(this.value)">'
        "<option>-- Liên kết website --</option>"
        '<option value="https://hanoi.gov.vn">Cổng giao tiếp điện tử Hà Nội</option>'
        '<option value="https://moha.gov.vn">Bộ Nội vụ</option></select>'
    )
    return " ".join(
        (
            portlet(
                "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_vbm",
                documents,
                "Văn bản mới",
            ),
            portlet(
                "com_liferay_journal_content_web_portlet_JournalContentPortlet_INSTANCE_lk",
                links,
                "Liên kết website",
            ),
            portlet("snv_counter_web_portlet_CounterPortlet", counter, "Thống kê truy cập"),
        )
    )


def page(
    chrome: SiteChrome,
    *,
    title: str,
    url: str,
    center: str,
    description: str = "",
    head: str = "",
    layout_id: int = 12,
) -> str:
    menu = "".join(
        f'<li class="lfr-nav-item nav-item{" active" if url.startswith(href) else ""}" '
        f'role="presentation"><a class="nav-link text-truncate" href="{href}" role="menuitem">'
        f"{label}</a></li>"
        for href, label in _MENU
    )
    return _PAGE.substitute(
        title=esc(title),
        description=esc(description),
        canonical=esc(url),
        head=head,
        resource_query=RESOURCE_QUERY,
        portlet_id=LIFERAY7_PORTLET,
        layout_id=layout_id,
        plid=layout_id + 30000,
        current_url=url.replace("&", "\\x26").replace("=", "\\x3d").replace("?", "\\x3f"),
        current_url_encoded=quote(url, safe=""),
        site_name=esc(chrome.name),
        site_upper=esc(chrome.name.upper()),
        phone=esc(chrome.phone),
        email=esc(chrome.email),
        address=esc(chrome.address),
        menu=menu,
        center=center,
        right=_right(chrome),
    )


def _figure(image: Image) -> str:
    """CKEditor 4's captioned image widget, as Liferay 7's editor writes it."""
    caption = esc(image.caption)
    return (
        f'<figure class="image"><img alt="" src="{esc(IMAGE_PREFIX + image.src)}" '
        f'data-fileentryid="{zlib.crc32(image.src.encode()) % 90000 + 10000}" width="700" />'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _body(article: Article) -> str:
    blocks = [_figure(i) for i in article.images if i.after < 0]
    for index, text in enumerate(article.paragraphs):
        blocks.append(f'<p style="text-align: justify;">{esc(text)}</p>')
        blocks.extend(_figure(i) for i in article.images if i.after == index)
    blocks.append(f'<p style="text-align: right;"><strong>{esc(article.author)}</strong></p>')
    sapo = f'<div class="sapo">{esc(article.lead)}</div>' if article.lead else ""
    return sapo + "".join(blocks)


def article_page(
    chrome: SiteChrome, article: Article, url: str, related: Sequence[ListingEntry]
) -> str:
    others = "".join(
        f'<li><a href="{esc(r.url)}">{esc(r.headline)}</a> '
        f'<span class="text-secondary">({r.published:%d/%m/%Y})</span></li>'
        for r in related
    )
    content = (
        '<div class="asset-full-content clearfix mb-5 default-asset-publisher show-asset-title">'
        '<div class="align-items-center d-flex mb-2"><h3 class="asset-title component-title '
        f'h2">{esc(article.headline)}</h3></div>'
        '<div class="asset-metadata"><span class="metadata-entry metadata-publish-date">'
        f'<i class="icon-calendar"></i> {shown_date(article.published)}</span> '
        '<span class="metadata-entry metadata-view-count">Lượt xem: 1.024</span></div>'
        '<div class="asset-content mb-3"><div class="journal-content-article" '
        f'data-analytics-asset-id="{article.id}" data-analytics-asset-title="'
        f'{esc(article.headline)}" data-analytics-asset-type="web-content">{_body(article)}'
        "</div>"
        '<div class="asset-ratings"><span class="taglib-ratings">Đánh giá bài viết</span></div>'
        '<div class="taglib-social-bookmarks"><a href="https://www.facebook.com/sharer/sharer.php"'
        ' rel="nofollow">Chia sẻ</a></div>'
        '<div class="asset-links"><h4 class="asset-links-title">Tin khác</h4>'
        f'<ul class="list-unstyled">{others}</ul></div></div></div>'
    )
    center = portlet(LIFERAY7_PORTLET, content, css="portlet-asset-publisher")
    return page(
        chrome,
        title=f"{article.headline} - {chrome.name}",
        url=url,
        center=center,
        description=article.summary,
        layout_id=14,
    )


def _abstract(entry: ListingEntry) -> str:
    href = esc(entry.url)
    image = (
        f'<div class="asset-image float-left mr-3"><a href="{href}"><img alt="" class="img-fluid"'
        f' src="{esc(entry.image_url)}" /></a></div>'
        if entry.image_url
        else ""
    )
    return (
        '<div class="asset-abstract default-asset-publisher mb-4">'
        f'<h3 class="asset-title h4"><a href="{href}">{esc(entry.headline)}</a></h3>'
        '<div class="asset-metadata"><span class="metadata-entry metadata-publish-date">'
        f"{shown_date(entry.published)}</span></div>"
        f'<div class="asset-content clearfix">{image}'
        f'<p class="asset-summary">{esc(entry.summary)}</p>'
        f'<div class="asset-more"><a href="{href}">Xem thêm <span class="hide-accessible">'
        f"về {esc(entry.headline)}</span> »</a></div></div></div>"
    )


def _pager(current: int, count: int, page_url: dict[int, str]) -> str:
    """Clay's pagination bar: previous arrow, numbered pages, next arrow."""

    def item(label: str, target: int | None, *, active: bool = False) -> str:
        if target is None:
            return (
                '<li class="page-item disabled"><a class="page-link" href="javascript:;">'
                f"{label}</a></li>"
            )
        css = "page-item active" if active else "page-item"
        href = esc(page_url[target])
        return f'<li class="{css}"><a class="page-link" href="{href}">{label}</a></li>'

    numbers = "".join(item(str(n), n, active=n == current) for n in range(1, count + 1))
    previous = item('<span class="sr-only">Trước</span>«', current - 1 if current > 1 else None)
    following = item('<span class="sr-only">Tiếp</span>»', current + 1 if current < count else None)
    return (
        '<div class="taglib-page-iterator"><div class="clearfix lfr-pagination"><div '
        'class="pagination-bar"><div class="pagination-results">Trang '
        f'{current} / {count}</div><ul class="pagination">{previous}{numbers}{following}</ul>'
        "</div></div></div>"
    )


def listing_page(
    chrome: SiteChrome,
    entries: Sequence[ListingEntry],
    *,
    url: str,
    page_number: int,
    page_url: dict[int, str],
) -> str:
    items = "".join(_abstract(e) for e in entries)
    content = items + _pager(page_number, len(page_url), page_url)
    center = portlet(LIFERAY7_PORTLET, content, CATEGORY, css="portlet-asset-publisher")
    head = (
        '<link href="' + esc(LIFERAY7_RSS) + '" rel="alternate" title="RSS" '
        'type="application/rss+xml" />\n'
    )
    return page(chrome, title=f"{CATEGORY} - {chrome.name}", url=url, center=center, head=head)


def home_page(chrome: SiteChrome, entries: Sequence[ListingEntry]) -> str:
    items = "".join(
        f'<li class="list-group-item"><a href="{esc(e.url)}">{esc(e.headline)}</a></li>'
        for e in entries
    )
    body = (
        f'<ul class="list-group tin-noi-bat">{items}</ul>'
        f'<a class="btn btn-link" href="{LIFERAY7_LISTING}">Xem tất cả</a>'
    )
    center = portlet(LIFERAY7_PORTLET, body, "Tin nổi bật", css="portlet-asset-publisher")
    return page(chrome, title=f"Trang chủ - {chrome.name}", url="/vi/", center=center, layout_id=1)


def login_page(chrome: SiteChrome) -> str:
    form = (
        '<form action="/admin/login" class="form sign-in-form" method="post">'
        '<label for="_com_liferay_login_web_portlet_LoginPortlet_login">Địa chỉ email</label>'
        '<input class="form-control" id="_com_liferay_login_web_portlet_LoginPortlet_login" '
        'name="login" type="text" /><input class="form-control" name="password" '
        'type="password" /><button class="btn btn-primary" type="submit">Đăng nhập</button></form>'
    )
    center = portlet("com_liferay_login_web_portlet_LoginPortlet", form, "Đăng nhập")
    return page(chrome, title=f"Đăng nhập - {chrome.name}", url="/admin/login", center=center)


def rss(chrome: SiteChrome, entries: Sequence[ListingEntry]) -> str:
    """The asset publisher's RSS 2.0 feed (``/-/asset_publisher/<instance>/rss``)."""
    items = "".join(
        f"<item><title>{esc(e.headline)}</title><link>{BASE_URL_PLACEHOLDER}{esc(e.url)}</link>"
        f"<description>{esc(e.summary)}</description>"
        f"<pubDate>{format_datetime(e.published)}</pubDate>"
        f"<guid>{BASE_URL_PLACEHOLDER}{esc(e.url)}</guid><dc:creator>Sở Nội vụ</dc:creator>"
        "</item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' version="2.0"><channel>'
        f"<title>{esc(CATEGORY)}</title><link>{BASE_URL_PLACEHOLDER}{LIFERAY7_LISTING}</link>"
        f"<description>{esc(CATEGORY)} - {esc(chrome.name)}</description>"
        f"<pubDate>{format_datetime(SNAPSHOT_DAY)}</pubDate>"
        f"<dc:date>{SNAPSHOT_DAY.isoformat()}</dc:date>{items}</channel></rss>\n"
    )
