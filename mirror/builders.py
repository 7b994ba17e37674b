"""Write one site's pages, per CMS family. Each builder returns the statuses the server must
answer instead of a page (the broken links of the listing)."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from mirror import urls
from mirror.content import IMAGES_DIR
from mirror.model import Article, BrokenLink
from mirror.paths import BASE_URL_PLACEHOLDER, file_for_url
from mirror.sites import SiteSpec
from mirror.templates import (
    baodansinh,
    generic,
    liferay,
    liferay7,
    sharepoint,
    websphere,
    wordpress,
)
from mirror.templates.common import ListingEntry

Statuses = dict[str, int]


def write(root: Path, url: str, text: str) -> None:
    target = root / file_for_url(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def copy_images(root: Path, prefix: str) -> None:
    target = root / prefix.strip("/")
    target.mkdir(parents=True, exist_ok=True)
    for image in sorted(IMAGES_DIR.iterdir()):
        if image.suffix in (".png", ".jpg"):
            shutil.copyfile(image, target / image.name)


def robots(with_sitemap: bool) -> str:
    text = "User-agent: *\nDisallow: /admin/\n"
    return text + (f"\nSitemap: {BASE_URL_PLACEHOLDER}/sitemap.xml\n" if with_sitemap else "")


def _serve_form(article: Article, html: str) -> str:
    """The page as the server sends it: decomposed (NFD) for the article that asks for it."""
    return unicodedata.normalize("NFD", html) if article.nfd else html


def _chunks(items: Sequence[ListingEntry], size: int) -> list[Sequence[ListingEntry]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- Liferay 6.2 --------------------------------------------------------------------------------
def build_liferay(
    spec: SiteSpec, root: Path, articles: Sequence[Article], broken: Sequence[BrokenLink]
) -> Statuses:
    def entry(item: Article | BrokenLink) -> ListingEntry:
        if isinstance(item, BrokenLink):
            return ListingEntry(urls.liferay_article(item), item.headline, item.published)
        image = liferay.IMAGE_PREFIX + item.images[0].src if item.images else None
        return ListingEntry(
            urls.liferay_article(item), item.headline, item.published, item.summary, image
        )

    chrome = spec.chrome
    everything: list[Article | BrokenLink] = [*articles, *broken]
    listed = [entry(i) for i in sorted(everything, key=lambda i: i.published, reverse=True)]
    pages = _chunks(listed, urls.LIFERAY_PAGE_SIZE)
    page_url = {n: urls.liferay_listing_page(n) for n in range(1, len(pages) + 1)}
    for number, chunk in enumerate(pages, start=1):
        html = liferay.listing_page(
            chrome,
            chunk,
            url=page_url[number],
            page_number=number,
            page_count=len(pages),
            total=len(listed),
            page_size=urls.LIFERAY_PAGE_SIZE,
            page_url=page_url,
        )
        write(root, page_url[number], html)
        if number == 1:  # the menu links the bare listing URL; the page iterator the long one
            write(root, urls.LIFERAY_LISTING, html)

    good = [e for e in listed if not any(e.url == urls.liferay_article(b) for b in broken)]
    for article in articles:
        url = urls.liferay_article(article)
        related = [e for e in good if e.url != url][:5]
        html = liferay.article_page(
            chrome, article, url, related, table_captions=spec.table_captions
        )
        write(root, url, _serve_form(article, html))

    write(root, "/", liferay.home_page(chrome, good, urls.LIFERAY_LISTING))
    write(
        root,
        "/gioi-thieu",
        liferay.static_page(
            chrome,
            url="/gioi-thieu",
            label="Giới thiệu",
            paragraphs=(
                f"{chrome.name} là cơ quan chuyên môn thuộc UBND tỉnh {chrome.province}, tham mưu "
                "về lao động, việc làm, giáo dục nghề nghiệp, tiền lương, bảo hiểm xã hội, an toàn "
                "lao động, người có công, bảo trợ xã hội, trẻ em và phòng, chống tệ nạn xã hội.",
            ),
        ),
    )
    write(
        root,
        "/lien-he",
        liferay.static_page(
            chrome,
            url="/lien-he",
            label="Liên hệ",
            paragraphs=(
                f"Địa chỉ: {chrome.address}",
                f"Điện thoại: {chrome.phone}",
                f"Email: {chrome.email}",
            ),
        ),
    )
    write(root, "/admin/login", liferay.login_page(chrome))
    write(root, "/robots.txt", robots(with_sitemap=False))
    copy_images(root, liferay.IMAGE_PREFIX)
    return {urls.liferay_article(b): b.status for b in broken}


# --- Báo Dân sinh -------------------------------------------------------------------------------
def build_baodansinh(
    spec: SiteSpec, root: Path, articles: Sequence[Article], broken: Sequence[BrokenLink]
) -> Statuses:
    def entry(article: Article) -> ListingEntry:
        image = baodansinh.IMAGE_PREFIX + article.images[0].src if article.images else None
        return ListingEntry(
            urls.baodansinh_article(article),
            article.headline,
            article.published,
            article.summary,
            image,
        )

    newest_first = sorted(articles, key=lambda a: a.published, reverse=True)
    listed = [entry(a) for a in newest_first]
    pages = _chunks(listed, urls.BAODANSINH_PAGE_SIZE)
    for number, chunk in enumerate(pages, start=1):
        html = baodansinh.listing_page(
            chunk,
            prev_url=urls.baodansinh_listing_page(number - 1) if number > 1 else None,
            next_url=urls.baodansinh_listing_page(number + 1) if number < len(pages) else None,
        )
        write(root, urls.baodansinh_listing_page(number), html)
    for article in newest_first:
        url = urls.baodansinh_article(article)
        related = [e for e in listed if e.url != url][:5]
        write(root, url, _serve_form(article, baodansinh.article_page(article, related)))
    write(root, "/", baodansinh.home_page(listed))
    write(root, "/admin/login", baodansinh.login_page())
    write(root, "/robots.txt", robots(with_sitemap=False))
    copy_images(root, baodansinh.IMAGE_PREFIX)
    return {}


# --- the unknown PHP CMS ------------------------------------------------------------------------
def build_generic(
    spec: SiteSpec, root: Path, articles: Sequence[Article], broken: Sequence[BrokenLink]
) -> Statuses:
    chrome = spec.chrome
    newest_first = sorted(articles, key=lambda a: a.published, reverse=True)
    linked = [(urls.generic_article(a), a) for a in newest_first]
    for url, article in linked:
        write(root, url, _serve_form(article, generic.article_page(chrome, article)))
    write(root, "/", generic.home_page(chrome, linked))
    write(root, "/rss.xml", generic.rss(chrome, linked))
    days = [(url, f"{article.published:%Y-%m-%d}") for url, article in linked]
    write(root, "/sitemap.xml", generic.sitemap(days))
    write(root, "/admin/login", generic.login_page(chrome))
    write(root, "/robots.txt", robots(with_sitemap=True))
    return {}


# --- helpers of the four later families ---------------------------------------------------------
def _entries(
    articles: Sequence[Article], url_of: Callable[[Article], str], image_prefix: str
) -> list[ListingEntry]:
    """Listing entries of ``articles``, newest first."""
    newest_first = sorted(articles, key=lambda a: a.published, reverse=True)
    return [
        ListingEntry(
            url_of(a),
            a.headline,
            a.published,
            a.summary,
            image_prefix + a.images[0].src if a.images else None,
        )
        for a in newest_first
    ]


def _pages(
    listed: Sequence[ListingEntry], size: int, url_of_page: Callable[[int], str]
) -> tuple[list[Sequence[ListingEntry]], dict[int, str]]:
    pages = _chunks(listed, size)
    return pages, {n: url_of_page(n) for n in range(1, len(pages) + 1)}


def _write_articles(
    root: Path,
    articles: Sequence[Article],
    listed: Sequence[ListingEntry],
    url_of: Callable[[Article], str],
    render: Callable[[Article, str, Sequence[ListingEntry]], str],
) -> None:
    for article in articles:
        url = url_of(article)
        related = [e for e in listed if e.url != url][:4]
        write(root, url, _serve_form(article, render(article, url, related)))


def _finish(root: Path, login_html: str, image_prefix: str) -> None:
    write(root, "/admin/login", login_html)
    write(root, "/robots.txt", robots(with_sitemap=False))
    copy_images(root, image_prefix)


# --- Liferay 7 / DXP ----------------------------------------------------------------------------
def build_liferay7(
    spec: SiteSpec, root: Path, articles: Sequence[Article], broken: Sequence[BrokenLink]
) -> Statuses:
    chrome = spec.chrome
    listed = _entries(articles, urls.liferay7_article, liferay7.IMAGE_PREFIX)
    pages, page_url = _pages(listed, urls.LIFERAY7_PAGE_SIZE, urls.liferay7_listing_page)
    for number, chunk in enumerate(pages, start=1):
        html = liferay7.listing_page(
            chrome, chunk, url=page_url[number], page_number=number, page_url=page_url
        )
        write(root, page_url[number], html)
    _write_articles(
        root,
        articles,
        listed,
        urls.liferay7_article,
        lambda article, url, related: liferay7.article_page(chrome, article, url, related),
    )
    write(root, urls.LIFERAY7_RSS, liferay7.rss(chrome, listed))
    home = liferay7.home_page(chrome, listed)
    write(root, "/", home)
    write(root, "/vi/", home)
    _finish(root, liferay7.login_page(chrome), liferay7.IMAGE_PREFIX)
    return {}


# --- IBM WebSphere Portal / WCM -----------------------------------------------------------------
def build_websphere(
    spec: SiteSpec, root: Path, articles: Sequence[Article], broken: Sequence[BrokenLink]
) -> Statuses:
    chrome = spec.chrome
    listed = _entries(articles, urls.websphere_article, websphere.IMAGE_PREFIX)
    by_url = {urls.websphere_article(a): a for a in articles}
    # The portal's list links each article through a state-laden portal URL.
    linked = [(urls.websphere_portal_link(by_url[e.url]), e) for e in listed]
    size = urls.WEBSPHERE_PAGE_SIZE
    pages = [linked[i : i + size] for i in range(0, len(linked), size)]
    for number, chunk in enumerate(pages, start=1):
        following = number + 1 if number < len(pages) else None
        html = websphere.listing_page(
            chrome,
            chunk,
            url=urls.websphere_listing_page(number),
            next_url=urls.websphere_listing_page(following) if following else None,
        )
        write(root, urls.websphere_listing_page(number), html)
    _write_articles(
        root,
        articles,
        listed,
        urls.websphere_article,
        lambda article, url, related: websphere.article_page(chrome, article, url, related),
    )
    home = websphere.home_page(chrome, linked)
    write(root, "/", home)
    write(root, "/wps/portal/sldtbxh", home)
    _finish(root, websphere.login_page(chrome), websphere.IMAGE_PREFIX)
    return {}


# --- SharePoint ---------------------------------------------------------------------------------
def build_sharepoint(
    spec: SiteSpec, root: Path, articles: Sequence[Article], broken: Sequence[BrokenLink]
) -> Statuses:
    chrome = spec.chrome
    listed = _entries(articles, urls.sharepoint_article, sharepoint.IMAGE_PREFIX)
    pages, page_url = _pages(listed, urls.SHAREPOINT_PAGE_SIZE, urls.sharepoint_listing_page)
    for number, chunk in enumerate(pages, start=1):
        html = sharepoint.listing_page(
            chrome, chunk, url=page_url[number], page_number=number, page_url=page_url
        )
        write(root, page_url[number], html)
        if number == 1:  # the pager's "1" names the page explicitly
            write(root, urls.SHAREPOINT_LISTING + "&page=1", html)
    _write_articles(
        root,
        articles,
        listed,
        urls.sharepoint_article,
        lambda article, url, related: sharepoint.article_page(chrome, article, url, related),
    )
    home = sharepoint.home_page(chrome, listed)
    write(root, "/", home)
    write(root, "/Pages/default.aspx", home)
    _finish(root, sharepoint.login_page(chrome), sharepoint.IMAGE_PREFIX)
    return {}


# --- WordPress magazine -------------------------------------------------------------------------
def build_wordpress(
    spec: SiteSpec, root: Path, articles: Sequence[Article], broken: Sequence[BrokenLink]
) -> Statuses:
    chrome = spec.chrome
    listed = _entries(articles, urls.wordpress_article, wordpress.IMAGE_PREFIX)
    pages, page_url = _pages(listed, urls.WORDPRESS_PAGE_SIZE, urls.wordpress_listing_page)
    for number, chunk in enumerate(pages, start=1):
        html = wordpress.archive_page(
            chrome, chunk, url=page_url[number], page_number=number, page_url=page_url
        )
        write(root, page_url[number], html)
    _write_articles(
        root,
        articles,
        listed,
        urls.wordpress_article,
        lambda article, url, related: wordpress.article_page(chrome, article, url, related),
    )
    authors = {urls.wordpress_article(a): a.author for a in articles}
    feed_items = [(e, authors[e.url]) for e in listed]
    write(root, "/feed/", wordpress.feed(feed_items, link="/feed/"))
    category_feed = urls.WORDPRESS_LISTING + "feed/"
    write(root, category_feed, wordpress.feed(feed_items, link=category_feed))
    write(root, "/", wordpress.home_page(chrome, listed))
    _finish(root, wordpress.login_page(chrome), wordpress.IMAGE_PREFIX)
    return {}
