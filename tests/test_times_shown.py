"""Times a user reads are Vietnam's, labelled "+07:00" (text) or ISO 8601 with "+07:00" (JSON),
and ``--since`` is the publication date in every command that has it (issue 20, item 7).

A story published at 23:30 UTC is published the next morning in Vietnam: each output must say
so. The real ``tinlaodong`` in a subprocess, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.alerts.messages import Period, digest_message, health_message, story_message
from aggregator.dates import local_midnight
from aggregator.models import Article
from aggregator.registry import load_registry
from aggregator.site_index import SiteIndex
from aggregator.store import CrawlRecord, open_store
from tests.backends import backend
from tests.helpers import tinlaodong

__all__ = ["backend"]  # every case runs on SQLite, then on PostgreSQL

SITE = "hanoi-sldtbxh"  # a site of the built-in registry
LATE = datetime(2025, 3, 10, 23, 30, tzinfo=UTC)  # 11/03/2025 06:30 in Vietnam
LABEL = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d \+07:00")


BODIES = {
    "Tin khuya": "Ca đêm ở khu công nghiệp Thăng Long: người lao động nhận thêm phụ cấp.",
    "Tin ngày": "Hội chợ việc làm tháng bảy tuyển hai nghìn lao động cho các nhà máy may.",
    "Tin mới": "Quỹ bảo hiểm thất nghiệp chi trả cho lao động mất việc ở Sóc Sơn và Đông Anh.",
    "Tin cũ": "Lớp dạy nghề điện dân dụng cho lao động nông thôn khai giảng ở Ba Vì.",
}


def _article(title: str, published: datetime | None, date_only: bool = False) -> Article:
    text = f"{BODIES[title]} Mã tin {sum(map(ord, title)) * 7919}."
    return Article(url=None, title=title, text=text, published=published, date_only=date_only)


@pytest.fixture
def data_dir(tmp_path: Path, backend: str) -> Path:
    """Stories all first seen now: one published late at night UTC long ago, one on a day
    without a time long ago, one yesterday; a story first seen ten days ago; a crawl record
    finished at the late time."""
    now = datetime.now(UTC)
    store = open_store(tmp_path)
    try:
        store.add_article(SITE, "https://x.vn/khuya", _article("Tin khuya", LATE))
        day = local_midnight(date(2024, 7, 24))
        store.add_article(SITE, "https://x.vn/ngay", _article("Tin ngày", day, date_only=True))
        yesterday = now - timedelta(days=1)
        store.add_article(SITE, "https://x.vn/moi", _article("Tin mới", yesterday))
        ten_days = now - timedelta(days=10)
        store.add_article(SITE, "https://x.vn/cu", _article("Tin cũ", ten_days), now=ten_days)
        store.record_crawl([CrawlRecord(SITE, LATE, LATE, 1, 1, 0, 0, False)])
    finally:
        store.close()
    return tmp_path


def run(data_dir: Path, *args: str) -> str:
    result = tinlaodong(*args, "--data-dir", str(data_dir), timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


# -- one zone, labelled


def test_stories_shows_local_times_labelled(data_dir: Path) -> None:
    text = run(data_dir, "stories")
    assert "11/03/2025 06:30 +07:00  Tin khuya" in text  # the next day, local
    assert re.search(r"^24/07/2024  Tin ngày", text, re.M)  # a day alone: no time invented
    assert "2025-03-10" not in text and "10/03/2025" not in text
    by_title = {s["title"]: s for s in json_lines(run(data_dir, "stories", "--json"))}
    late = by_title["Tin khuya"]
    assert late["published"] == "2025-03-11T06:30:00+07:00"
    assert late["sources"][0]["published"] == "2025-03-11T06:30:00+07:00"  # type: ignore[index]
    assert str(late["first_seen"]).endswith("+07:00")
    assert by_title["Tin ngày"]["published"] == "2024-07-24"


def test_search_shows_local_times_labelled(data_dir: Path) -> None:
    text = run(data_dir, "search", "khuya")
    assert text.startswith("11/03/2025 06:30 +07:00  Tin khuya"), text
    (hit,) = json_lines(run(data_dir, "search", "khuya", "--json"))
    assert hit["published"] == "2025-03-11T06:30:00+07:00"


def test_sites_shows_the_last_crawl_local_and_labelled(data_dir: Path) -> None:
    line = next(ln for ln in run(data_dir, "sites").splitlines() if ln.startswith(SITE))
    assert "crawled 11/03/2025 06:30 +07:00" in line, line
    row = next(r for r in json_lines(run(data_dir, "sites", "--json")) if r["id"] == SITE)
    assert row["last_crawl"] == "2025-03-11T06:30:00+07:00"
    assert str(row["last_new_story"]).endswith("+07:00")


def test_alert_messages_show_local_times_labelled(data_dir: Path) -> None:
    store = open_store(data_dir)
    try:
        stories = {s.title: s for s in store.stories()}
    finally:
        store.close()
    index = SiteIndex(load_registry(None).sites)
    message = story_message("r", "k", stories["Tin khuya"], index)
    assert message.body.splitlines()[1].endswith("11/03/2025 06:30 +07:00")
    assert message.fields["story"]["published"] == "2025-03-11T06:30:00+07:00"
    dated = story_message("r", "k", stories["Tin ngày"], index)
    assert dated.body.splitlines()[1].endswith("24/07/2024")
    period = Period.of("hourly", LATE.replace(tzinfo=None))
    digest = digest_message("r", "k", period, [("k1", stories["Tin khuya"])], index)
    assert digest.title.endswith("(11/03/2025 06:00–07:00 +07:00)")
    assert digest.fields["period"]["start"] == "2025-03-11T06:00:00+07:00"
    # The outbox keeps a site's "since" as naive UTC: shown, it is local and labelled.
    details = {"site_id": SITE, "reason": "no pages", "since": "2025-03-10T23:30:00"}
    health = health_message("r", "k", "unhealthy", details, index)
    assert "unhealthy since 11/03/2025 06:30 +07:00" in health.body
    assert health.fields["since"] == "2025-03-11T06:30:00+07:00"


# -- --since: the publication date, in every command that has it


def test_stories_since_is_the_publication_date(data_dir: Path) -> None:
    titles = [s["title"] for s in json_lines(run(data_dir, "stories", "--since", "7d", "--json"))]
    # Tin khuya and Tin ngày were first seen now, published long ago: not since 7d.
    assert titles == ["Tin mới"]
    since_2025 = json_lines(run(data_dir, "stories", "--since", "2025-01-01", "--json"))
    assert {s["title"] for s in since_2025} == {"Tin mới", "Tin cũ", "Tin khuya"}


def test_stories_since_counts_what_it_cuts(data_dir: Path) -> None:
    result = tinlaodong(
        "stories", "--data-dir", str(data_dir), "--since", "2025-01-01", "--limit", "2"
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "2 of 3 stories; --limit N for more"


def test_search_since_is_the_publication_date(data_dir: Path) -> None:
    hits = json_lines(run(data_dir, "search", "lao dong", "--since", "7d", "--json"))
    assert [h["title"] for h in hits] == ["Tin mới"]


def rules(data_dir: Path) -> Path:
    path = data_dir / "watch.yaml"
    path.write_text(
        "rules:\n  - id: lao-dong\n    query: 'lao dong'\n    notify: ['json://127.0.0.1:9/']\n",
        encoding="utf-8",
    )
    return path


def tried(data_dir: Path, *args: str) -> set[str]:
    (row,) = json_lines(run(data_dir, "alerts", "test", str(rules(data_dir)), "--json", *args))
    return {str(s["title"]) for s in row["stories"]}  # type: ignore[attr-defined]


def test_alerts_test_since_is_the_publication_date(data_dir: Path) -> None:
    assert tried(data_dir, "--since", "7d") == {"Tin mới"}
    assert tried(data_dir, "--since", "2025-01-01") == {"Tin mới", "Tin cũ", "Tin khuya"}


def test_alerts_test_seen_within_is_when_a_crawl_stored_it(data_dir: Path) -> None:
    first_seen_now = {"Tin mới", "Tin ngày", "Tin khuya"}
    assert tried(data_dir) == first_seen_now  # 7d by default
    assert tried(data_dir, "--seen-within", "7d") == first_seen_now
    assert tried(data_dir, "--seen-within", "14d") == first_seen_now | {"Tin cũ"}
    # Both: stored within 7 days and published within 7 days.
    assert tried(data_dir, "--seen-within", "7d", "--since", "7d") == {"Tin mới"}
    text = run(data_dir, "alerts", "test", str(rules(data_dir)), "--since", "2025-01-01")
    assert "3 of 3 stories published since 01/01/2025 00:00 +07:00" in text, text
    assert LABEL.search(text.splitlines()[1]), text


def test_since_takes_a_date_or_an_age_and_says_so(data_dir: Path) -> None:
    result = tinlaodong("stories", "--data-dir", str(data_dir), "--since", "last week")
    assert result.returncode == 2
    assert "not a date (2025-07-01) or an age (7d, 12h): 'last week'" in result.stderr


# -- a mistyped --site


@pytest.mark.parametrize(
    "command", [["stories"], ["search", "lao", "dong"]], ids=["stories", "search"]
)
def test_a_mistyped_site_is_an_error_with_the_nearest(data_dir: Path, command: list[str]) -> None:
    result = tinlaodong(*command, "--data-dir", str(data_dir), "--site", "hanoi-sldtxh")
    assert result.returncode == 2, result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert "no site with id 'hanoi-sldtxh'; did you mean hanoi-sldtbxh" in line, line
    assert result.stdout == ""


def test_search_site_is_the_stories_of_that_site(data_dir: Path) -> None:
    hits = json_lines(run(data_dir, "search", "lao dong", "--site", SITE, "--json"))
    assert len(hits) == 4 and all(h["sites"] == [SITE] for h in hits)
    result = tinlaodong("search", "lao dong", "--site", "molisa", "--data-dir", str(data_dir))
    assert result.returncode == 0 and result.stdout == "", result.stdout
    assert "no stories found" in result.stderr


# -- feeds build without a public address


def feeds_build(data_dir: Path, *args: str) -> str:
    out = data_dir / "site"
    result = tinlaodong("feeds", "build", "--data-dir", str(data_dir), "--out", str(out), *args)
    assert result.returncode == 0, result.stderr
    assert (out / "all.atom.xml").exists()
    return result.stderr


def test_feeds_build_without_an_address_warns_of_the_stand_in(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TINLAODONG_PUBLIC_URL", raising=False)
    (line,) = feeds_build(data_dir).strip().splitlines()
    assert line.startswith("tinlaodong feeds build: warning: "), line
    assert "http://tinlaodong.invalid/" in line and "which tinlaodong serve replaces" in line
    assert "`" not in line, "plain sentences"
    assert "--base-url URL" in line
    assert feeds_build(data_dir, "--base-url", "https://cdn.example/tin/") == ""
    monkeypatch.setenv("TINLAODONG_PUBLIC_URL", "https://tin.example/")
    assert feeds_build(data_dir) == ""
