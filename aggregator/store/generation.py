"""The store's content generation: a number that changes whenever what the feeds show changes.

Database triggers (migration 0003) bump it on any write to the tables the feeds read, from
any writer: a crawl, ``stories`` commands, the search index's tags. Publishing reads it first,
builds the feeds, and records it: the next publish with the same number (and the same sites
and options) has nothing to rebuild. A write that commits while the feeds are being built has
bumped a number later than the one recorded, so it is never missed, only rebuilt again.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from aggregator.store.schema import ContentGeneration

# What the feeds show: the stories, their sources and images, the sources' details, the tags
# the topic and province feeds select by. Not the bodies' versions and bands (dedup only),
# the HTTP validators, crawl runs (the health feed is compared by its own entries) or alerts.
WATCHED_TABLES = ("stories", "sources", "story_images", "source_bodies", "story_tags")


def content_generation(engine: Engine) -> int | None:
    """The current generation; None if the store has none (the feeds are then rebuilt)."""
    try:
        with engine.connect() as conn:
            return conn.execute(
                select(ContentGeneration.value).where(ContentGeneration.id == 1)
            ).scalar_one_or_none()
    except SQLAlchemyError:
        return None
