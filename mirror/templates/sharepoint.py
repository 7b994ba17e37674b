"""SharePoint 2013 publishing pages (skeleton in sharepoint_page.html) with the department's
custom news web part: article, category list with GET paging, home and login pages.

Modelled from the family's known conventions (seattle.master's ``s4-workspace``, ASP.NET
``__VIEWSTATE`` and ``ctl00_PlaceHolderMain_...`` ids, ``_spPageContextInfo``, the
``ms-rtestate-field`` rich-text field), not from a saved department page.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import datetime

from mirror.model import Article, Image
from mirror.templates.common import ListingEntry, SiteChrome, esc, load_template
from mirror.urls import SHAREPOINT_LISTING

IMAGE_PREFIX = "/PublishingImages/tintuc/"
CATEGORY = "Tin hoạt động"
# Chrome texts of this family that the shared e2e chrome list does not know.
CHROME_TEXTS = ("CHUYÊN MỤC", "LIÊN KẾT WEBSITE", "HỎI ĐÁP CHÍNH SÁCH", "Tin đã đưa", "In bài viết")

_PAGE = load_template("sharepoint_page.html")
_WEB_PART = "g_6a7b2c1d_4e5f_4a8b_9c0d_1e2f3a4b5c6d"
_PREFIX = f"ctl00_PlaceHolderMain_{_WEB_PART}_ctl00"
_MENU = (
    ("/Pages/default.aspx", "Trang chủ"),
    ("/Pages/gioithieu.aspx", "Giới thiệu"),
    (SHAREPOINT_LISTING, "Tin tức"),
    ("/Pages/vanban.aspx", "Văn bản"),
    ("/Pages/lienhe.aspx", "Liên hệ"),
)


def clock(moment: datetime) -> str:
    """'02:05 CH': the web part's 12-hour time (SA = before noon, CH = after)."""
    return f"{moment.hour % 12 or 12:02d}:{moment.minute:02d} {'SA' if moment.hour < 12 else 'CH'}"


def _viewstate(url: str) -> str:
    """An opaque, deterministic ``__VIEWSTATE`` blob of a realistic size."""
    seed = hashlib.sha512(url.encode("utf-8")).digest()
    return "/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIBD2QWBAIF" + base64.b64encode(seed * 6).decode()


def page(
    chrome: SiteChrome, *, title: str, url: str, center: str, description: str = "", item: int = 0
) -> str:
    menu = "".join(
        f'<li class="static"><a class="static menu-item ms-core-listMenu-item" href="{esc(href)}">'
        f'<span class="additional-background ms-navedit-flyoutArrow"><span class="menu-item-text">'
        f"{label}</span></span></a></li>"
        for href, label in _MENU
    )
    path, _, _ = url.partition("?")
    return _PAGE.substitute(
        title=esc(title),
        description=esc(description),
        canonical=esc(url),
        form_action=esc("." + url[url.rindex("/") :]),
        viewstate=_viewstate(url),
        server_path=path.replace("/", "\\u002f"),
        page_item=item,
        site_name=esc(chrome.name),
        site_upper=esc(chrome.name.upper()),
        province_upper=esc(chrome.province.upper()),
        address=esc(chrome.address),
        phone=esc(chrome.phone),
        email=esc(chrome.email),
        online=chrome.visitors_online,
        total=chrome.visitors_total,
        wp_id=_WEB_PART.replace("g_", "Wp", 1)[:14],
        wp_guid="6a7b2c1d-4e5f-4a8b-9c0d-1e2f3a4b5c6d",
        menu=menu,
        center=center,
    )


def _image(image: Image) -> str:
    """An image in its own ``div`` with a centred italic caption paragraph, as editors of the
    SharePoint rich-text field insert them."""
    return (
        f'<div class="ms-rtestate-read ms-rteImage" style="text-align: center;"><img alt="" '
        f'src="{esc(IMAGE_PREFIX + image.src)}" style="margin: 5px; width: 600px;" /></div>'
        f'<p class="ms-rteElement-P" style="text-align: center;"><em>{esc(image.caption)}</em></p>'
    )


def _body(article: Article) -> str:
    blocks = [_image(i) for i in article.images if i.after < 0]
    for index, text in enumerate(article.paragraphs):
        blocks.append(f'<p class="ms-rteElement-P" style="text-align: justify;">{esc(text)}</p>')
        blocks.extend(_image(i) for i in article.images if i.after == index)
    blocks.append(
        '<p class="ms-rteElement-P" style="text-align: right;">'
        f"<strong>{esc(article.author)}</strong></p>"
    )
    return "".join(blocks)


def article_page(
    chrome: SiteChrome, article: Article, url: str, related: Sequence[ListingEntry]
) -> str:
    sapo = (
        f'<div class="news-sapo"><span id="{_PREFIX}_lblTomTat">{esc(article.lead)}</span></div>'
        if article.lead
        else ""
    )
    others = "".join(
        f'<li><a href="{esc(r.url)}">{esc(r.headline)}</a> '
        f'<span class="date">({r.published:%d/%m/%Y})</span></li>'
        for r in related
    )
    center = (
        f'<div id="{_PREFIX}_pnlChiTiet" class="news-detail">'
        f'<h1 class="news-title"><span id="{_PREFIX}_lblTieuDe">{esc(article.headline)}</span></h1>'
        f'<div class="news-date"><span id="{_PREFIX}_lblNgayDang">Cập nhật lúc '
        f"{article.published:%H:%M} ngày {article.published:%d/%m/%Y}</span></div>{sapo}"
        f'<div id="{_PREFIX}_pnlNoiDung" class="ms-rtestate-field">{_body(article)}</div>'
        f'<div class="news-tools"><a id="{_PREFIX}_lnkIn" href="javascript:window.print();">'
        "In bài viết</a></div></div>"
        f'<div id="{_PREFIX}_pnlTinKhac" class="news-other"><h3>Tin đã đưa</h3><ul>{others}</ul>'
        "</div>"
    )
    return page(
        chrome,
        title=f"{article.headline} - {chrome.name}",
        url=url,
        center=center,
        description=article.summary,
        item=article.id,
    )


def listing_page(
    chrome: SiteChrome,
    entries: Sequence[ListingEntry],
    *,
    url: str,
    page_number: int,
    page_url: dict[int, str],
) -> str:
    items = "".join(
        '<div class="news-item">'
        + (
            f'<a class="thumb" href="{esc(e.url)}"><img src="{esc(e.image_url)}" alt="" /></a>'
            if e.image_url
            else ""
        )
        + f'<h3><a id="{_PREFIX}_rptTinTuc_ctl{n:02d}_hlTieuDe" href="{esc(e.url)}">'
        f"{esc(e.headline)}</a></h3>"
        f'<span class="date">{e.published:%d/%m/%Y} {clock(e.published)}</span>'
        f'<p class="summary">{esc(e.summary)}</p></div>'
        for n, e in enumerate(entries)
    )
    numbers = " ".join(
        f'<a class="active" href="{esc(page_url[n])}">{n}</a>'
        if n == page_number
        else f'<a href="{esc(page_url[n])}">{n}</a>'
        for n in sorted(page_url)
    )
    following = page_url.get(page_number + 1)
    next_link = f' <a class="next" href="{esc(following)}">Trang sau »</a>' if following else ""
    center = (
        f'<div class="dt-cat-title"><h2>{CATEGORY}</h2></div>'
        f'<div id="{_PREFIX}_pnlDanhSach" class="news-list">{items}</div>'
        f'<div class="news-paging">{numbers}{next_link}</div>'
    )
    return page(chrome, title=f"{CATEGORY} - {chrome.name}", url=url, center=center)


def home_page(chrome: SiteChrome, entries: Sequence[ListingEntry]) -> str:
    items = "".join(f'<li><a href="{esc(e.url)}">{esc(e.headline)}</a></li>' for e in entries)
    center = (
        f'<div class="dt-home"><h2>TIN MỚI</h2><ul>{items}</ul>'
        f'<a href="{esc(SHAREPOINT_LISTING)}">Xem thêm</a></div>'
    )
    return page(chrome, title=chrome.name, url="/Pages/default.aspx", center=center)


def login_page(chrome: SiteChrome) -> str:
    center = (
        '<div class="dt-login-form"><h2>Đăng nhập hệ thống</h2>'
        '<input name="ctl00$PlaceHolderMain$signInControl$UserName" type="text" />'
        '<input name="ctl00$PlaceHolderMain$signInControl$password" type="password" />'
        '<input type="submit" value="Đăng nhập" /></div>'
    )
    return page(chrome, title=f"Đăng nhập - {chrome.name}", url="/admin/login", center=center)
