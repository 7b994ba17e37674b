"""Keeping the search index and the tags up to date with the stories.

Decoupled from writing stories: the crawl stores, then ``refresh_index`` brings the index level
(new stories, and stories whose ``updated`` moved since they were indexed: ``search_pending``,
which the database's triggers keep). Nothing in the store's write path knows about search.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from datetime import datetime

from sqlalchemy import Row, delete, func, insert, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from aggregator.folding import canonical, fold
from aggregator.store.schema import Story
from aggregator.store.search_schema import SearchDocument, SearchPending, StoryTag
from aggregator.tags import Tagger, default_tagger

logger = logging.getLogger("tinlaodong.search")
BATCH = 200
# Stories per task handed to a worker process: big enough to amortise the hand-over.
CHUNK = 50

# What a story is indexed by: its canonical title and body, their folded twins, its tags.
Fields = tuple[str, str, str, str, list[tuple[str, str]]]
# The ids of a batch, its stories read (one deleted meanwhile is missing), and their fields
# being worked out.
_Pending = tuple[Sequence[int], Sequence[Row[int, str, str, datetime]], list[Future[list[Fields]]]]


def refresh_index(
    engine: Engine,
    *,
    tagger: Tagger | None = None,
    rebuild: bool = False,
    pool: Executor | None = None,
    after: int | None = None,
    report: bool = True,
) -> int:
    """Index (and tag) the stories not indexed yet or updated since; returns how many.

    ``rebuild``: all of them, e.g. after editing ``topics.yaml``. ``pool``: worker processes
    to fold and tag in (a crawl's extraction workers; with the default tagger only). Folding
    and tagging are pure Python and most of a refresh's CPU; the next batch is worked on
    while this one is written. ``after``: only stories with a larger id, the ones stored
    since (a range of the key, where the whole pass reads every story). ``report``: log how
    many were indexed.
    """
    if rebuild:
        with Session(engine) as session, session.begin():
            session.execute(delete(SearchDocument))
            session.execute(delete(StoryTag))
            queued = select(SearchPending.story_id)
            every = select(Story.id).where(Story.id.not_in(queued))
            session.execute(insert(SearchPending).from_select(["story_id"], every))
    if tagger is not None:
        pool = None  # the workers tag with the default tagger
    done = 0
    # Read once (a story updated meanwhile waits for the next refresh).
    stale = _stale_ids(engine, after)
    ahead: _Pending | None = None
    for start in range(0, len(stale) + BATCH, BATCH):
        ids = stale[start : start + BATCH]
        current: _Pending | None = ahead
        ahead = None
        if ids:
            batch = _stories(engine, ids)
            ahead = (ids, batch, _fields_of(batch, tagger, pool))
        if current is not None:
            wanted, stories, futures = current
            fields = [found for future in futures for found in future.result()]
            with Session(engine) as session, session.begin():
                _index(session, stories, fields)
                _settle(session, wanted)
            done += len(stories)
    if done and report:
        logger.info("indexed %d %s for search", done, "story" if done == 1 else "stories")
    return done


def _fields_of(
    stories: Sequence[Row[int, str, str, datetime]], tagger: Tagger | None, pool: Executor | None
) -> list[Future[list[Fields]]]:
    pairs = [(story.title, story.text) for story in stories]
    if pool is not None:
        return [
            pool.submit(_fields_of_pairs, pairs[i : i + CHUNK]) for i in range(0, len(pairs), CHUNK)
        ]
    done: Future[list[Fields]] = Future()
    done.set_result(_fields_of_pairs(pairs, tagger))
    return [done]


def _fields_of_pairs(
    pairs: Sequence[tuple[str, str]], tagger: Tagger | None = None
) -> list[Fields]:
    """Runs in a worker process with a pool (module level, so that it pickles by name)."""
    return [index_fields(title, text, tagger) for title, text in pairs]


def index_fields(title: str, text: str, tagger: Tagger | None = None) -> Fields:
    """What a story with ``title`` and ``text`` is indexed and tagged by."""
    tags = sorted((tagger or default_tagger()).tags(title, text))
    return (*_text_fields(title, text), tags)


def _text_fields(title: str, text: str) -> tuple[str, str, str, str]:
    return canonical(title).lower(), canonical(text).lower(), fold(title), fold(text)


def last_story_id(engine: Engine) -> int:
    """The largest story id (0 for an empty store): what ``refresh_index(after=)`` counts from."""
    with Session(engine) as session:
        return session.scalar(select(func.max(Story.id))) or 0


def _stale_ids(engine: Engine, after: int | None = None) -> list[int]:
    """The stories not indexed yet or updated since they were, oldest first: the queue the
    triggers keep, not a comparison of every story with its document (slow on a large
    store)."""
    query = select(SearchPending.story_id).order_by(SearchPending.story_id)
    if after is not None:
        query = query.where(SearchPending.story_id > after)
    with Session(engine) as session:
        return list(session.scalars(query))


def _settle(session: Session, ids: Sequence[int]) -> None:
    """Take ``ids`` off the queue, but for those still stale: a story updated after it was
    read (its trigger found it queued already) stays for the next refresh."""
    session.flush()
    still = (
        select(Story.id)
        .outerjoin(SearchDocument, SearchDocument.story_id == Story.id)
        .where(
            Story.id.in_(ids),
            or_(SearchDocument.story_id.is_(None), SearchDocument.indexed_updated != Story.updated),
        )
    )
    session.execute(
        delete(SearchPending).where(
            SearchPending.story_id.in_(ids), SearchPending.story_id.not_in(still)
        )
    )


def _stories(engine: Engine, ids: Sequence[int]) -> Sequence[Row[int, str, str, datetime]]:
    """Rows, not a held cursor, as indexing writes."""
    query = select(Story.id, Story.title, Story.text, Story.updated).where(Story.id.in_(ids))
    with Session(engine) as session:
        return session.execute(query.order_by(Story.id)).all()


def _index(
    session: Session, stories: Sequence[Row[int, str, str, datetime]], fields: Sequence[Fields]
) -> None:
    ids = [story.id for story in stories]
    # Delete and insert rather than update: the FTS triggers handle both the same way.
    session.execute(delete(SearchDocument).where(SearchDocument.story_id.in_(ids)))
    session.execute(delete(StoryTag).where(StoryTag.story_id.in_(ids)))
    for story, (*texts, tags) in zip(stories, fields, strict=True):
        session.add(_document(story.id, story.updated, *texts))
        for kind, value in tags:
            session.add(StoryTag(story_id=story.id, kind=kind, value=value))


def document(story_id: int, title: str, text: str, updated: datetime) -> SearchDocument:
    """A story as indexed: lowercase canonical text and its folded twin."""
    return _document(story_id, updated, *_text_fields(title, text))


def _document(
    story_id: int, updated: datetime, title: str, body: str, title_folded: str, body_folded: str
) -> SearchDocument:
    return SearchDocument(
        story_id=story_id,
        indexed_updated=updated,
        title=title,
        body=body,
        title_folded=title_folded,
        body_folded=body_folded,
    )
