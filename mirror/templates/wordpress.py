"""WordPress magazine pages (skeleton in wordpress_page.html): single posts, category archives
with ``/page/<n>/`` pagination, the home page, the ``/feed/`` RSS and a login page.

Modelled from the family's known conventions (WordPress 6 core markup of an underscores-based
theme, ``wp-caption`` figures, Jetpack related posts and sharing), not from a saved page.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import format_datetime

from mirror.model import Article, Image
from mirror.paths import BASE_URL_PLACEHOLDER
from mirror.templates.common import SNAPSHOT_DAY, ListingEntry, SiteChrome, esc, load_template
from mirror.urls import WORDPRESS_LISTING

SITE_NAME = "Tạp chí Lao động và Xã hội"
IMAGE_PREFIX = "/wp-content/uploads/2024/07/"
CATEGORY = "Lao động - Việc làm"
# Chrome texts of this family that the shared e2e chrome list does not know.
CHROME_TEXTS = ("Bài viết mới", "Tạp chí in", "Có liên quan", "Chia sẻ:", "Để lại bình luận")

_PAGE = load_template("wordpress_page.html")
_MENU = (
    ("/", "Trang chủ"),
    (WORDPRESS_LISTING, CATEGORY),
    ("/nguoi-co-cong/", "Người có công"),
    ("/giao-duc-nghe-nghiep/", "Giáo dục nghề nghiệp"),
    ("/an-sinh-xa-hoi/", "An sinh xã hội"),
)


def page(
    chrome: SiteChrome,
    *,
    title: str,
    url: str,
    main: str,
    body_class: str,
    recent: Sequence[ListingEntry],
    description: str = "",
    head: str = "",
) -> str:
    menu = "".join(
        f'<li class="menu-item{" current-menu-item" if href == url else ""}">'
        f'<a href="{href}">{label}</a></li>'
        for href, label in _MENU
    )
    return _PAGE.substitute(
        title=esc(title),
        description=esc(description),
        canonical=esc(url),
        head=head,
        body_class=body_class,
        menu=menu,
        main=main,
        recent="".join(f'<li><a href="{esc(e.url)}">{esc(e.headline)}</a></li>' for e in recent),
        address=esc(chrome.address),
        phone=esc(chrome.phone),
        email=esc(chrome.email),
    )


def _figure(image: Image, number: int) -> str:
    caption = esc(image.caption)
    src = esc(IMAGE_PREFIX + image.src)
    return (
        f'<figure id="attachment_{number}" aria-describedby="caption-attachment-{number}" '
        f'style="width: 800px" class="wp-caption aligncenter"><img decoding="async" '
        f'class="size-full wp-image-{number}" src="{src}" alt="{caption}" width="800" '
        f'height="533" srcset="{src} 800w, {src}?w=300 300w" sizes="(max-width: 800px) 100vw, '
        f'800px"><figcaption id="caption-attachment-{number}" class="wp-caption-text">{caption}'
        "</figcaption></figure>"
    )


def _content(article: Article, related: Sequence[ListingEntry]) -> str:
    figures = {n: i for n, i in enumerate(article.images)}
    number = article.id + 90

    def after(index: int) -> list[str]:
        return [_figure(i, number + n) for n, i in figures.items() if i.after == index]

    blocks = [f'<p class="sapo"><strong>{esc(article.lead)}</strong></p>'] if article.lead else []
    blocks += after(-1)
    for index, text in enumerate(article.paragraphs):
        blocks.append(f"<p>{esc(text)}</p>")
        blocks += after(index)
    blocks.append(f'<p style="text-align: right;"><strong>{esc(article.author)}</strong></p>')
    posts = "".join(
        f'<div class="jp-relatedposts-post"><h4 class="jp-relatedposts-post-title">'
        f'<a href="{esc(r.url)}">{esc(r.headline)}</a></h4></div>'
        for r in related
    )
    blocks.append(
        '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block '
        'sd-social"><h3 class="sd-title">Chia sẻ:</h3><ul><li><a class="share-facebook" '
        'href="?share=facebook" rel="nofollow">Facebook</a></li><li><a class="share-twitter" '
        'href="?share=twitter" rel="nofollow">X</a></li></ul></div></div>'
        '<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">'
        f"<em>Có liên quan</em></h3>{posts}</div>"
    )
    return "".join(blocks)


def _categories(article: Article) -> str:
    classes = "post type-post status-publish format-standard hentry"
    return f"post-{article.id} {classes} category-{article.category}"


def article_page(
    chrome: SiteChrome, article: Article, url: str, related: Sequence[ListingEntry]
) -> str:
    moment = article.published
    main = (
        f'<article id="post-{article.id}" class="{_categories(article)}">'
        '<header class="entry-header"><div class="entry-meta"><span class="cat-links">'
        f'<a href="/{article.category}/" rel="category tag">{CATEGORY}</a></span></div>'
        f'<h1 class="entry-title">{esc(article.headline)}</h1>'
        '<div class="entry-meta"><span class="posted-on"><a href="' + esc(url) + '" '
        f'rel="bookmark"><time class="entry-date published" datetime="{moment.isoformat()}">'
        f'{moment:%d/%m/%Y}</time></a></span><span class="byline"> bởi <span class="author '
        f'vcard"><a class="url fn n" href="/author/{article.id % 7}/">{esc(article.author)}</a>'
        "</span></span></div></header>"
        f'<div class="entry-content">{_content(article, related)}</div>'
        '<footer class="entry-footer"><span class="tags-links">Từ khóa: <a href="/tag/an-sinh/" '
        'rel="tag">an sinh</a></span></footer></article>'
        '<nav class="navigation post-navigation" aria-label="Bài viết"><div class="nav-links">'
        + "".join(
            f'<div class="nav-previous"><a href="{esc(r.url)}" rel="prev">{esc(r.headline)}</a>'
            "</div>"
            for r in related[:1]
        )
        + '</div></nav><div id="comments" class="comments-area"><div id="respond" '
        'class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Để lại bình '
        'luận</h3><form action="/wp-comments-post.php" method="post" id="commentform">'
        '<textarea id="comment" name="comment"></textarea><input name="submit" type="submit" '
        'value="Gửi bình luận"></form></div></div>'
    )
    return page(
        chrome,
        title=f"{article.headline} - {SITE_NAME}",
        url=url,
        main=main,
        body_class=f"post-template-default single single-post postid-{article.id} "
        "single-format-standard",
        recent=related,
        description=article.summary,
        head='<meta property="og:type" content="article">\n'
        f'<meta property="article:published_time" content="{moment.isoformat()}">\n',
    )


def _excerpt(entry: ListingEntry, index: int) -> str:
    thumb = (
        f'<a class="post-thumbnail" href="{esc(entry.url)}"><img src="{esc(entry.image_url)}" '
        'alt=""></a>'
        if entry.image_url
        else ""
    )
    return (
        f'<article id="post-{index}" class="post type-post status-publish format-standard hentry">'
        f'{thumb}<header class="entry-header"><h2 class="entry-title"><a href="{esc(entry.url)}" '
        f'rel="bookmark">{esc(entry.headline)}</a></h2><div class="entry-meta"><time '
        f'class="entry-date published" datetime="{entry.published.isoformat()}">'
        f"{entry.published:%d/%m/%Y}</time></div></header>"
        f'<div class="entry-summary"><p>{esc(entry.summary)}</p></div></article>'
    )


def archive_page(
    chrome: SiteChrome,
    entries: Sequence[ListingEntry],
    *,
    url: str,
    page_number: int,
    page_url: dict[int, str],
) -> str:
    posts = "".join(_excerpt(e, 9000 + page_number * 10 + n) for n, e in enumerate(entries))
    numbers = "".join(
        f'<span aria-current="page" class="page-numbers current">{n}</span>'
        if n == page_number
        else f'<a class="page-numbers" href="{esc(page_url[n])}">{n}</a>'
        for n in sorted(page_url)
    )
    following = page_url.get(page_number + 1)
    nxt = (
        f'<a class="next page-numbers" href="{esc(following)}">Trang sau »</a>' if following else ""
    )
    main = (
        f'<header class="page-header"><h1 class="page-title">Chuyên mục: {CATEGORY}</h1></header>'
        f'{posts}<nav class="navigation pagination" aria-label="Phân trang bài viết">'
        f'<div class="nav-links">{numbers}{nxt}</div></nav>'
    )
    head = (
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; '
        f'{CATEGORY} Dòng thông tin chuyên mục" href="{WORDPRESS_LISTING}feed/">\n'
    )
    return page(
        chrome,
        title=f"{CATEGORY} - {SITE_NAME}",
        url=url,
        main=main,
        body_class="archive category category-lao-dong-viec-lam",
        recent=entries,
        head=head,
    )


def home_page(chrome: SiteChrome, entries: Sequence[ListingEntry]) -> str:
    posts = "".join(_excerpt(e, 8000 + n) for n, e in enumerate(entries))
    return page(
        chrome,
        title=f"{SITE_NAME} - Cơ quan của Bộ Lao động - Thương binh và Xã hội",
        url="/",
        main=posts,
        body_class="home blog",
        recent=entries,
    )


def login_page(chrome: SiteChrome) -> str:
    main = (
        '<form name="loginform" id="loginform" action="/admin/login" method="post">'
        '<label for="user_login">Tên người dùng</label><input type="text" name="log" '
        'id="user_login"><label for="user_pass">Mật khẩu</label><input type="password" '
        'name="pwd" id="user_pass"><input type="submit" value="Đăng nhập"></form>'
    )
    return page(
        chrome,
        title=f"Đăng nhập - {SITE_NAME}",
        url="/admin/login",
        main=main,
        body_class="login",
        recent=(),
    )


def feed(entries: Sequence[tuple[ListingEntry, str]], *, link: str) -> str:
    """WordPress's RSS 2.0 feed: (entry, author) pairs, newest first."""
    items = "".join(
        f"<item><title>{esc(e.headline)}</title><link>{BASE_URL_PLACEHOLDER}{esc(e.url)}</link>"
        f"<dc:creator><![CDATA[{author}]]></dc:creator>"
        f"<pubDate>{format_datetime(e.published)}</pubDate>"
        f'<guid isPermaLink="false">{BASE_URL_PLACEHOLDER}/?p={n}</guid>'
        f"<description><![CDATA[{e.summary}]]></description></item>\n"
        for n, (e, author) in enumerate(entries, start=48000)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>{SITE_NAME}</title>"
        f'<atom:link href="{BASE_URL_PLACEHOLDER}{link}" rel="self" type="application/rss+xml" />'
        f"<link>{BASE_URL_PLACEHOLDER}/</link><description>Cơ quan của Bộ Lao động - Thương binh "
        f"và Xã hội</description><lastBuildDate>{format_datetime(SNAPSHOT_DAY)}</lastBuildDate>"
        "<language>vi</language><generator>https://wordpress.org/?v=6.5.5</generator>\n"
        f"{items}</channel></rss>\n"
    )
