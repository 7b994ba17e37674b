"""URL schemes of the three CMS families the mirror imitates (root-relative URLs)."""

from __future__ import annotations

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


def article_path(profile: str | None, article: Article) -> str:
    if profile == "liferay":
        return liferay_article(article)
    if profile == "baodansinh":
        return baodansinh_article(article)
    return generic_article(article)
