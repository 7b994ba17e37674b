"""Incremental re-crawls: only what is new is fetched; pagination stops at known stories."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tests.helpers import FAST, redirecting_site, static_site, tinlaodong, write_registry

TOPICS = [
    "hoi-nghi-tong-ket-cong-tac-giam-ngheo",
    "trao-qua-cho-nguoi-co-cong-dip-le",
    "khai-giang-lop-day-nghe-cho-lao-dong-nong-thon",
    "tuyen-dung-lao-dong-di-lam-viec-tai-han-quoc",
    "kiem-tra-an-toan-lao-dong-tai-cong-trinh",
    "chi-tra-tro-cap-xa-hoi-thang-moi",
    "phat-dong-thang-hanh-dong-vi-tre-em",
]


def article_html(n: int, slug: str) -> str:
    words = slug.replace("-", " ")
    paragraphs = "".join(
        f"<p>Đoạn {i} của bài số {n}: Sở đã triển khai nội dung về {words} tới các xã, phường "
        f"trên địa bàn tỉnh, bảo đảm đúng đối tượng, công khai và minh bạch trong năm nay.</p>"
        for i in range(1, 5)
    )
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài {n}: {words}'
        f"</title></head><body><nav><a href='/'>Trang chủ</a></nav><article><h1>Bài {n}: "
        f"{words}</h1>{paragraphs}</article></body></html>"
    )


def path_of(n: int) -> str:
    return f"/tin-tuc/{TOPICS[n]}-{1000 + n}.html"


def listing(numbers: list[int], next_page: str | None) -> str:
    items = "".join(f'<li><a href="{path_of(n)}">Bài {n}</a></li>' for n in numbers)
    more = f'<a rel="next" href="{next_page}">Trang sau</a>' if next_page else ""
    return f'<html><body><ul class="news">{items}</ul>{more}</body></html>'


def publish(root: Path, first_page: list[int], second_page: list[int]) -> None:
    (root / "tin-tuc").mkdir(parents=True, exist_ok=True)
    for n in first_page + second_page:
        (root / path_of(n).lstrip("/")).write_text(article_html(n, TOPICS[n]), encoding="utf-8")
    (root / "index.html").write_text(listing(first_page, "/trang-2.html"), encoding="utf-8")
    (root / "trang-2.html").write_text(listing(second_page, None), encoding="utf-8")
    # Last-Modified has one-second granularity: make the change visible to a conditional GET.
    stamp = time.time() + 5
    os.utime(root / "index.html", (stamp, stamp))


def crawl(registry: Path, data: Path) -> dict[str, object]:
    result = tinlaodong("crawl", "--sites", str(registry), "--data-dir", str(data), "--json", *FAST)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.splitlines()[0]))


def test_recrawl_fetches_only_new_articles_and_stops_paginating(tmp_path: Path) -> None:
    root, data = tmp_path / "www", tmp_path / "data"
    publish(root, [4, 3, 2], [1, 0])
    with static_site(root) as (base, requests):
        registry = write_registry(
            tmp_path / "sites.yaml",
            [
                {
                    "id": "lai-chau",
                    "name": "Sở Nội vụ tỉnh Lai Châu",
                    "province": "Lai Châu",
                    "start_urls": [base + "/"],
                    "allow_private_network": True,
                }
            ],
        )
        first = crawl(registry, data)
        assert first["new_stories"] == 5
        assert "/trang-2.html" in requests

        # Two new stories at the top of the listing; the older ones move to page 2.
        publish(root, [6, 5, 4], [3, 2, 1, 0])
        seen = len(requests)
        second = crawl(registry, data)
        again = requests[seen:]
        assert second["new_stories"] == 2
        assert set(again) & {path_of(n) for n in range(5)} == set(), "stored pages refetched"
        assert {path_of(5), path_of(6)} <= set(again)
        assert "/trang-2.html" not in again, "paginated past stories already stored"

        # Nothing changed: the listing answers 304 and nothing else is fetched.
        seen = len(requests)
        third = crawl(registry, data)
        assert third["new_stories"] == 0 and third["not_modified"] == 1
        assert [p for p in requests[seen:] if p.startswith("/tin-tuc/")] == []


def test_a_site_that_moved_is_followed_and_the_move_reported(tmp_path: Path) -> None:
    root, data = tmp_path / "www", tmp_path / "data"
    publish(root, [1, 0], [])
    with static_site(root) as (new_base, _), redirecting_site(new_base) as old_base:
        registry = write_registry(
            tmp_path / "sites.yaml",
            [
                {
                    "id": "ldtbxh-cu",
                    "name": "Sở LĐ-TB&XH (cũ)",
                    "province": "Lai Châu",
                    "start_urls": [old_base + "/"],
                    "allow_private_network": True,
                }
            ],
        )
        result = tinlaodong(
            "crawl", "--sites", str(registry), "--data-dir", str(data), "--json", *FAST
        )
    report = json.loads(result.stdout.splitlines()[0])
    assert report["new_stories"] == 2
    assert report["redirected_to"] == new_base + "/"
    assert f"ldtbxh-cu: moved: {old_base}/ now redirects to {new_base}/" in result.stderr


def test_a_site_crawled_within_its_crawl_every_is_not_crawled_again(tmp_path: Path) -> None:
    root, data = tmp_path / "www", tmp_path / "data"
    publish(root, [1, 0], [])
    with static_site(root) as (base, requests):
        registry = write_registry(
            tmp_path / "sites.yaml",
            [
                {
                    "id": "lai-chau",
                    "name": "Sở Nội vụ tỉnh Lai Châu",
                    "province": "Lai Châu",
                    "start_urls": [base + "/"],
                    "allow_private_network": True,
                    "crawl_every": "6h",
                }
            ],
        )
        first = tinlaodong("crawl", "--sites", str(registry), "--data-dir", str(data))
        assert first.returncode == 0 and "lai-chau" in first.stdout
        seen = len(requests)
        second = tinlaodong("crawl", "--sites", str(registry), "--data-dir", str(data))
        assert second.returncode == 0
        assert "no site is due" in second.stdout
        assert len(requests) == seen, "a site not due was contacted"
