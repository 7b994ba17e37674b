"""``tinlaodong try``: the evidence a profile is written against, for a URL or a saved file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mirror.build import build_mirror
from mirror.expected import expected_articles
from mirror.server import MirrorServer
from mirror.urls import LIFERAY_LISTING
from tests.helpers import tinlaodong


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MirrorServer]:
    with MirrorServer(build_mirror(tmp_path_factory.mktemp("mirror"), None)) as server:
        yield server


def try_json(*args: str) -> dict[str, object]:
    result = tinlaodong("try", *args, "--json")
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_a_listing_url_shows_its_article_links_and_next_page(mirror: MirrorServer) -> None:
    base = mirror.base_url("mirror-quangtri")
    found = try_json(base + LIFERAY_LISTING)
    assert found["profile"] == "liferay" and found["profile_from"] == "recognised from the markup"
    ours = {a.url(base) for a in expected_articles(None) if a.site_id == "mirror-quangtri"}
    links = set(found["article_links"])  # type: ignore[arg-type]
    assert links and links <= ours | {u for u in links if "1850598" in u or "1850599" in u}
    assert str(found["next_page"]).startswith(base + LIFERAY_LISTING)


def test_an_article_url_shows_the_extracted_fields(mirror: MirrorServer) -> None:
    article = next(a for a in expected_articles(None) if a.site_id == "mirror-baodansinh")
    found = try_json(article.url(mirror.base_url("mirror-baodansinh")))
    fields = found["article"]
    assert isinstance(fields, dict)
    assert fields["title"] == article.headline and fields["author"] == article.author


def test_an_article_with_a_lead_shows_it(mirror: MirrorServer) -> None:
    article = next(a for a in expected_articles(None) if a.lead and "/view_content/" in a.path)
    url = article.url(mirror.base_url(article.site_id))
    fields = try_json(url)["article"]
    assert isinstance(fields, dict) and fields["lead"] == article.lead
    shown = tinlaodong("try", url).stdout
    assert f"    lead: {article.lead}" in shown


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    result = tinlaodong("try", str(tmp_path / "nope.html"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"tinlaodong try: error: {tmp_path / 'nope.html'}: no such file "
        "(give a saved page or an http(s) URL)"
    ]
