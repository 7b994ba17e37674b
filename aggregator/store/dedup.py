"""One article's write: the story it belongs to (one however many sites publish it: exact
copies by hash, edited copies by MinHash, see ``neardup``), its source (one per canonical URL)
and the story's canonical article.

A story's title, lead, text, date, author and images are those of its canonical article: the
earliest published source, unless a copy credits its origin ("Nguồn: Sở LĐ-TB&XH Quảng
Trị", "Theo baodansinh.vn") and that publisher's source is in the story.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import bindparam, delete, exists, insert, select, update
from sqlalchemy.engine import Connection, CursorResult

from aggregator.models import Article, Image
from aggregator.store import flags, neardup
from aggregator.store.bodyprint import BodyPrint
from aggregator.store.fingerprint import content_hash, credited_publisher, names_publisher
from aggregator.store.schema import Base
from aggregator.store.times import to_utc


class AddResult(Enum):
    NEW_STORY = "new story"
    NEW_SOURCE = "new source of a known story"
    KNOWN_URL = "already stored"


_TABLES = Base.metadata.tables
_STORIES, _SOURCES, _IMAGES = _TABLES["stories"], _TABLES["sources"], _TABLES["story_images"]
_BODIES, _BANDS, _DETAILS = _TABLES["story_bodies"], _TABLES["body_bands"], _TABLES["source_bodies"]
_SOURCE, _BODY, _STORY = _SOURCES.c, _BODIES.c, _STORIES.c
# The flag saying the near-duplicate index is complete for this sketch version.
_INDEX_FLAG = flags.index_flag(neardup.SKETCH_VERSION)


class _SQL:
    """The statements of a write, built once: building one costs more than running it."""

    source_of_url = select(_SOURCE.id).where(_SOURCE.url == bindparam("url"))
    body_of_hash = select(_BODY.id, _BODY.story_id).where(_BODY.content_hash == bindparam("hash"))
    candidates = select(_BODY.story_id, _BODY.shingles, _BODY.signature).where(
        _BODY.sketch_version == bindparam("version"),
        _BODY.id.in_(
            select(_BANDS.c.body_id).where(_BANDS.c.key.in_(bindparam("keys", expanding=True)))
        ),
    )
    sources_of_story = (
        select(
            *(_SOURCE[name] for name in ("id", "site_id", "url", "title", "published")),
            *(_DETAILS.c[name] for name in ("body_id", "author", "language", "credit")),
            _DETAILS.c.canonical,
            _DETAILS.c.lead,
            _SOURCE.date_only,
        )
        .join(_DETAILS, _DETAILS.c.source_id == _SOURCE.id)
        .where(_SOURCE.story_id == bindparam("story"))
    )
    source_ids_of_story = (
        select(_SOURCE.id).where(_SOURCE.story_id == bindparam("story")).order_by(_SOURCE.id)
    )
    body_text = select(_BODY.text, _BODY.images).where(_BODY.id == bindparam("body"))
    images_of_story = (
        select(_IMAGES.c.src, _IMAGES.c.caption)
        .where(_IMAGES.c.story_id == bindparam("story"))
        .order_by(_IMAGES.c.position)
    )
    set_canonical = (
        update(_DETAILS)
        .where(_DETAILS.c.source_id == bindparam("source"))
        .values(canonical=bindparam("canonical"))
    )
    set_story = update(_STORIES).where(_STORY.id == bindparam("story"))
    drop_images = delete(_IMAGES).where(_IMAGES.c.story_id == bindparam("story"))
    drop_bands = delete(_BANDS).where(_BANDS.c.body_id == bindparam("body"))
    drop_details = delete(_DETAILS).where(_DETAILS.c.source_id == bindparam("source"))
    stale_bodies = select(_BODY.id, _BODY.text).where(_BODY.sketch_version != bindparam("version"))
    set_sketch = update(_BODIES).where(_BODY.id == bindparam("body"))
    bare_stories = select(
        _STORY.id, _STORY.content_hash, _STORY.text, _STORY.author, _STORY.language
    ).where(~exists().where(_BODY.story_id == _STORY.id))
    insert_story = insert(_STORIES)
    insert_body = insert(_BODIES)
    insert_bands = insert(_BANDS)
    insert_source = insert(_SOURCES)
    insert_details = insert(_DETAILS)
    insert_images = insert(_IMAGES)


@dataclass(frozen=True)
class _SourceRow:
    """What electing a story's canonical article reads of one source (and its details)."""

    id: int
    site_id: str
    url: str
    title: str
    published: datetime | None
    body_id: int
    author: str | None
    language: str | None
    credit: str | None
    canonical: bool = False
    lead: str | None = None
    date_only: bool = False


class ArticleWriter:
    """One article's write as prepared SQL statements on the transaction's connection: a new
    story is a handful of rows and one LSH band key per band, which the ORM's unit of work made
    most of the cost of storing."""

    def __init__(self, conn: Connection, thresholds: neardup.Thresholds) -> None:
        self.conn = conn
        self.thresholds = thresholds

    def add(
        self,
        site_id: str,
        url: str,
        article: Article,
        fetched: datetime,
        bodyprint: BodyPrint | None = None,
    ) -> tuple[AddResult, int]:
        """What became of the article, and its story's id (0 when the URL was known)."""
        conn = self.conn
        if conn.execute(_SQL.source_of_url, {"url": url}).first() is not None:
            return AddResult.KNOWN_URL, 0
        digest = bodyprint.digest if bodyprint else content_hash(article.text)
        known = conn.execute(_SQL.body_of_hash, {"hash": digest}).first()
        result = AddResult.NEW_SOURCE
        if known is not None:
            body_id, story_id = int(known.id), int(known.story_id)
        else:
            sketch = bodyprint.sketch if bodyprint else neardup.sketch(article.text)
            similar = self._similar_story(sketch)
            if similar is None:
                similar, result = self._new_story(article, digest, fetched), AddResult.NEW_STORY
            story_id = similar
            images = [(i.src, i.caption) for i in article.images]
            body_id = self._new_body(story_id, digest, article.text, images, sketch)
        credit = bodyprint.credit if bodyprint else credited_publisher(article.text)
        source = self._new_source(story_id, site_id, url, article, fetched, body_id, credit)
        if result is AddResult.NEW_STORY:
            # Its one source is canonical, and the story already holds what it published.
            self._insert_details(source, canonical=True)
        else:
            body = (article.text, article.images) if known is None else None
            self._follow_canonical(story_id, source, body, fetched)
        return result, story_id

    def _similar_story(self, sketch: neardup.Sketch) -> int | None:
        """The stored story whose body is most like ``sketch``, if any is like enough."""
        candidates = self.conn.execute(
            _SQL.candidates, {"version": neardup.SKETCH_VERSION, "keys": sketch.band_keys()}
        ).all()
        best: tuple[float, int] | None = None
        for story_id, size, signature in candidates:
            score = self.thresholds.score(sketch, neardup.Sketch.from_bytes(signature, size))
            if score >= 1.0 and (best is None or (score, -story_id) > (best[0], -best[1])):
                best = (score, story_id)
        return int(best[1]) if best else None

    def _new_story(self, article: Article, digest: str, fetched: datetime) -> int:
        row = {
            "content_hash": digest,
            "title": article.title or _first_line(article.text),
            "lead": article.lead,
            "text": article.text,
            "published": to_utc(article.published),
            "date_only": article.date_only,
            "author": article.author,
            "language": article.language,
            "first_seen": fetched,
            "updated": fetched,
        }
        story_id = _inserted_id(self.conn.execute(_SQL.insert_story, row))
        self._insert_images(story_id, [(i.src, i.caption) for i in article.images])
        return story_id

    def _new_body(
        self,
        story_id: int,
        digest: str,
        text: str,
        images: Sequence[tuple[str, str | None]],
        sketch: neardup.Sketch,
    ) -> int:
        row = {
            "story_id": story_id,
            "content_hash": digest,
            "text": text,
            "images": [[src, caption] for src, caption in images],
            "sketch_version": neardup.SKETCH_VERSION,
            "shingles": sketch.size,
            "signature": sketch.to_bytes(),
        }
        body_id = _inserted_id(self.conn.execute(_SQL.insert_body, row))
        self._insert_bands(body_id, sketch.band_keys())
        return body_id

    def _insert_bands(self, body_id: int, keys: list[int]) -> None:
        bands = [{"key": key, "body_id": body_id} for key in sorted(set(keys))]
        self.conn.execute(_SQL.insert_bands, bands)

    def _new_source(
        self,
        story_id: int,
        site_id: str,
        url: str,
        article: Article,
        fetched: datetime,
        body_id: int,
        credit: str | None,
    ) -> _SourceRow:
        title, published = article.title or "", to_utc(article.published)
        row = {
            "story_id": story_id,
            "site_id": site_id,
            "url": url,
            "title": title,
            "published": published,
            "date_only": article.date_only,
            "fetched_at": fetched,
            "profile": article.profile,
        }
        return _SourceRow(
            id=_inserted_id(self.conn.execute(_SQL.insert_source, row)),
            site_id=site_id,
            url=url,
            title=title,
            published=published,
            body_id=body_id,
            author=article.author,
            language=article.language,
            credit=credit,
            lead=article.lead,
            date_only=article.date_only,
        )

    def _insert_details(self, source: _SourceRow, canonical: bool) -> None:
        row = {
            "source_id": source.id,
            "body_id": source.body_id,
            "lead": source.lead,
            "author": source.author,
            "language": source.language,
            "credit": source.credit,
            "canonical": canonical,
        }
        self.conn.execute(_SQL.insert_details, row)

    def _insert_images(self, story_id: int, images: Sequence[tuple[str, str | None]]) -> None:
        if images:
            rows = [
                {"story_id": story_id, "position": i, "src": str(src), "caption": caption}
                for i, (src, caption) in enumerate(images)
            ]
            self.conn.execute(_SQL.insert_images, rows)

    def _follow_canonical(
        self,
        story_id: int,
        new: _SourceRow,
        new_body: tuple[str, Sequence[Image]] | None,
        fetched: datetime,
    ) -> None:
        """Elect the story's canonical article, ``new`` one of the candidates, and take its
        title, lead, text, date, author and images. ``new_body``: the body ``new`` just stored."""
        conn = self.conn
        rows = conn.execute(_SQL.sources_of_story, {"story": story_id}).all()
        sources = [_SourceRow(**row._asdict()) for row in rows] + [new]
        canonical = min(_candidates(sources), key=_earliest)
        self._insert_details(new, canonical=canonical is new)
        for source in sources[:-1]:
            if bool(source.canonical) != (source is canonical):
                params = {"source": source.id, "canonical": source is canonical}
                conn.execute(_SQL.set_canonical, params)
        if canonical is new and new_body is not None:
            text, images = new_body[0], [(i.src, i.caption) for i in new_body[1]]
        else:
            body = conn.execute(_SQL.body_text, {"body": canonical.body_id}).one()
            text, images = body.text, [(src, caption) for src, caption in body.images]
        story = {
            "story": story_id,
            "title": canonical.title or _first_line(text),
            "lead": canonical.lead,
            "text": text,
            "published": canonical.published,
            "date_only": canonical.date_only,
            "author": canonical.author,
            "language": canonical.language,
            "updated": fetched,
        }
        conn.execute(_SQL.set_story, story)
        shown = conn.execute(_SQL.images_of_story, {"story": story_id}).all()
        if [tuple(row) for row in shown] != images:
            conn.execute(_SQL.drop_images, {"story": story_id})
            self._insert_images(story_id, images)

    def index_complete(self) -> bool:
        """Whether a pass of :meth:`index_unindexed` has run on this database for the current
        ``neardup.SKETCH_VERSION``: looking for what it would do scans every body and story,
        so it runs once per database, not once per store opened (every site's crawler opens
        one). Only a release older than the flag's, writing after it, could leave bodies
        unindexed again."""
        return flags.is_set(self.conn, _INDEX_FLAG)

    def index_unindexed(self) -> None:
        """Sketch what the near-duplicate index lacks: stories stored before it existed, and
        bodies sketched with other parameters (``neardup.SKETCH_VERSION``); then flag the
        database as indexed (in the same transaction)."""
        conn, version = self.conn, neardup.SKETCH_VERSION
        for body_id, text in conn.execute(_SQL.stale_bodies, {"version": version}).all():
            sketch = neardup.sketch(text)
            conn.execute(_SQL.drop_bands, {"body": body_id})
            signature = {"shingles": sketch.size, "signature": sketch.to_bytes()}
            conn.execute(_SQL.set_sketch, {"body": body_id, "sketch_version": version, **signature})
            self._insert_bands(body_id, sketch.band_keys())
        for story_id, digest, text, author, language in conn.execute(_SQL.bare_stories).all():
            shown = conn.execute(_SQL.images_of_story, {"story": story_id}).all()
            images = [(str(src), caption) for src, caption in shown]
            body_id = self._new_body(story_id, digest, text, images, neardup.sketch(text))
            credit = credited_publisher(text)
            sources = conn.scalars(_SQL.source_ids_of_story, {"story": story_id}).all()
            for position, source_id in enumerate(sources):
                conn.execute(_SQL.drop_details, {"source": source_id})
                details = _SourceRow(source_id, "", "", "", None, body_id, author, language, credit)
                self._insert_details(details, canonical=position == 0)
        flags.set_flag(conn, _INDEX_FLAG)


def _candidates(sources: list[_SourceRow]) -> list[_SourceRow]:
    """The sources a copy credits as its origin, those crediting no other source first;
    every source when no copy credits one that is in the story."""

    def credits(source: _SourceRow) -> list[_SourceRow]:
        credit = source.credit
        if not credit:
            return []
        return [s for s in sources if s is not source and names_publisher(credit, s.site_id, s.url)]

    credited = {id(s): s for source in sources for s in credits(source)}
    originals = [s for s in credited.values() if not credits(s)]
    return originals or list(credited.values()) or sources


def _earliest(source: _SourceRow) -> tuple[bool, datetime, int]:
    return (source.published is None, source.published or datetime.min, source.id)


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0][:120]


def _inserted_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])
