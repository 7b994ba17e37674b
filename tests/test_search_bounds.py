"""Search's cost bounds on SQLite, and what a user sees of them: a query with a word in more
stories than ``RANK_WINDOW`` ranks its newest matches (title first, then newest); a rarer one
is ranked by bm25. The windows are made small here: the behaviour, not the sizes, is tested."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.models import Article
from aggregator.search import hits, refresh_index, search
from aggregator.store import StoryStore, open_store

START = datetime(2025, 1, 1, tzinfo=UTC)
PLACES = (
    "Hà Giang",
    "Cao Bằng",
    "Lào Cai",
    "Điện Biên",
    "Lai Châu",
    "Sơn La",
    "Yên Bái",
    "Hòa Bình",
    "Thái Nguyên",
    "Lạng Sơn",
    "Quảng Ninh",
    "Bắc Giang",
)
EVENTS = (
    "Hội nghị tổng kết công tác năm được tổ chức sáng qua.",
    "Nhiều doanh nghiệp cam kết trả đúng hạn từ đầu quý.",
    "Công đoàn cơ sở kiến nghị rà soát định mức khoán sản phẩm.",
    "Đoàn kiểm tra liên ngành làm việc tại khu công nghiệp phía bắc.",
    "Người làm nghề tự do được hướng dẫn tham gia bảo hiểm tự nguyện.",
    "Trung tâm dịch vụ việc làm mở thêm phiên giao dịch cuối tuần.",
    "Sở đề nghị các huyện báo cáo số hộ nghèo trước ngày mười lăm.",
    "Lớp đào tạo nghề may công nghiệp khai giảng cho thanh niên.",
    "Thanh tra phát hiện một số đơn vị chậm đóng kinh phí công đoàn.",
    "Ngân hàng chính sách cho vay vốn giải quyết việc làm ở vùng cao.",
    "Hợp tác xã nông nghiệp tuyển thêm lao động thời vụ thu hoạch chè.",
    "Ủy ban nhân dân tỉnh khen thưởng các tập thể có thành tích xuất sắc.",
)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StoryStore:
    """Twelve stories with "lương" (common), stored oldest first; story 2 has it in its title,
    and only story 5 says "thưởng tết" (rare), twice in its body, story 8 once in its title."""
    monkeypatch.setattr(hits, "RANK_WINDOW", 4)
    monkeypatch.setattr(hits, "RECENT_WINDOW", 6)
    store = open_store(tmp_path)
    for i in range(12):
        title = f"Tin số {i}" if i != 2 else "Tăng lương tối thiểu vùng"
        # Bodies unlike each other, or the store would take them for copies of one story.
        body = f"{PLACES[i]} tăng tiền lương cho người lao động. {EVENTS[i]}"
        if i == 5:
            body += " Thưởng tết năm nay. Thưởng tết tăng."
        if i == 8:
            title = "Thưởng tết"
        article = Article(None, title, body, published=START + timedelta(days=i))
        store.add_article("press", f"https://example.vn/{i}", article)
    refresh_index(store.engine)
    return store


def numbers(store: StoryStore, query: str, **kwargs: object) -> list[int]:
    """The stories found, by their number (the day they were published)."""
    found = search(store.engine, query, **kwargs)  # type: ignore[arg-type]
    return [(h.published - START).days if h.published else -1 for h in found]


def test_common_word_newest_first_from_the_newest_matches(store: StoryStore) -> None:
    # More matches than RANK_WINDOW: the newest RECENT_WINDOW (11 .. 6), newest first.
    assert numbers(store, "lương", limit=3) == [11, 10, 9]
    # Story 2's title has it, but the window ends at story 6.
    assert numbers(store, "luong") == [11, 10, 9, 8, 7, 6]
    assert numbers(store, "lao động", limit=2) == [11, 10]


def test_common_word_title_first(store: StoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hits, "RECENT_WINDOW", 12)
    found = search(store.engine, "lương", limit=4)
    assert [h.title for h in found][:2] == ["Tăng lương tối thiểu vùng", "Tin số 11"]
    assert found[0].score > found[1].score == found[-1].score
    assert "«lương»" in found[1].snippet


def test_common_word_with_filters(store: StoryStore) -> None:
    since = START + timedelta(days=3)
    assert numbers(store, "lương", since=since, limit=2) == [11, 10]
    assert numbers(store, "lương -tết") == [11, 10, 9, 7, 6, 4]


def test_rare_phrase_ranked_by_bm25(store: StoryStore) -> None:
    # Each phrase has a word in at most RANK_WINDOW stories: bm25, title above body.
    found = search(store.engine, '"thưởng tết"')
    assert [(h.published - START).days for h in found if h.published] == [8, 5]
    assert found[0].score > found[1].score
    # A rare word beside a common one: bm25 would still pass over all of the common one's.
    found = search(store.engine, "lương thưởng")
    # Ranked as a common word's: a word in the title first, then the newest.
    assert [h.title for h in found] == ["Thưởng tết", "Tin số 11", "Tin số 5"]
