"""Dead sites, refused addresses and broken pages: one clear line each, the rest goes on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser

from feeds.model import FeedEntry, FeedSource, FeedSpec
from feeds.writer import write_feeds
from tests.helpers import FAST, closed_port, static_site, tinlaodong, write_registry

ARTICLE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Hội nghị tổng kết công tác lao động năm 2024</title></head><body>
<nav><a href="/">Trang chủ</a></nav>
<article><h1>Hội nghị tổng kết công tác lao động năm 2024</h1>
<p>Ngày 12/01/2025, Sở tổ chức hội nghị tổng kết công tác lao động, người có công và xã hội
năm 2024 với sự tham dự của đại diện các phòng, ban và đơn vị trực thuộc trên địa bàn tỉnh.</p>
<p>Năm 2024, toàn tỉnh đã giải quyết việc làm cho hơn mười nghìn lao động, vượt kế hoạch đề ra;
tỷ lệ hộ nghèo giảm còn dưới ba phần trăm; các chế độ chính sách được chi trả đầy đủ, kịp thời.</p>
<p>Hội nghị cũng đề ra nhiệm vụ trọng tâm năm 2025, trong đó chú trọng đào tạo nghề gắn với
nhu cầu của doanh nghiệp và hỗ trợ người lao động tìm việc làm ổn định.</p>
</article></body></html>"""


def small_site(root: Path) -> Path:
    (root / "tin-tuc").mkdir(parents=True)
    (root / "index.html").write_text(
        '<html><body><a href="/tin-tuc/hoi-nghi-tong-ket-cong-tac-lao-dong-2024-1234.html">'
        "Hội nghị tổng kết</a></body></html>",
        encoding="utf-8",
    )
    (root / "tin-tuc" / "hoi-nghi-tong-ket-cong-tac-lao-dong-2024-1234.html").write_text(
        ARTICLE, encoding="utf-8"
    )
    return root


def site(site_id: str, url: str, private: bool = True) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": site_id,
        "name": f"Site {site_id}",
        "province": "Lai Châu",
        "start_urls": [url],
    }
    if private:
        entry["allow_private_network"] = True
    return entry


def test_every_site_dead_gives_one_line_each_and_exits_non_zero(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/"
    registry = write_registry(tmp_path / "sites.yaml", [site("dead-one", dead)])
    result = tinlaodong("crawl", "--sites", str(registry), "--data-dir", str(tmp_path / "d"), *FAST)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "dead-one" in line]
    assert len(lines) == 1 and "unreachable" in lines[0] and dead in lines[0]
    assert "unreachable" in result.stdout
    # The feeds still exist (empty): a reader polling them gets a valid feed.
    assert (tmp_path / "d" / "feeds" / "all.rss.xml").exists()


def test_one_dead_site_does_not_stop_the_others(tmp_path: Path) -> None:
    with static_site(small_site(tmp_path / "www")) as (base, _requests):
        registry = write_registry(
            tmp_path / "sites.yaml",
            [site("dead-one", f"http://127.0.0.1:{closed_port()}/"), site("alive", base + "/")],
        )
        result = tinlaodong(
            "crawl", "--sites", str(registry), "--data-dir", str(tmp_path / "d"), "--json", *FAST
        )
    assert result.returncode == 0, result.stderr
    assert '"site": "alive"' in result.stdout and '"new_stories": 1' in result.stdout
    assert '"unreachable": true' in result.stdout  # the dead one, reported as such


def test_loopback_is_refused_to_a_site_not_allowed_private_network(tmp_path: Path) -> None:
    with static_site(small_site(tmp_path / "www")) as (base, requests):
        registry = write_registry(tmp_path / "sites.yaml", [site("sneaky", base + "/", False)])
        result = tinlaodong(
            "crawl", "--sites", str(registry), "--data-dir", str(tmp_path / "d"), *FAST
        )
    assert requests == [], "a refused site must not be contacted at all"
    assert result.returncode == 1
    assert "private or loopback" in result.stderr and "sneaky" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unusable_data_dir_is_one_line_before_any_crawling(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = tinlaodong("crawl", "--site", "baodansinh", "--data-dir", str(blocker / "data"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and str(blocker / "data") in result.stderr


def test_a_title_of_control_characters_only_does_not_fail_the_feeds(tmp_path: Path) -> None:
    """feedgen refuses an entry without a title: the link stands in for a title that is
    nothing but XML-invalid characters, and the other entries of the feed are published."""
    when = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)

    def entry(n: int, title: str) -> FeedEntry:
        url = f"https://sldtbxh.laichau.gov.vn/tin-tuc/bai-{n}.html"
        return FeedEntry(
            guid=f"tag:tinlaodong,2024:story/{n:032x}", title=title, link=url,
            text=f"Nội dung bài {n}.", published=when + timedelta(hours=n), updated=when,
            author=None, sources=(FeedSource("laichau", "Sở LĐ-TB&XH Lai Châu", url),),
        )  # fmt: skip

    spec = FeedSpec(
        slug="all", title="t", description="d", link="https://tin.example/",
        entries=(entry(1, "\x01\x02\x0b\x1f"), entry(2, "Tin thường")),
    )  # fmt: skip
    write_feeds(tmp_path, [spec])
    for name in ("all.rss.xml", "all.atom.xml"):
        parsed = feedparser.parse((tmp_path / name).read_bytes())
        assert not parsed.bozo, name
        titles = [e.title for e in parsed.entries]
        assert titles == ["Tin thường", "https://sldtbxh.laichau.gov.vn/tin-tuc/bai-1.html"]
