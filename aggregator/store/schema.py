"""Tables. A story is one body of text however lightly each site edited it; each URL that
published it is a source, and one source is the story's canonical article.

Times are stored in UTC (SQLite keeps no offsets); readers convert back to local time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Story(Base):
    __tablename__ = "stories"
    # The feeds' order (``views._newest``): the newest stories are read off its end, not
    # found by sorting the whole store for every feed. And the archived feeds' candidates,
    # the stories changed last (``views.story_stamps``), off the end of ``ix_stories_updated``.
    __table_args__ = (
        Index("ix_stories_newest", "published", "first_seen", "id"),
        Index("ix_stories_updated", "updated", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # sha256 of the normalised body first stored: the story's lasting identity (feed GUIDs).
    # Its bodies (StoryBody) hold the hash of every version, the canonical one included.
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Title, lead, text, published, author, language and images: the canonical article's.
    title: Mapped[str] = mapped_column(Text)
    # The standfirst the page sets apart, also the first paragraph of ``text``.
    lead: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(DateTime)
    # The page shows a day, no time: ``published`` is that day's local midnight.
    date_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    author: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    updated: Mapped[datetime] = mapped_column(DateTime)

    sources: Mapped[list[Source]] = relationship(
        back_populates="story", order_by="Source.id", cascade="all, delete-orphan"
    )
    images: Mapped[list[StoryImage]] = relationship(
        order_by="StoryImage.position", cascade="all, delete-orphan"
    )


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    site_id: Mapped[str] = mapped_column(String(64), index=True)
    # Canonical URL (courlan): one source per URL however often it is crawled.
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(DateTime)
    date_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    profile: Mapped[str] = mapped_column(String(32))

    story: Mapped[Story] = relationship(back_populates="sources")
    details: Mapped[SourceBody | None] = relationship(cascade="all, delete-orphan")


class ContentGeneration(Base):
    """One row counting the changes to what the feeds show: the triggers of migration 0003
    add one on every insert, update or delete in :data:`generation.WATCHED_TABLES`, whatever
    wrote it. Publishing compares it with the count it last built the feeds from."""

    __tablename__ = "content_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class StoryImage(Base):
    __tablename__ = "story_images"
    __table_args__ = (UniqueConstraint("story_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"))
    position: Mapped[int] = mapped_column(Integer)
    src: Mapped[str] = mapped_column(Text)
    caption: Mapped[str | None] = mapped_column(Text)


class HttpValidator(Base):
    """ETag / Last-Modified of listing and feed pages, for conditional re-crawls."""

    __tablename__ = "http_validators"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    updated: Mapped[datetime] = mapped_column(DateTime)


class NotArticlePage(Base):
    """A page fetched as an article that its page object found to be none (a listing, the
    site's sign-in or site map page, which its sitemap lists): not fetched again until
    ``seen`` is older than the recheck window (``aggregator.store.not_articles``)."""

    __tablename__ = "not_article_pages"

    url: Mapped[str] = mapped_column(Text, primary_key=True)  # canonical
    site_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    seen: Mapped[datetime] = mapped_column(DateTime)  # UTC


class StoreFlag(Base):
    """A mark the store keeps about itself, set or not (``aggregator.store.flags``): a crawl
    of a site in progress, the near-duplicate index complete for a sketch version."""

    __tablename__ = "store_flags"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    set_at: Mapped[datetime] = mapped_column(DateTime)


class CrawlRun(Base):
    """One site's part of one crawl: what ``tinlaodong sites`` shows as its recent health."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64), index=True)
    started: Mapped[datetime] = mapped_column(DateTime)
    finished: Mapped[datetime] = mapped_column(DateTime)
    pages: Mapped[int] = mapped_column(Integer)
    new_stories: Mapped[int] = mapped_column(Integer)
    new_sources: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    unreachable: Mapped[bool] = mapped_column(Boolean)
    # Where the site's start URL redirected to another host, if it did.
    redirected_to: Mapped[str | None] = mapped_column(Text)
    # What the crawl saw (aggregator.health.CrawlMetrics) and the verdict on it.
    listing_pages: Mapped[int] = mapped_column(Integer, default=0)
    listing_links: Mapped[int] = mapped_column(Integer, default=0)
    extracted: Mapped[int] = mapped_column(Integer, default=0)
    extract_failed: Mapped[int] = mapped_column(Integer, default=0)
    with_date: Mapped[int] = mapped_column(Integer, default=0)
    body_chars: Mapped[int] = mapped_column(Integer, default=0)
    distinct_titles: Mapped[int] = mapped_column(Integer, default=0)
    not_articles: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    healthy: Mapped[bool] = mapped_column(Boolean, default=True)
    health_reason: Mapped[str | None] = mapped_column(Text)
    # Stopped (Ctrl-C, SIGTERM, the scheduler's time limit) before the site's crawl was done:
    # not a crawl of the site, which stays due (aggregator.store.crawls).
    interrupted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class StoryBody(Base):
    """One version of a story's body (sources publishing it verbatim share it), its MinHash
    sketch (``aggregator.store.neardup``) and its images: what a canonical switch needs."""

    __tablename__ = "story_bodies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    # sha256 of the normalised body (fingerprint.content_hash): exact copies meet here.
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    images: Mapped[list[list[str | None]]] = mapped_column(JSON)
    # The sketch: parameters it was made with, distinct shingles, NUM_PERM uint32, little-endian.
    sketch_version: Mapped[str] = mapped_column(String(64))
    shingles: Mapped[int] = mapped_column(Integer)
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class BodyBand(Base):
    """The LSH index: one row per band of a body's signature. Bodies sharing a key are
    candidates for the same story."""

    __tablename__ = "body_bands"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("story_bodies.id"), primary_key=True)


class SourceBody(Base):
    """What one source published beyond its title and date: its body version, lead, author,
    language, the publisher it credits, and whether it is the story's canonical article."""

    __tablename__ = "source_bodies"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("story_bodies.id"), index=True)
    # Per source, not per body: copies of one body may set apart different leads, or none.
    lead: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    # "Sở LĐ-TB&XH Quảng Trị", "baodansinh.vn": whom the page names as its origin.
    credit: Mapped[str | None] = mapped_column(Text)
    canonical: Mapped[bool] = mapped_column(Boolean, default=False)

    body: Mapped[StoryBody] = relationship()


class Alert(Base):
    """The outbox: one alert per (rule, story), written in the transaction that stores the
    story (``aggregator.alerts``), or per (rule, site, streak) for a site-health alert.

    ``key`` (sha256 of rule id and story hash, or of rule, site and streak start) goes into
    every message as its idempotency key: a receiver drops a repeat by it.
    """

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("rule_id", "story_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # story | unhealthy | silent
    # A health alert's subject: site_id, reason, since (ISO), days.
    details: Mapped[dict[str, str | int | None] | None] = mapped_column(JSON)
    # The rule's notification URLs when the alert was queued (``alerts retry`` renews them).
    targets: Mapped[list[str]] = mapped_column(JSON)
    digest: Mapped[str | None] = mapped_column(String(8))  # hourly | daily | None
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    created: Mapped[datetime] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class AlertDelivery(Base):
    """A target that accepted an alert: a retry does not send it there again."""

    __tablename__ = "alert_deliveries"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), primary_key=True)
    # sha256 of the target URL (which may hold a password): the same URL, the same target.
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    target: Mapped[str] = mapped_column(Text)  # the URL with its secrets masked
    delivered_at: Mapped[datetime] = mapped_column(DateTime)


class AlertAttempt(Base):
    """One try at handing an alert (alone or in a digest) to one target."""

    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    target: Mapped[str] = mapped_column(Text)  # masked URL
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
