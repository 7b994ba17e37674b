"""Liferay 6.2 pages: article (asset publisher full content), listing with the page iterator,
home page ("Tin nổi bật") and static journal pages. Markup and class names follow the Hà Nội
portal corpus (``/work/shared/corpus/hanoi-portal-2022``).
"""

from __future__ import annotations

from collections.abc import Sequence

from mirror.model import Article, Image
from mirror.templates.common import ListingEntry, SiteChrome, esc, twelve_hour
from mirror.templates.liferay_page import PORTAL_NAME, breadcrumb, page, portlet

IMAGE_PREFIX = "/documents/10180/0/"


def publish_date(entry_or_article: ListingEntry | Article) -> str:
    """Liferay's ``assetPublishDate`` text: '16/10/2020 | 09:30 AM'."""
    moment = entry_or_article.published
    return f"{moment:%d/%m/%Y} | {twelve_hour(moment)}"


def article_page(
    chrome: SiteChrome,
    article: Article,
    url: str,
    related: Sequence[ListingEntry],
    *,
    table_captions: bool = False,
) -> str:
    """``table_captions``: captions in a two-row table under the image (as some editors do)
    rather than an italic centred paragraph after it."""
    blocks = [_image(i, table_captions) for i in article.images if i.after < 0]
    for index, text in enumerate(article.paragraphs):
        # Editors indent paragraphs with non-breaking spaces, as the Quảng Trị seed shows.
        blocks.append(f'<p style="text-align: justify;">&nbsp; &nbsp; &nbsp; {esc(text)}</p>')
        blocks.extend(_image(i, table_captions) for i in article.images if i.after == index)
    blocks.append(
        '<p align="right" class="view-content-author" style="text-align: right;">'
        f"<strong>{esc(article.author)}</strong></p>"
    )
    related_items = " ".join(
        f'<li><a href="{esc(r.url)}">{esc(r.headline)}</a></li>' for r in related
    )
    content = (
        f'<div> <div class="asset-full-content-title">{esc(article.headline)}</div> '
        f'<div class="assetPublishDate block_timer"> {publish_date(article)} </div> '
        f'<div class="asset-full-content  show-asset-title"> '
        f'<div class="asset-content" id="_101_{article.id}"> '
        f'<div class="sapo-wrapper clearfix"> <p class="sapo"> '
        f"<strong>{esc(article.lead or '')}</strong> </p> </div> "
        f'<div class="journal-content-article"> {" ".join(blocks)} </div> </div> </div> '
        f'<div class="asset-control-detail"> <span class="print-action" > '
        f'<a href="javascript:_101_printPage_0();" class=" taglib-icon" id="_101_rjus_column2_1" > '
        f'<span class="taglib-text ">In trang</span> </a> </span> <span class="mailto-action" > '
        f'<a href="mailto:" class=" taglib-icon" id="_101_ctvk_column2_1" > '
        f'<span class="taglib-text ">Gửi email</span> </a> </span> </div> '
        f'<div class="related_asset"> <div class="related_asset_title">Tin liên quan</div> '
        f'<ul class="related_asset_list"> {related_items} </ul> </div> </div>'
    )
    center = breadcrumb("Tin tức sự kiện") + " " + _asset_publisher(content)
    return page(
        chrome,
        title=f"Chi tiết - {PORTAL_NAME}",
        url=url,
        center=center,
        description=article.summary,
        layout_id=31,
    )


def _image(image: Image, table: bool) -> str:
    src = esc(IMAGE_PREFIX + image.src)
    caption = esc(image.caption)
    img = f'<img alt="" src="{src}" style="width: 600px; height: 400px;" />'
    if table:
        return (
            '<table align="center" border="0" cellpadding="1" cellspacing="1" '
            'style="width: 600px;"> <tbody> <tr> <td>'
            f"{img}</td> </tr> <tr> <td style=\"text-align: center;\"><em>{caption}</em></td> "
            "</tr> </tbody> </table>"
        )
    return (
        f'<p style="text-align: center;">{img}</p> '
        f'<p style="text-align: center;"><em>{caption}</em></p>'
    )


def _asset_publisher(content: str) -> str:
    return portlet("101", content, css="portlet-asset-publisher")


def listing_page(
    chrome: SiteChrome,
    entries: Sequence[ListingEntry],
    *,
    url: str,
    page_number: int,
    page_count: int,
    total: int,
    page_size: int,
    page_url: dict[int, str],
) -> str:
    """One page of the asset publisher's abstracts, then Liferay's ``taglib-page-iterator``."""
    items = " ".join(_abstract(e) for e in entries)
    first = (page_number - 1) * page_size + 1
    last = first + len(entries) - 1
    iterator = _page_iterator(page_number, page_count, first, last, total, page_url)
    content = f'<div class="subscribe-action"> </div> {items} {iterator}'
    center = breadcrumb("Tin tức sự kiện") + " " + _asset_publisher(content)
    title = f"Tin tức sự kiện - {PORTAL_NAME}"
    return page(chrome, title=title, url=url, center=center, layout_id=12)


def _abstract(entry: ListingEntry) -> str:
    href = esc(entry.url)
    image = (
        f'<div class="asset-image"> <a href="{href}">'
        f'<img src="{esc(entry.image_url)}" alt=""/></a> </div> '
        if entry.image_url
        else ""
    )
    margin = "" if entry.image_url else ' style="margin-left: 0"'
    return (
        '<div class="asset-bounddary"> <div class="asset-abstract "> '
        '<!-- <div class="asset_actions_custom_style"> </div> --> '
        f'<div class="asset-content normal-news"> {image}'
        f'<div class="asset-content-custom"{margin} > '
        f'<h3 class="asset-title"> <a href="{href}">{esc(entry.headline)}</a> </h3> '
        f'<div class="assetPublishDate block_timer"> {publish_date(entry)} </div> '
        f'<div class="asset-summary"> {esc(entry.summary)} </div> </div> </div> '
        '<div class="asset-metadata"> </div> </div> </div>'
    )


def _page_iterator(
    current: int, count: int, first: int, last: int, total: int, page_url: dict[int, str]
) -> str:
    def button(css: str, label: str, target: int | None) -> str:
        if target is None:
            css, href = f"disabled {css}", "javascript:;"
        else:
            href = esc(page_url[target])
        return f'<li class="{css}"> <a href="{href}" target="_self"> {label} </a> </li>'

    menu = " ".join(
        f'<li class="custom-paging" role="presentation"> <a href="{esc(page_url[n])}" '
        f'class=" taglib-icon" id="_101_kldx_column2_1_menu_{n}" role="menuitem" > '
        f'<span class="taglib-text-icon">{n}</span> </a> </li>'
        for n in range(1, count + 1)
    )
    has_prev, has_next = current > 1, current < count
    buttons = " ".join(
        (
            button("first", "&larr; Đầu tiên", 1 if has_prev else None),
            button("", "Trước", current - 1 if has_prev else None),
            button("", "Tiếp", current + 1 if has_next else None),
            button("last", "Cuối cùng &rarr;", count if has_next else None),
        )
    )
    return (
        '<div class="taglib-page-iterator" id="_101_ocerSearchContainerPageIterator"> '
        '<div class="clearfix lfr-pagination"> <div class="lfr-pagination-config"> '
        '<div class="lfr-pagination-page-selector"> '
        '<div class="btn-group lfr-icon-menu current-page-menu custom-paging">'
        '<a class="dropdown-toggle direction-down max-display-items-15 btn" href="javascript:;" '
        f'id="_101_kldx_column2_1_menu" title=" {current} "><span class="lfr-icon-menu-text"> '
        f'{current} </span><i class="caret"></i> </a><ul class="dropdown-menu lfr-menu-list '
        f'direction-down"> {menu} </ul></div> </div> <div class="lfr-pagination-delta-selector"> '
        '<div style="margin-right: 5px"> Trang </div> </div> </div> '
        f'<small class="search-results"> Hiển thị {first} - {last} trong {total} kết quả. </small> '
        f'<ul class="pager lfr-pagination-buttons"> {buttons} </ul> </div> </div>'
    )


def home_page(chrome: SiteChrome, entries: Sequence[ListingEntry], listing_url: str) -> str:
    """The "Tin nổi bật" news publisher: one big story, a list of the next ones, "Xem tất cả"."""
    top, rest = entries[0], entries[1:5]
    image = f'<img src="{esc(top.image_url)}" alt=""/>' if top.image_url else ""
    others = " ".join(
        f'<li> <div class="title_news"> <a href="{esc(e.url)}">{esc(e.headline)} '
        f'<span class="date_content_asset">({e.published:%d/%m/%Y})</span></a> </div> </li>'
        for e in rest
    )
    body = (
        '<div class="news-wrapper "> <div class="newsfocus3-wrapper"> <div class="nf3-container"> '
        '<div class="nf3-left-content"> <div class="box_hot_news"> <div class="block_news_big"> '
        f'<a href="{esc(top.url)}">{image}</a> </div> <div class="title_news"> '
        f'<a href="{esc(top.url)}">{esc(top.headline)}</a> </div> '
        f'<div class="news_lead">{esc(top.summary)}</div> </div> </div> '
        '<div class="nf3-right-content"> <div class="box_sub_hot_news"> '
        f'<ul> {others} </ul> <a class="icon-detail icon-xemthem" href="{esc(listing_url)}">'
        "Xem tất cả</a> </div> </div> </div> </div> </div>"
    )
    center = portlet("1_WAR_portalnewspublisherportlet_INSTANCE_tinnoibat", body, "Tin nổi bật")
    return page(chrome, title=f"Trang chủ - {PORTAL_NAME}", url="/", center=center, layout_id=1)


def static_page(chrome: SiteChrome, *, url: str, label: str, paragraphs: Sequence[str]) -> str:
    """A journal content page (Giới thiệu, Liên hệ): not an article."""
    body = '<div class="journal-content-article"> ' + " ".join(
        f"<p>{esc(p)}</p>" for p in paragraphs
    ) + " </div>"
    center = breadcrumb(label) + " " + portlet("56_INSTANCE_static06", body)
    return page(chrome, title=f"{label} - {PORTAL_NAME}", url=url, center=center, layout_id=5)


def login_page(chrome: SiteChrome) -> str:
    """Behind ``Disallow: /admin/``: a crawl that obeys robots.txt never asks for it."""
    form = (
        '<form action="/admin/login" class="form sign-in-form" method="post"> '
        '<label for="_58_login">Tên đăng nhập</label> <input id="_58_login" name="_58_login" '
        'type="text" /> <label for="_58_password">Mật khẩu</label> <input id="_58_password" '
        'name="_58_password" type="password" /> <button class="btn btn-primary" type="submit">'
        "Đăng nhập</button> </form>"
    )
    center = portlet("58", form, "Đăng nhập")
    return page(chrome, title=f"Đăng nhập - {PORTAL_NAME}", url="/admin/login", center=center)
