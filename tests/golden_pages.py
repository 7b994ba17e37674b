"""Golden pages: a saved page, its expected fields as JSON, reviewed by a person.

Each ``tests/golden/<case>.json`` names its page and holds what extraction must give for it.
The pages are read at test time from ``../shared`` (never copied into the repository): real
saved portal pages from the corpus, and the mirror's rendering of the user's two seed
articles. A "mirror-article" case is the mirror's rendering of one of its own articles
(``mirror/content/*.yaml``), which needs nothing from ``../shared``. To regenerate the
expected fields after a deliberate change, run

    .venv/bin/python -m tests.golden_pages

and review the diff of ``tests/golden/`` before committing it. Long texts are pinned by their
first and last words, length and hash rather than copied whole.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from aggregator.extraction import extract_article
from aggregator.models import Article

GOLDEN_DIR = Path(__file__).with_name("golden")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EDGE = 60  # characters of the text's start and end pinned verbatim


def cases() -> list[Path]:
    return sorted(GOLDEN_DIR.glob("*.json"))


def load_page(spec: dict[str, Any], workdir: Path) -> bytes:
    """The page a case names; raises FileNotFoundError when ../shared is absent."""
    if spec["kind"] == "corpus":
        return (SHARED / "corpus" / spec["path"]).read_bytes()
    if spec["kind"] == "mirror-seed":
        seeds = SHARED / "seeds"
        if not seeds.is_dir():
            raise FileNotFoundError(seeds)
        return _mirror_page(spec["site"], spec["article_id"], workdir, seeds)
    if spec["kind"] == "mirror-article":
        return _mirror_page(spec["site"], spec["article_id"], workdir, None)
    raise ValueError(f"unknown page kind {spec['kind']!r}")


def _mirror_page(site_id: str, article_id: int, workdir: Path, seeds: Path | None) -> bytes:
    """The page the mirror builds for one article (seed articles only with ``seeds``)."""
    from mirror.build import build_mirror
    from mirror.expected import expected_articles
    from mirror.paths import file_for_url

    sites = {s.id: s for s in build_mirror(workdir, seeds)}
    (article,) = [
        a for a in expected_articles(seeds) if (a.site_id, a.article_id) == (site_id, article_id)
    ]
    return (sites[site_id].root / file_for_url(article.path)).read_bytes()


def fields(article: Article) -> dict[str, Any]:
    """The fields a golden file pins."""
    text = article.text
    return {
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "author": article.author,
        "language": article.language,
        "images": [{"src": i.src, "caption": i.caption} for i in article.images],
        "paragraphs": len([p for p in text.split("\n\n") if p.strip()]),
        "text_chars": len(text),
        "text_start": text[:EDGE],
        "text_end": text[-EDGE:],
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }


def extract_case(case: dict[str, Any], workdir: Path) -> Article:
    page = load_page(case["page"], workdir)
    return extract_article(page, url=case.get("url"))


def regenerate() -> int:
    for path in cases():
        case = json.loads(path.read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory() as workdir:
            case["expected"] = fields(extract_case(case, Path(workdir)))
        path.write_text(json.dumps(case, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(regenerate())
