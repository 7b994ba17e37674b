"""Pages no profile knows: trafilatura reads the article, heuristics read listings."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from aggregator.models import Image
from aggregator.profiles.base import ArticlePage, ListingPage, Profile, images_in

# Links inside these are navigation, not a listing's items.
_CHROME_ANCESTOR = (
    "ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside"
    " or ancestor::*[contains(@class,'menu') or contains(@id,'menu')"
    " or contains(@class,'footer') or contains(@id,'footer')"
    " or contains(@class,'breadcrumb') or contains(@class,'pagination')]"
)
_ARTICLE_EXT = re.compile(r"\.(?:html?|aspx?|php|jsp)$", re.IGNORECASE)
_STATIC_EXT = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|pptx?|zip|rar|mp[34]|css|js|xml|rss)$",
    re.IGNORECASE,
)
_NOT_ARTICLE = re.compile(
    r"/(?:tag|tags|category|chuyen-muc|danh-muc|search|tim-kiem|login|dang-nhap|lien-he|"
    r"gioi-thieu|so-do-website|sitemap|rss|video|photo)(?:[/.?]|$)",
    re.IGNORECASE,
)
_MIN_SLUG_WORDS = 4
_NEXT_TEXTS = {"next", "tiếp", "tiếp theo", "trang sau", "sau", "»", "›", ">", ">>"}


def looks_like_article(url: str) -> bool:
    """Whether ``url``'s path reads as one article rather than a section or a file."""
    path = urlsplit(url).path
    if "/-/view_content/" in path:
        return True
    if path in ("", "/") or _STATIC_EXT.search(path) or _NOT_ARTICLE.search(path):
        return False
    slug = _ARTICLE_EXT.sub("", path.rstrip("/").rsplit("/", 1)[-1])
    words = [w for w in re.split(r"[-_]", slug) if w]
    has_id = bool(re.search(r"\d{4,}", path))
    return len(words) >= _MIN_SLUG_WORDS and (has_id or bool(_ARTICLE_EXT.search(path)))


class GenericArticle(ArticlePage):
    def images(self) -> list[Image]:
        articles = self.tree.xpath("//article")
        if articles:
            return images_in(articles[0], self)
        return [
            Image(self.absolute(src))
            for src in self.tree.xpath("//meta[@property='og:image']/@content")[:1]
            if src.strip()
        ]


class GenericListing(ListingPage):
    def article_links(self) -> list[str]:
        host = _host(self.url)
        hrefs = self.tree.xpath(f"//a[@href][not({_CHROME_ANCESTOR})]/@href")
        return [
            link
            for link in self.absolute_links(hrefs)
            if _host(link) == host and link != self.url and looks_like_article(link)
        ]

    def next_page(self) -> str | None:
        links = self.absolute_links(
            self.tree.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href")
        )
        if links:
            return links[0]
        for anchor in self.tree.xpath(
            "//*[contains(@class,'pag') or contains(@id,'pag')]//a[@href]"
        ):
            text = " ".join(anchor.text_content().split()).casefold()
            if text in _NEXT_TEXTS or "next" in (anchor.get("class") or ""):
                found = self.absolute_links([anchor.get("href", "")])
                if found:
                    return found[0]
        return None


def _host(url: str) -> str:
    host = urlsplit(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host


def recognise(tree: object) -> bool:
    """Every page is generic: the last resort of detection."""
    return True


PROFILE = Profile("generic", GenericArticle, GenericListing, recognise)
