"""Migrations: an empty database and one made by the previous release's ``create_all`` both
come to the newest revision, on each backend, and the migrated schema is the models' schema."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, insert, inspect, select

from aggregator.dates import local_midnight
from aggregator.models import Article
from aggregator.store import AddResult, Validators, open_store
from aggregator.store.database import database_url
from aggregator.store.generation import content_generation
from aggregator.store.migrations import TARGET, alembic_config, head_revision, include_name
from aggregator.store.migrations.__main__ import revision
from aggregator.store.schema import HttpValidator, StoreFlag
from tests.backends import backend

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")

# The tables the newest revisions add: the previous release's create_all made all but these.
NEWEST = (
    "alerts",
    "alert_attempts",
    "alert_deliveries",
    "content_generation",
    "search_pending",
    "store_flags",
)
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_state(url: str) -> tuple[str | None, list[object]]:
    """(the database's revision, what differs between it and the models)"""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_name": include_name, "compare_type": True}
            )
            return context.get_current_revision(), compare_metadata(context, TARGET)
    finally:
        engine.dispose()


def test_an_empty_database_is_migrated_to_the_models(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    current, differences = schema_state(database_url(tmp_path))
    assert current == HEAD
    # Failing here: the models changed without a revision. Run
    #   .venv/bin/python -m aggregator.store.migrations revision -m "what changed"
    assert differences == []


def test_a_database_of_the_previous_release_is_upgraded_keeping_its_stories(
    tmp_path: Path,
) -> None:
    url = database_url(tmp_path)
    engine = create_engine(url)
    old_tables = [table for name, table in TARGET.tables.items() if name not in NEWEST]
    TARGET.create_all(engine, tables=old_tables)  # what ``create_all`` made, no version table
    assert not {"alerts", "alembic_version"} & set(inspect(engine).get_table_names())
    engine.dispose()
    store = open_store(tmp_path)
    assert store.add_article("a", "https://a.vn/1", Article(None, "Tin", "Nội dung")) is (
        AddResult.NEW_STORY
    )
    store.close()
    again = open_store(tmp_path)  # opening again changes nothing
    assert again.count() == (1, 1)
    again.close()
    current, differences = schema_state(url)
    assert current == HEAD and differences == []


def test_opening_twice_at_head_is_a_no_op(tmp_path: Path) -> None:
    for _ in range(2):
        open_store(tmp_path).close()
    assert schema_state(database_url(tmp_path))[0] == HEAD


def test_the_head_read_off_the_file_names_is_alembics() -> None:
    # upgrade() compares the database with it before importing Alembic at all.
    assert head_revision() == HEAD


def test_a_database_one_revision_behind_is_brought_to_the_head(tmp_path: Path) -> None:
    from alembic import command

    open_store(tmp_path).close()
    engine = create_engine(database_url(tmp_path))
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "-1")
    engine.dispose()
    assert schema_state(database_url(tmp_path))[0] != HEAD
    open_store(tmp_path).close()
    current, differences = schema_state(database_url(tmp_path))
    assert current == HEAD and differences == []


def test_flags_kept_as_made_up_urls_move_to_their_own_table(tmp_path: Path) -> None:
    """A database at 0005 kept its flags as HTTP validators under made-up URLs: upgraded, the
    crawl in progress and the complete index are flags, and the validators only validators."""
    from alembic import command

    url = database_url(tmp_path)
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
    rows = [
        ("https://tinlaodong.invalid/crawl-in-progress/molisa", "running"),
        (
            "https://tinlaodong.invalid/near-duplicate-index/minhash-affine32-256-1/w6/b85r3",
            "complete",
        ),
        ("https://molisa.gov.vn/tin-tuc", '"etag-1"'),
    ]
    with engine.begin() as connection:
        connection.execute(
            insert(HttpValidator),
            [{"url": u, "etag": e, "updated": datetime(2026, 12, 1, 8, 30)} for u, e in rows],
        )
    engine.dispose()

    store = open_store(tmp_path)
    assert store.flags.begin_crawl("molisa")  # the crawl flagged before never finished
    assert not store.flags.begin_crawl("laodong")
    assert store.validators.get("https://molisa.gov.vn/tin-tuc") == Validators('"etag-1"', None)
    with store.engine.connect() as connection:
        validators = connection.execute(select(HttpValidator.url)).scalars().all()
        flags = dict(connection.execute(select(StoreFlag.name, StoreFlag.set_at)).all())
    store.close()
    assert validators == ["https://molisa.gov.vn/tin-tuc"]
    assert set(flags) == {
        "crawl-in-progress/molisa",
        "crawl-in-progress/laodong",
        "near-duplicate-index/minhash-affine32-256-1/w6/b85r3",
    }
    assert flags["crawl-in-progress/molisa"] == datetime(2026, 12, 1, 8, 30)
    current, differences = schema_state(url)
    assert current == HEAD and differences == []


def test_a_downgrade_puts_the_flags_back_as_validators(tmp_path: Path) -> None:
    from alembic import command

    store = open_store(tmp_path)
    store.flags.begin_crawl("molisa")
    store.close()
    engine = create_engine(database_url(tmp_path))
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0005")
    with engine.connect() as connection:
        rows = connection.execute(select(HttpValidator.url, HttpValidator.etag)).all()
    engine.dispose()
    assert ("https://tinlaodong.invalid/crawl-in-progress/molisa", "running") in rows


def test_a_store_of_0006_gains_leads_and_date_only_keeping_stories_and_triggers(
    tmp_path: Path,
) -> None:
    """Upgraded in place, a store keeps its stories (not date-only, without a lead) and its
    triggers: a new story still moves the content generation the feeds are rebuilt by."""
    from alembic import command

    store = open_store(tmp_path)
    timed = datetime(2024, 3, 5, 8, 30).astimezone()
    store.add_article("a", "https://a.vn/1", Article(None, "Tin cũ", "Nội dung cũ", timed))
    store.close()
    engine = create_engine(database_url(tmp_path))
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0006")
    engine.dispose()

    store = open_store(tmp_path)
    before = content_generation(store.engine)
    day = local_midnight(datetime(2024, 3, 6).date())
    article = Article(
        None, "Tin mới", "Sapo.\n\nThân bài mới.", day, date_only=True, lead="Sapo."
    )
    assert store.add_article("b", "https://b.vn/2", article) is AddResult.NEW_STORY
    after = content_generation(store.engine)
    new, old = store.stories()
    store.close()
    assert (old.title, old.published, old.lead, old.date_only) == ("Tin cũ", timed, None, False)
    assert (new.lead, new.date_only, new.published) == ("Sapo.", True, day)
    assert new.sources[0].date_only and not old.sources[0].date_only
    assert before is not None and after is not None and after > before
    current, differences = schema_state(database_url(tmp_path))
    assert current == HEAD and differences == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_revision_command_finds_nothing_to_add_when_models_and_revisions_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aggregator.store import migrations

    versions = tmp_path / "versions"
    versions.mkdir()
    for path in (migrations.HERE / "versions").glob("v*.py"):
        (versions / path.name).write_bytes(path.read_bytes())
    original = migrations.alembic_config

    def scratch_config(connection: object = None) -> object:
        config = original(connection)  # type: ignore[arg-type]
        config.set_main_option("version_locations", str(versions))
        return config

    monkeypatch.setattr("aggregator.store.migrations.__main__.alembic_config", scratch_config)
    made = revision("nothing")
    assert made.parent == versions and made.name.startswith(f"v{int(HEAD or 0) + 1:04d}_")
    text = made.read_text()
    assert f"down_revision = {HEAD!r}" in text
    assert "op." not in text.split("def upgrade")[1].split("def downgrade")[0]
