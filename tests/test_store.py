"""The store: one story per body, one source per URL, nothing twice on a re-crawl."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aggregator.models import Article, Image
from aggregator.store import AddResult, open_store
from tests.backends import backend, sqlite_only

__all__ = ["backend"]  # the fixture, used by every test here
pytestmark = pytest.mark.usefixtures("backend")

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def article(text: str, title: str = "Hội chợ việc làm") -> Article:
    return Article(
        url=None,
        title=title,
        text=text,
        published=datetime(2024, 7, 24, 12, 55, tzinfo=HCM),
        author="ĐÔNG HẢI",
        images=[Image("http://x/a.jpg", "Ảnh")],
        language="vi",
        profile="liferay",
    )


def test_same_url_twice_is_stored_once_even_with_tracking_parameters(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    body = "Đoạn một.\n\nĐoạn hai."
    assert store.add_article("a", "http://a.vn/tin/1.html", article(body)) is AddResult.NEW_STORY
    again = store.add_article("a", "http://A.vn/tin/1.html?utm_source=fb#x", article(body))
    assert again is AddResult.KNOWN_URL
    assert store.count() == (1, 1)


def test_exact_copy_on_another_site_is_another_source_of_the_same_story(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.add_article("dept", "http://dept.vn/1.html", article("Thông cáo báo chí.\n\nNội dung."))
    result = store.add_article(
        "press", "http://press.vn/2.htm", article("Thông cáo  báo chí. Nội dung.", "Tít khác")
    )
    assert result is AddResult.NEW_SOURCE
    (story,) = store.stories()
    assert [s.site_id for s in story.sources] == ["dept", "press"]
    assert story.title == "Hội chợ việc làm"  # the first publisher's headline
    assert store.stories(site_ids=["press"])[0].id == story.id


@sqlite_only
def test_dates_come_back_in_vietnam_time_and_the_file_is_wal_sqlite(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.add_article("a", "http://a.vn/1", article("Nội dung"))
    (story,) = store.stories()
    assert story.published == datetime(2024, 7, 24, 12, 55, tzinfo=HCM)
    assert story.published is not None and story.published.utcoffset().total_seconds() == 7 * 3600
    with store.engine.connect() as conn:  # the store's writes sync at checkpoints, rarely
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000
    store.close()
    with sqlite3.connect(tmp_path / "tinlaodong.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_lead_and_date_only_are_the_canonical_articles(tmp_path: Path) -> None:
    """A copy's lead and date-only date are its own; the story shows the canonical article's,
    and a new canonical article brings its own (here: no lead, a time of day)."""
    store = open_store(tmp_path)
    body = "Sapo của báo.\n\nNội dung chính."
    copy = article(body)
    copy.published, copy.date_only, copy.lead = (
        datetime(2024, 7, 25, tzinfo=HCM),
        True,
        "Sapo của báo.",
    )
    store.add_article("press", "http://press.vn/2", copy)
    (story,) = store.stories()
    assert (story.lead, story.date_only) == ("Sapo của báo.", True)
    assert story.published == datetime(2024, 7, 25, tzinfo=HCM)

    store.add_article("dept", "http://dept.vn/1", article(body))  # published a day earlier
    (story,) = store.stories()
    assert [(s.site_id, s.date_only) for s in story.sources] == [("dept", False), ("press", True)]
    assert (story.lead, story.date_only) == (None, False)
    assert story.published == datetime(2024, 7, 24, 12, 55, tzinfo=HCM)


def test_stories_command_gives_the_lead_and_a_date_only_date_as_a_day(tmp_path: Path) -> None:
    from tests.helpers import tinlaodong

    store = open_store(tmp_path)
    dated = article("Sapo ngắn.\n\nNội dung.")
    dated.published, dated.date_only, dated.lead = (
        datetime(2024, 7, 25, tzinfo=HCM),
        True,
        "Sapo ngắn.",
    )
    store.add_article("press", "http://press.vn/2", dated)
    store.close()
    listed = tinlaodong("stories", "--json", "--data-dir", str(tmp_path))
    assert listed.returncode == 0, listed.stderr
    story = json.loads(listed.stdout)
    assert (story["lead"], story["published"]) == ("Sapo ngắn.", "2024-07-25")
    assert story["sources"][0]["published"] == "2024-07-25"
    text = tinlaodong("stories", "--data-dir", str(tmp_path)).stdout
    assert text.startswith("25/07/2024  Hội chợ việc làm") and "00:00" not in text
