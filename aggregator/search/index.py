"""Keeping the search index and the tags up to date with the stories.

Decoupled from writing stories: the crawl stores, then ``refresh_index`` brings the index level
(new stories, and stories whose ``updated`` moved since they were indexed). Nothing in the store's
write path knows about search.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, delete, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from aggregator.search.folding import canonical, fold
from aggregator.search.schema import SearchDocument, StoryTag
from aggregator.store.schema import Story
from aggregator.tags import Tagger, default_tagger

logger = logging.getLogger("tinlaodong.search")
BATCH = 200


def refresh_index(engine: Engine, *, tagger: Tagger | None = None, rebuild: bool = False) -> int:
    """Index (and tag) the stories not indexed yet or updated since; returns how many.

    ``rebuild``: all of them, e.g. after editing ``topics.yaml``.
    """
    tagger = tagger or default_tagger()
    if rebuild:
        with Session(engine) as session, session.begin():
            session.execute(delete(SearchDocument))
            session.execute(delete(StoryTag))
    done = 0
    # One pass over the stories finds what is stale (a pass per batch made a crawl's refresh
    # grow with the store: bench/scale_bench.py); a story updated meanwhile waits for the next.
    stale = _stale_ids(engine)
    for start in range(0, len(stale), BATCH):
        batch = _stories(engine, stale[start : start + BATCH])
        with Session(engine) as session, session.begin():
            _index(session, batch, tagger)
        done += len(batch)
    if done:
        logger.info("indexed %d stories for search", done)
    return done


def _stale_ids(engine: Engine) -> list[int]:
    """The stories not indexed yet or updated since they were, oldest first."""
    query = (
        select(Story.id)
        .outerjoin(SearchDocument, SearchDocument.story_id == Story.id)
        .where(
            or_(SearchDocument.story_id.is_(None), SearchDocument.indexed_updated != Story.updated)
        )
        .order_by(Story.id)
    )
    with Session(engine) as session:
        return list(session.scalars(query))


def _stories(engine: Engine, ids: Sequence[int]) -> Sequence[Row[int, str, str, datetime]]:
    """Rows, not a held cursor, as indexing writes."""
    query = select(Story.id, Story.title, Story.text, Story.updated).where(Story.id.in_(ids))
    with Session(engine) as session:
        return session.execute(query.order_by(Story.id)).all()


def _index(
    session: Session, stories: Sequence[Row[int, str, str, datetime]], tagger: Tagger
) -> None:
    ids = [story.id for story in stories]
    # Delete and insert rather than update: the FTS triggers handle both the same way.
    session.execute(delete(SearchDocument).where(SearchDocument.story_id.in_(ids)))
    session.execute(delete(StoryTag).where(StoryTag.story_id.in_(ids)))
    for story in stories:
        session.add(document(story.id, story.title, story.text, story.updated))
        for kind, value in sorted(tagger.tags(story.title, story.text)):
            session.add(StoryTag(story_id=story.id, kind=kind, value=value))


def document(story_id: int, title: str, text: str, updated: datetime) -> SearchDocument:
    """A story as indexed: lowercase canonical text and its folded twin."""
    return SearchDocument(
        story_id=story_id,
        indexed_updated=updated,
        title=canonical(title).lower(),
        body=canonical(text).lower(),
        title_folded=fold(title),
        body_folded=fold(text),
    )
