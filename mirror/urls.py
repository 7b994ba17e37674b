"""URL schemes of the CMS families the mirror imitates (root-relative URLs)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

from mirror.model import Article, BrokenLink

# --- Liferay 6.2 portals: asset publisher portlet 101, as in the Hà Nội corpus ---------------
LIFERAY_LISTING = "/tin-tuc-su-kien"
LIFERAY_PAGE_SIZE = 3  # small, so that a handful of articles still spans several pages


def liferay_article(item: Article | BrokenLink) -> str:
    return f"/{item.category}/-/view_content/{item.id}-{item.slug}.html"


def liferay_listing_page(page: int) -> str:
    """The URL Liferay's page iterator links to: every portlet parameter, in Liferay's order."""
    query = (
        "p_p_id=101&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&p_p_col_id=column-2"
        f"&p_p_col_pos=1&p_p_col_count=2&_101_delta={LIFERAY_PAGE_SIZE}&_101_keywords="
        "&_101_advancedSearch=false&_101_andOperator=true&p_r_p_564233524_resetCur=false"
        f"&_101_cur={page}"
    )
    return f"{LIFERAY_LISTING}?{query}"


# --- Báo Dân sinh ------------------------------------------------------------------------------
BAODANSINH_LISTING = "/lao-dong-viec-lam"
BAODANSINH_PAGE_SIZE = 3


def baodansinh_article(article: Article) -> str:
    return f"/{article.slug}-{article.published:%Y%m%d%H%M%S}.htm"


def baodansinh_listing_page(page: int) -> str:
    return BAODANSINH_LISTING if page == 1 else f"{BAODANSINH_LISTING}?page={page}"


# --- the home-grown PHP CMS of the generic site ------------------------------------------------
def generic_article(article: Article) -> str:
    return f"/tin-tuc/{article.slug}-{article.id}.html"


# --- Liferay 7 / DXP: a display page per article, asset publisher pagination --------------------
LIFERAY7_LISTING = "/vi/news/tin-tuc-su-kien"
LIFERAY7_PAGE_SIZE = 2
LIFERAY7_PORTLET = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Xq8tDnKf"
LIFERAY7_RSS = f"{LIFERAY7_LISTING}/-/asset_publisher/Xq8tDnKf/rss"


def liferay7_article(article: Article) -> str:
    return f"/vi/news/{article.category}/{article.slug}"


def liferay7_listing_page(page: int) -> str:
    if page == 1:
        return LIFERAY7_LISTING
    ns = f"_{LIFERAY7_PORTLET}_"
    query = (
        f"p_p_id={LIFERAY7_PORTLET}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
        f"&{ns}delta={LIFERAY7_PAGE_SIZE}&p_r_p_resetCur=false&{ns}cur={page}"
    )
    return f"{LIFERAY7_LISTING}?{query}"


# --- IBM WebSphere Portal / WCM: state-laden portal URLs, stable WCM connect URLs -------------
WEBSPHERE_LISTING = "/wps/portal/sldtbxh/tin-tuc"
WEBSPHERE_PAGE_SIZE = 2
WEBSPHERE_LIBRARY = "sldtbxh_camau_lib"


def websphere_article(article: Article) -> str:
    return f"/wps/wcm/connect/{WEBSPHERE_LIBRARY}/sldtbxh/{article.category}/{article.slug}"


def websphere_state(seed: str) -> str:
    """A navigational state segment shaped like the portal's (compressed, base64url): opaque
    and different for each link, as a visitor sees them."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest() * 3
    return "04_Sj9CPykssy0xPLMnMz0vMAfIjo8zi" + base64.urlsafe_b64encode(digest).decode()[:88]


def websphere_listing_page(page: int) -> str:
    if page == 1:
        return WEBSPHERE_LISTING
    state = websphere_state(f"page-{page}")
    return f"{WEBSPHERE_LISTING}/!ut/p/z1/{state}/dz/d5/L2dBISEvZ0FBIS9nQSEh/"


def websphere_portal_link(article: Article) -> str:
    """How the portal's list links an article: its WCM path behind a state segment."""
    wcm = websphere_article(article).removeprefix("/wps/wcm/connect/")
    state = websphere_state(f"article-{article.id}")
    path = quote("/" + wcm, safe="")
    return f"{WEBSPHERE_LISTING}/chi-tiet/!ut/p/z1/{state}/?urile=wcm%3Apath%3A{path}"


# --- SharePoint: ASP.NET pages with query strings ---------------------------------------------
SHAREPOINT_LISTING = "/Pages/tintuc/chuyenmuc.aspx?ChuyenMucID=32"
SHAREPOINT_PAGE_SIZE = 2


def sharepoint_article(article: Article) -> str:
    return f"/Pages/tintuc/baiviet.aspx?ItemID={article.id}"


def sharepoint_listing_page(page: int) -> str:
    return SHAREPOINT_LISTING if page == 1 else f"{SHAREPOINT_LISTING}&page={page}"


# --- WordPress magazine: dated permalinks, /page/<n>/ archives ----------------------------------
WORDPRESS_LISTING = "/lao-dong-viec-lam/"
WORDPRESS_PAGE_SIZE = 2


def wordpress_article(article: Article) -> str:
    return f"/{article.published:%Y/%m}/{article.slug}/"


def wordpress_listing_page(page: int) -> str:
    return WORDPRESS_LISTING if page == 1 else f"{WORDPRESS_LISTING}page/{page}/"


_ARTICLE_PATHS = {
    "liferay": liferay_article,
    "baodansinh": baodansinh_article,
    "liferay7": liferay7_article,
    "websphere": websphere_article,
    "sharepoint": sharepoint_article,
    "wordpress": wordpress_article,
}


def article_path(profile: str | None, article: Article) -> str:
    return _ARTICLE_PATHS.get(profile or "", generic_article)(article)
