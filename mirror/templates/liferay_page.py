"""A Liferay 6.2 portal page (skeleton in liferay_page.html), after the Hà Nội corpus (2022).

Head with the theme's CSS and the ``Liferay`` JS bootstrap, header, ``#navigation`` menu, a
three-column ``portlet-layout`` of ``portlet-boundary`` portlets, footer and the portlets'
``Liferay.Portlet.onLoad`` calls. The chrome portlets carry the texts a visitor sees on the
Quảng Trị portal: "Thông tin tiện ích", "Lịch vạn niên", the visitor counters, "Tiếp nhận ý
kiến", "Hình ảnh hoạt động", "Video".
"""

from __future__ import annotations

from mirror.templates.common import SiteChrome, esc, load_template

PORTAL_NAME = "Sở Lao động - Thương Binh và Xã Hội"  # the Liferay site name, in every <title>
THEME = "/sldtbxh-theme"
_ASSET_QUERY = (
    "browserId=other&amp;themeId=sldtbxh_WAR_sldtbxhtheme&amp;languageId=vi_VN&amp;b=6210"
)

_PAGE = load_template("liferay_page.html")

_MENU = (
    ("/", "Trang chủ"),
    ("/gioi-thieu", "Giới thiệu"),
    ("/tin-tuc-su-kien", "Tin tức sự kiện"),
    ("/lien-he", "Liên hệ"),
)


def portlet(portlet_id: str, body: str, title: str | None = None, css: str = "") -> str:
    """One ``portlet-boundary``: a titled ``section.portlet`` or a borderless container."""
    base = portlet_id.split("_INSTANCE_")[0]
    if title is None:
        inner = (
            f'<div class="portlet-borderless-container" style=""> <div class="portlet-body"> '
            f"{body} </div> </div>"
        )
        borderless = " portlet-borderless"
    else:
        inner = (
            f'<section class="portlet" id="portlet_{portlet_id}"> <header class="portlet-topper"> '
            f'<h1 class="portlet-title"> <span class="portlet-title-icon"></span> '
            f'<span class="portlet-title-text">{esc(title)}</span> </h1> '
            f'<menu class="portlet-topper-toolbar" id="portlet-topper-toolbar_{portlet_id}" '
            f'type="toolbar"> </menu> </header> <div class="portlet-content"> '
            f'<div class=" portlet-content-container" style=""> <div class="portlet-body"> '
            f"{body} </div> </div> </div> </section>"
        )
        borderless = ""
    return (
        f'<div class="portlet-boundary portlet-boundary_{base}_  portlet-static portlet-static-end'
        f'{borderless} {css} " id="p_p_id_{portlet_id}_" > <span id="p_{portlet_id}"></span> '
        f"{inner} </div>"
    )


def _left(chrome: SiteChrome) -> str:
    utilities = (
        '<ul class="tien-ich"> <li><a href="https://dichvucong.gov.vn/">Dịch vụ công trực tuyến</a>'
        '</li> <li><a href="https://vbpl.vn/">Tra cứu văn bản pháp luật</a></li> '
        '<li><a href="/lien-he">Đường dây nóng</a></li> <li><a href="/gioi-thieu">Lịch công tác</a>'
        "</li> </ul>"
    )
    # The calendar is drawn by script; the server sends an empty cell (a lone &nbsp;).
    calendar = '<div class="lich-van-nien" id="lichvannien"><p>&nbsp;</p></div>'
    counters = (
        f'<div class="thong-ke-truy-cap"> <p class="online">Đang truy cập: {chrome.visitors_online}'
        f'</p> <p class="today">Hôm nay: {chrome.visitors_today}</p> '
        f'<p class="total">Tổng lượt truy cập: {chrome.visitors_total}</p> </div>'
    )
    return " ".join(
        (
            portlet("56_INSTANCE_tienich01", utilities, "Thông tin tiện ích"),
            portlet("56_INSTANCE_lichvn02", calendar, "Lịch vạn niên"),
            portlet("counter_WAR_portalcounterportlet", counters),
        )
    )


def _right() -> str:
    feedback = (
        '<div class="tiep-nhan-y-kien"> <a href="/lien-he"> <img alt="" '
        f'src="{THEME}/images/custom/gopy.png" /> </a> </div>'
    )
    gallery = (
        '<div class="gallery-wrapper" id="carousel"> '
        '<img alt="" src="/documents/10180/0/anh-hd-1.jpg" '
        'onclick="return false;" /> <img alt="" src="/documents/10180/0/anh-hd-2.jpg" '
        'onclick="return false;" /> </div>'
    )
    video = '<div class="video-player-wrapper"> <div class="portlet-msg">Chưa có video</div> </div>'
    return " ".join(
        (
            portlet("56_INSTANCE_ykien03", feedback, "Tiếp nhận ý kiến"),
            portlet("2_WAR_portalmediaportlet_INSTANCE_anhhd04", gallery, "Hình ảnh hoạt động"),
            portlet("2_WAR_portalmediaportlet_INSTANCE_video05", video, "Video"),
        )
    )


def breadcrumb(label: str) -> str:
    body = (
        '<div class="dd_chuyenmuc"> <span class="trangchu"><a href="/">Trang chủ</a></span> '
        f'<span class="tintuc"><p>{esc(label)}</p></span> </div>'
    )
    return portlet("ddlk_WAR_pointportalddlkportlet_INSTANCE_JghLCR6mpBko", body)


_PORTLETS = (
    "56_INSTANCE_tienich01",
    "56_INSTANCE_lichvn02",
    "counter_WAR_portalcounterportlet",
    "ddlk_WAR_pointportalddlkportlet_INSTANCE_JghLCR6mpBko",
    "101",
    "56_INSTANCE_ykien03",
    "2_WAR_portalmediaportlet_INSTANCE_anhhd04",
    "2_WAR_portalmediaportlet_INSTANCE_video05",
)


def page(
    chrome: SiteChrome,
    *,
    title: str,
    url: str,
    center: str,
    description: str = "",
    layout_id: int = 12,
) -> str:
    """A whole Liferay page whose middle column holds ``center``."""
    menu = " ".join(
        f'<li class="{"selected" if href != "/" and url.startswith(href) else ""}" > '
        f'<a href="{href}" >{label}</a> </li>'
        for href, label in _MENU
    )
    onload = "".join(
        f'Liferay.Portlet.onLoad({{canEditTitle:false,columnPos:{pos},isStatic:"end",'
        f'namespacedId:"p_p_id_{pid}_",portletId:"{pid}",refreshURL:"\\x2fc\\x2fportal'
        f'\\x2frender_portlet\\x3fp_l_id\\x3d{layout_id + 20000}\\x26p_p_id\\x3d{pid}"}});'
        for pos, pid in enumerate(_PORTLETS)
    )
    return _PAGE.substitute(
        title=esc(title),
        description=esc(description),
        theme=THEME,
        asset_query=_ASSET_QUERY,
        canonical=esc(url),
        layout_id=layout_id,
        plid=layout_id + 20000,
        current_url=url.replace("&", "\\x26").replace("=", "\\x3d").replace("?", "\\x3f"),
        portlet_list=",".join(f'"{p}"' for p in _PORTLETS),
        site_name=esc(chrome.name),
        province_upper=esc(chrome.province.upper()),
        menu=menu,
        left=_left(chrome),
        center=center,
        right=_right(),
        address=esc(chrome.address),
        phone=esc(chrome.phone),
        email=esc(chrome.email),
        onload=onload,
    )
