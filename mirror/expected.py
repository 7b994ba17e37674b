"""What the mirror publishes, for end-to-end tests to check a crawl's store against.

Built from the same content and URL schemes as the pages themselves, so tests need not
hard-code headlines or URLs. Texts are NFC and stripped of surrounding whitespace; the NFD
article's pages are decomposed, its expected texts are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mirror.content import load_articles, load_broken_links
from mirror.model import Article
from mirror.sites import spec_for
from mirror.urls import article_path, liferay_article


@dataclass(frozen=True)
class ExpectedArticle:
    site_id: str
    article_id: int
    path: str  # root-relative URL of the article page on its site
    headline: str
    published: datetime  # aware, +07:00
    author: str | None  # the person credited; None when a unit signs
    signature: str  # the closing line that signs the page
    lead: str | None
    paragraphs: tuple[str, ...]  # body paragraphs, lead, captions and author excluded
    captions: tuple[str, ...]
    seed: bool  # built from the user's seed dumps
    nfd: bool  # served in Unicode NFD
    # Same value on both members of a verbatim republication pair ("<site id>/<article id>" of
    # the original); None for every other article.
    duplicate_group: str | None

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path


@dataclass(frozen=True)
class ExpectedBroken:
    site_id: str
    path: str
    status: int  # what the server answers: 500 or 404


def expected_articles(seeds_dir: Path | None) -> list[ExpectedArticle]:
    """Every article page the mirror built with these seeds, in no particular order."""
    articles = load_articles(seeds_dir)
    republished = {a.republishes for a in articles if a.republishes}
    return [_expected(a, republished) for a in articles]


def expected_broken() -> list[ExpectedBroken]:
    return [ExpectedBroken(b.site_id, liferay_article(b), b.status) for b in load_broken_links()]


def duplicate_pair(articles: list[ExpectedArticle]) -> tuple[ExpectedArticle, ExpectedArticle]:
    """(original, republication) of the mirror's one verbatim duplicate."""
    members = sorted(
        (a for a in articles if a.duplicate_group),
        key=lambda a: f"{a.site_id}/{a.article_id}" != a.duplicate_group,
    )
    if len(members) != 2:
        raise LookupError(f"expected one duplicate pair, found {len(members)} members")
    return members[0], members[1]


def _expected(article: Article, republished: set[tuple[str, int]]) -> ExpectedArticle:
    if article.republishes:
        group: str | None = "/".join(map(str, article.republishes))
    elif (article.site_id, article.id) in republished:
        group = f"{article.site_id}/{article.id}"
    else:
        group = None
    return ExpectedArticle(
        site_id=article.site_id,
        article_id=article.id,
        path=article_path(spec_for(article.site_id).profile, article),
        headline=article.headline,
        published=article.published,
        author=None if article.signed_by_unit else article.author,
        signature=article.author,
        lead=article.lead,
        paragraphs=article.paragraphs,
        captions=tuple(i.caption for i in article.images),
        seed=article.seed,
        nfd=article.nfd,
        duplicate_group=group,
    )
