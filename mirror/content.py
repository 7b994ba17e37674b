"""Loads the mirror's own articles (content/*.yaml) and the user's seed articles."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from aggregator import yamlfile
from mirror.model import Article, BrokenLink, Image, parse_local_time, slugify
from mirror.seeds import load_seed_articles

CONTENT_DIR = Path(str(resources.files("mirror"))) / "content"
IMAGES_DIR = CONTENT_DIR / "images"


def load_articles(seeds_dir: Path | None) -> list[Article]:
    """Every article of every site: the YAML ones, then the seeds found in ``seeds_dir``."""
    articles = [_article(site, raw) for site, raw in _entries("articles")]
    articles = [_resolve_republished(a, articles) for a in articles]
    return articles + load_seed_articles(seeds_dir)


def load_broken_links() -> list[BrokenLink]:
    return [
        BrokenLink(
            site_id=site,
            id=int(raw["id"]),
            slug=raw.get("slug") or slugify(raw["headline"]),
            headline=raw["headline"],
            published=parse_local_time(raw["published"]),
            status=int(raw["status"]),
            category=raw.get("category", "tin-tuc-su-kien"),
        )
        for site, raw in _entries("broken")
    ]


def _entries(key: str) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(CONTENT_DIR.glob("*.yaml")):
        data = yamlfile.read(path)
        assert isinstance(data, dict), f"{path}: expected a mapping"
        found.extend((data["site"], raw) for raw in data.get(key) or [])
    return found


def _article(site: str, raw: dict[str, Any]) -> Article:
    republished = raw.get("republishes")
    return Article(
        site_id=site,
        id=int(raw["id"]),
        slug=raw.get("slug") or slugify(raw["headline"]),
        headline=raw["headline"],
        published=parse_local_time(raw["published"]),
        paragraphs=tuple(raw.get("paragraphs") or ()),
        author=raw["author"],
        lead=raw.get("lead"),
        images=tuple(
            Image(src=i["src"], caption=i["caption"], after=int(i["after"]))
            for i in raw.get("images") or ()
        ),
        category=raw.get("category", "tin-tuc-su-kien"),
        nfd=bool(raw.get("nfd", False)),
        signed_by_unit=bool(raw.get("signed_by_unit", False)),
        republishes=(republished["site"], int(republished["id"])) if republished else None,
    )


def _resolve_republished(article: Article, articles: list[Article]) -> Article:
    """A republished article takes its body from the original, so the two stay verbatim."""
    if article.republishes is None:
        return article
    site, article_id = article.republishes
    original = next(a for a in articles if (a.site_id, a.id) == (site, article_id))
    return replace(article, paragraphs=original.paragraphs, images=original.images)
