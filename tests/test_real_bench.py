"""The real-pages benchmark's copies differ in their body text, not only in markup: no copy
of a page can be skipped as one already seen (``bench/realpages.py``)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import trafilatura

from bench import realpages


@pytest.fixture
def vn_dev(shared_dir: Path) -> list[realpages.Page]:
    return realpages.corpus_pages("vn-dev", shared_dir / "corpus")


def test_every_copy_of_a_real_page_has_other_body_text(vn_dev: list[realpages.Page]) -> None:
    logging.disable(logging.WARNING)  # trafilatura logs what it discards
    try:
        for page in vn_dev[::4]:  # both CMS families of vn-dev and a newspaper's page
            body = realpages.extracted_text(page.html)
            texts = {trafilatura.extract(realpages.variant_of(page.html, n, body)) for n in (1, 2)}
            assert len(texts) == 2 and body not in texts, page.name
            # One paragraph changed, about as long: the rest of the article is the page's.
            first = next(t for t in texts if t)
            assert abs(len(first) - len(body)) < 0.1 * len(body) + 10, page.name
    finally:
        logging.disable(logging.NOTSET)


def test_the_sites_list_every_copy_in_their_sitemaps(
    vn_dev: list[realpages.Page], tmp_path: Path
) -> None:
    built = realpages.build(tmp_path, vn_dev[:2], variants=3)
    assert len(built.copies) == 6
    for site in built.sites:
        sitemap = (site.root / "sitemap.xml").read_text(encoding="utf-8")
        mine = [path for owner, path, _ in built.copies if owner == site.id]
        assert sitemap.count("<loc>") == len(mine) and all(p in sitemap for p in mine)
        assert "Sitemap: " in (site.root / "robots.txt").read_text(encoding="utf-8")
        assert "href" not in (site.root / "index.html").read_text(encoding="utf-8")
