"""``tinlaodong extract`` as a user runs it: a subprocess, JSON lines, one-line failures."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mirror.build import build_mirror
from mirror.expected import ExpectedArticle, expected_articles

ARTICLE = "chien-luoc-quy-hoach84a0.html"


def tinlaodong(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli.main", "extract", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_json_lines_for_article_and_gzipped_copy(corpus: Path, tmp_path: Path) -> None:
    gz = tmp_path / "copy.html.gz"
    gz.write_bytes(gzip.compress((corpus / ARTICLE).read_bytes()))
    done = tinlaodong("--json", corpus / ARTICLE, gz)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["source"] for line in lines] == [str(corpus / ARTICLE), str(gz)]
    first, second = lines
    assert first["title"].startswith("Hướng dẫn xây dựng Kế hoạch")
    assert first["published"] == "2012-12-21"  # the page shows a day, no time
    assert set(first) >= {"url", "text", "author", "images", "language"}
    assert second["text"] == first["text"]
    assert "Hướng" in done.stdout  # ensure_ascii=False: Vietnamese stays readable


def test_url_makes_links_absolute_and_is_reported(corpus: Path) -> None:
    url = "https://sotttt.hanoi.gov.vn/chien-luoc-quy-hoach/-/view_content/708168-huong-dan.html"
    done = tinlaodong("--json", "--url", url, corpus / ARTICLE)
    assert json.loads(done.stdout)["url"] == url


def test_failures_are_one_line_each_and_the_rest_goes_on(corpus: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    done = tinlaodong("--json", missing, corpus / "cong-nghe-thong-tin.html", corpus / ARTICLE)
    assert done.returncode == 1
    errors = done.stderr.splitlines()
    assert errors == [
        f"tinlaodong extract: {missing}: no such file",
        f"tinlaodong extract: {corpus / 'cong-nghe-thong-tin.html'}: "
        "a Liferay listing page, not an article",
    ]
    assert len(done.stdout.splitlines()) == 1


def test_nothing_read_exits_2_without_traceback(tmp_path: Path) -> None:
    done = tinlaodong(tmp_path / "missing.html")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1


def test_directory_means_its_pages_in_order(tmp_path: Path) -> None:
    body = "".join(
        f"<p>Đoạn văn thứ {i} của bài viết về chính sách lao động.</p>" for i in range(5)
    )
    for name in ("b.htm", "a.html", "notes.txt"):
        (tmp_path / name).write_text(
            f"<html><body><article><h1>Bài {name}</h1>{body}</article></body></html>",
            encoding="utf-8",
        )
    done = tinlaodong(tmp_path)
    assert done.returncode == 0, done.stderr
    summaries = [line for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert summaries == [f"{tmp_path / 'a.html'}: Bài a.html", f"{tmp_path / 'b.htm'}: Bài b.htm"]


def test_the_human_line_shows_a_date_only_date_without_a_time(corpus: Path) -> None:
    done = tinlaodong(corpus / ARTICLE)
    assert done.returncode == 0, done.stderr
    assert "  2012-12-21 | " in done.stdout and "T00:00" not in done.stdout


@pytest.fixture(scope="module")
def mirror_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each mirror site's folder, by site id."""
    return {site.id: site.root for site in build_mirror(tmp_path_factory.mktemp("mirror"), None)}


def liferay_articles_with_a_lead() -> list[ExpectedArticle]:
    # Liferay 6.2 pages are one file at their URL's path (others are folders or queries).
    found = [a for a in expected_articles(None) if a.lead and "/view_content/" in a.path]
    assert found, "the mirror has no Liferay article with a lead"
    return found


def test_a_mirror_page_with_a_lead_gives_it_in_json_and_opening_the_text_once(
    mirror_pages: dict[str, Path],
) -> None:
    for article in liferay_articles_with_a_lead():
        page = mirror_pages[article.site_id] / article.path.lstrip("/")
        done = tinlaodong("--json", page)
        assert done.returncode == 0, done.stderr
        found = json.loads(done.stdout)
        assert found["lead"] == article.lead
        assert found["text"].startswith(article.lead + "\n\n")
        assert found["text"].count(article.lead) == 1
        assert found["published"] == article.published.isoformat()  # a time: kept whole
        human = tinlaodong(page).stdout
        assert f"  lead: {article.lead[:40]}" in human
