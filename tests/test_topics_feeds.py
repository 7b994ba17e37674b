"""The issue's symptom: one story sat in 11 of 14 topic feeds, for any keyword anywhere in it.
A story is in the feeds of what it is about; alert rules' ``topics:`` and the stored tags
(what the topic feeds select by) follow the same rule, and an upgraded store is re-tagged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select

from aggregator.alerts import Matcher, StoryFacts, parse_rules
from aggregator.models import Article
from aggregator.search import refresh_index
from aggregator.store import StoryStore, open_store
from aggregator.store.database import database_url
from aggregator.store.migrations import alembic_config
from aggregator.store.search_schema import SearchPending, StoryTag
from aggregator.tags import TOPIC, default_topics, story_ids_tagged, tags_of
from tests.backends import backend

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")

# A job fair, written for this test as department news reads: its fields in passing, one
# sentence each (war invalids' families, unemployment benefit, overseas work, training).
JOB_FAIR = Article(
    url=None,
    title="Huyện Sơn Hà tổ chức Ngày hội việc làm năm 2025",
    text=(
        "Sáng 12/3, UBND huyện Sơn Hà tổ chức Ngày hội việc làm với 28 doanh nghiệp tham gia, "
        "đưa ra hơn 2.000 vị trí tuyển dụng.\n\n"
        "Hơn 1.100 người lao động đến tìm việc, trong đó có con em các gia đình người có công.\n\n"
        "Ban tổ chức dành một gian tư vấn chính sách bảo hiểm thất nghiệp và đi làm việc ở nước "
        "ngoài theo hợp đồng.\n\n"
        "Kết thúc ngày hội, 230 người được doanh nghiệp nhận vào làm việc ngay, 90 người đăng ký "
        "học nghề."
    ),
)


@pytest.fixture
def store(tmp_path: Path) -> StoryStore:
    store = open_store(tmp_path)
    store.add_article("quangngai", "https://example.vn/ngay-hoi", JOB_FAIR)
    refresh_index(store.engine)
    return store


def feeds_of(store: StoryStore, story_id: int) -> list[str]:
    """The topic feeds that hold the story (they select by the stored tags)."""
    return [
        topic.id
        for topic in default_topics()
        if story_id in story_ids_tagged(store.engine, topic=topic.id)
    ]


def test_a_job_fair_is_in_the_jobs_feed_not_in_most(store: StoryStore) -> None:
    (story_id,) = story_ids_tagged(store.engine)
    assert feeds_of(store, story_id) == ["viec-lam"]
    store.close()


def test_alert_rules_topics_use_the_same_rule() -> None:
    matcher = Matcher(
        parse_rules(
            "rules:\n"
            "  - id: jobs\n    topics: [viec-lam]\n    notify: [json://h/]\n"
            "  - id: veterans\n    topics: [nguoi-co-cong]\n    notify: [json://h/]\n"
            "  - id: insurance\n    topics: [bao-hiem-xa-hoi]\n    notify: [json://h/]\n"
        )
    )
    found = matcher.matching(StoryFacts(JOB_FAIR.title or "", JOB_FAIR.text, ()))
    assert [rule.id for rule in found] == ["jobs"]


def test_an_upgraded_store_is_retagged(tmp_path: Path, store: StoryStore) -> None:
    """Tags stored by the old rule (every topic named) are redone by the new one: migration
    0009 queues every story for the index, and the next refresh (each crawl's) re-tags it."""
    from alembic import command

    (story_id,) = story_ids_tagged(store.engine)
    store.close()
    engine = create_engine(database_url(tmp_path))
    with engine.begin() as connection:
        connection.execute(
            insert(StoryTag),
            [{"story_id": story_id, "kind": TOPIC, "value": "nguoi-co-cong"}],
        )
        command.downgrade(alembic_config(connection), "0008")
    engine.dispose()

    store = open_store(tmp_path)
    with store.engine.connect() as connection:
        assert connection.execute(select(SearchPending.story_id)).scalars().all() == [story_id]
    assert refresh_index(store.engine) == 1
    assert tags_of(store.engine, story_id)[TOPIC] == ["viec-lam"]
    store.close()
