"""IBM WebSphere Portal 8.5 / WCM pages (skeleton in websphere_page.html): WCM articles in a
rendering portlet, the portal's news list with state-laden links, home and login pages.

Modelled from the family's known conventions (Portal 8.5 theme ``wpthemeFrame``,
``ibmPortalControl`` portlet skins, WCM presentation templates, dates on a 12-hour clock with
SA / CH as IBM's Vietnamese locale prints them), not from a saved department page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mirror.model import Article, Image
from mirror.templates.common import ListingEntry, SiteChrome, esc, load_template
from mirror.urls import WEBSPHERE_LISTING, websphere_state

IMAGE_PREFIX = "/wps/wcm/connect/sldtbxh_camau_lib/anh/"
CATEGORY = "Tin tức - Sự kiện"
# Chrome texts of this family that the shared e2e chrome list does not know.
CHROME_TEXTS = ("Lịch làm việc", "Thăm dò ý kiến", "Bản in", "Các tin khác", "Sơ đồ cổng")

_PAGE = load_template("websphere_page.html")
_MENU = (
    ("/wps/portal/sldtbxh", "Trang chủ"),
    ("/wps/portal/sldtbxh/gioi-thieu", "Giới thiệu"),
    (WEBSPHERE_LISTING, "Tin tức - Sự kiện"),
    ("/wps/portal/sldtbxh/van-ban", "Văn bản chỉ đạo điều hành"),
    ("/wps/portal/sldtbxh/dich-vu-cong", "Dịch vụ công"),
)


def clock(moment: datetime, *, seconds: bool = True) -> str:
    """'12:40:00 CH': IBM's Vietnamese 12-hour clock (SA = sáng, before noon; CH = chiều)."""
    hour = moment.hour % 12 or 12
    marker = "SA" if moment.hour < 12 else "CH"
    tail = f":{moment.second:02d}" if seconds else ""
    return f"{hour:02d}:{moment.minute:02d}{tail} {marker}"


def control(name: str, body: str, title: str | None = None) -> str:
    """One portlet in the theme's ``ibmPortalControl`` skin."""
    header = (
        '<div class="wpthemeControlHeader"><div class="wpthemeInner"><h2>'
        f'<span class="asa.portlet.title a11yRegionLabel">{esc(title)}</span></h2></div></div>'
        if title
        else ""
    )
    skin = "" if title else " wpthemeNoSkin"
    return (
        f'<div class="dndSection"><div class="component-control id-Z7_{name}" '
        f'id="portletId-Z7_{name}"><section class="ibmPortalControl wpthemeControl'
        f'{skin} a11yRegionTarget" role="region">{header}<div class="wpthemeControlBody '
        f'wpthemeOverflowAuto wpthemeClear">{body}</div></section></div></div>'
    )


def _right(chrome: SiteChrome) -> str:
    calendar = (
        '<ul class="lich-lam-viec"><li><a href="/wps/portal/sldtbxh/lich-lam-viec">'
        "Lịch làm việc tuần của Ban Giám đốc</a></li></ul>"
    )
    poll = (
        '<form class="tham-do" action="/wps/portal/sldtbxh/tham-do" method="post">'
        "<p>Bạn đánh giá thế nào về dịch vụ công trực tuyến của Sở?</p>"
        '<label><input type="radio" name="y" value="1"> Tốt</label>'
        '<label><input type="radio" name="y" value="2"> Chưa tốt</label>'
        '<input type="submit" value="Bình chọn"></form>'
    )
    counter = (
        f'<p class="counter">Đang truy cập: {chrome.visitors_online}<br>'
        f"Tổng lượt truy cập: {chrome.visitors_total}</p>"
    )
    return "".join(
        (
            control("CGAH47L00G3J80AQ9J6C0T30R1", calendar, "Lịch làm việc"),
            control("CGAH47L00G3J80AQ9J6C0T30R2", poll, "Thăm dò ý kiến"),
            control("CGAH47L00G3J80AQ9J6C0T30R3", counter, "Thống kê"),
        )
    )


def page(chrome: SiteChrome, *, title: str, url: str, center: str, description: str = "") -> str:
    menu = "".join(
        f'<li class="wpthemeNavListItem{" wpthemeSelected" if url.startswith(href) else ""}">'
        f'<a href="{href}" class="wpthemeLeft"><span lang="vi">{label}</span></a></li>'
        for href, label in _MENU[1:]
    )
    home = f'<li class="wpthemeNavListItem wpthemeLeft"><a href="{_MENU[0][0]}">Trang chủ</a></li>'
    state = websphere_state("nav-" + url)
    state_url = f"{WEBSPHERE_LISTING}/!ut/p/z1/{state}/dz/d5/L2dBISEvZ0FBIS9nQSEh/"
    return _PAGE.substitute(
        title=esc(title),
        description=esc(description),
        canonical=esc(url),
        state_url=esc(state_url),
        listing_url=WEBSPHERE_LISTING,
        site_name=esc(chrome.name),
        site_upper=esc(chrome.name.upper()),
        province_upper=esc(chrome.province.upper()),
        address=esc(chrome.address),
        phone=esc(chrome.phone),
        email=esc(chrome.email),
        menu=home + menu,
        center=center,
        right=_right(chrome),
    )


def _image(image: Image) -> str:
    """The rich-text editor's centred picture with an italic caption paragraph under it."""
    src = esc(IMAGE_PREFIX + image.src)
    caption = esc(image.caption)
    return (
        f'<p style="text-align: center;"><img alt="{caption}" src="{src}" '
        f'style="width: 640px;"></p><p style="text-align: center;"><em>{caption}</em></p>'
    )


def _body(article: Article) -> str:
    blocks = [_image(i) for i in article.images if i.after < 0]
    for index, text in enumerate(article.paragraphs):
        blocks.append(f"<p>{esc(text)}</p>")
        blocks.extend(_image(i) for i in article.images if i.after == index)
    blocks.append(f'<p align="right"><b>{esc(article.author)}</b></p>')
    return "".join(blocks)


def article_page(
    chrome: SiteChrome, article: Article, url: str, related: Sequence[ListingEntry]
) -> str:
    summary = (
        f'<div class="wcm-summary"><p><b>{esc(article.lead)}</b></p></div>' if article.lead else ""
    )
    others = "".join(
        f'<li><a href="{esc(r.url)}">{esc(r.headline)}</a> <span>({r.published:%d/%m/%Y})</span>'
        "</li>"
        for r in related
    )
    content = (
        '<div class="wcm-content">'
        f'<h1 class="wcm-title">{esc(article.headline)}</h1>'
        f'<div class="wcm-date">Ngày đăng: {article.published:%d/%m/%Y} '
        f"{clock(article.published)}</div>"
        f'{summary}<div class="wcm-body">{_body(article)}</div>'
        '<div class="wcm-tools"><a href="javascript:window.print()">Bản in</a> '
        '<a href="mailto:?subject=Tin">Gửi email</a></div>'
        f'<div class="wcm-related"><h3>Các tin khác</h3><ul>{others}</ul></div></div>'
    )
    center = control("CGAH47L00G3J80AQ9J6C0T30A4", content)
    return page(
        chrome,
        title=f"{article.headline} - {chrome.name}",
        url=url,
        center=center,
        description=article.summary,
    )


def listing_page(
    chrome: SiteChrome,
    entries: Sequence[tuple[str, ListingEntry]],
    *,
    url: str,
    next_url: str | None,
) -> str:
    """``entries``: (the portal link to the article, what the list shows)."""
    items = "".join(
        '<li class="wcm-list-item">'
        + (f'<img class="wcm-list-thumb" alt="" src="{esc(e.image_url)}">' if e.image_url else "")
        + f'<h3 class="wcm-list-title"><a href="{esc(link)}">{esc(e.headline)}</a></h3>'
        f'<span class="wcm-list-date">Ngày {e.published:%d/%m/%Y - %H:%M}</span>'
        f'<p class="wcm-list-summary">{esc(e.summary)}</p></li>'
        for link, e in entries
    )
    pager = (
        f'<a class="wcm-pager-next next" href="{esc(next_url)}">Trang sau »</a>' if next_url else ""
    )
    content = (
        f'<ul class="wcm-list">{items}</ul><div class="wcm-pager">'
        f'<span class="wcm-pager-current">Trang hiện tại</span> {pager}</div>'
    )
    center = control("CGAH47L00G3J80AQ9J6C0T30L2", content, CATEGORY)
    return page(chrome, title=f"{CATEGORY} - {chrome.name}", url=url, center=center)


def home_page(chrome: SiteChrome, entries: Sequence[tuple[str, ListingEntry]]) -> str:
    items = "".join(f'<li><a href="{esc(link)}">{esc(e.headline)}</a></li>' for link, e in entries)
    body = f'<ul class="tin-moi">{items}</ul><a href="{WEBSPHERE_LISTING}">Xem tiếp</a>'
    center = control("CGAH47L00G3J80AQ9J6C0T30H1", body, "Tin mới")
    return page(chrome, title=chrome.name, url="/wps/portal/sldtbxh", center=center)


def login_page(chrome: SiteChrome) -> str:
    form = (
        '<form action="/admin/login" method="post" class="wpthemeLoginForm">'
        '<label>Tên người dùng <input type="text" name="wps.portlets.userid"></label>'
        '<label>Mật khẩu <input type="password" name="password"></label>'
        '<input type="submit" value="Đăng nhập"></form>'
    )
    center = control("CGAH47L00G3J80AQ9J6C0T30X9", form, "Đăng nhập")
    return page(chrome, title=f"Đăng nhập - {chrome.name}", url="/admin/login", center=center)
