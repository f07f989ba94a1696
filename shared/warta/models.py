"""The article model: offices and their keys, articles and their revisions, the outbox,
the rendered snippets and the precomputed public documents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from warta.pipeline import Status

# Ids are 32-bit integer columns in PostgreSQL: a larger one names nothing (and cannot even be
# bound as a parameter), so the routes that take an id answer 404 for it.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every database (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The province, regency or city the office serves, by Kemendagri code ("35.14"; see
    # warta.regions): it settles a place name that several regions share.
    region: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    keys: Mapped[list[OfficeKey]] = relationship(back_populates="office")


class OfficeKey(Base):
    """An API key; only its SHA-256 is kept. A rotated key expires after a grace period."""

    __tablename__ = "office_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    office: Mapped[Office] = relationship(back_populates="keys")

    def is_active(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


# What a person may do on the desk: a reporter writes and revises their own reports; an editor
# revises and retracts any of the office's.
REPORTER = "reporter"
EDITOR = "editor"
ROLES = (REPORTER, EDITOR)


class User(Base):
    """A person of an office who writes on the desk (`/desk/`)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    # Kept as typed, lower-cased: the sign-in name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # argon2id (warta.users); none until the person sets one through their link.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # The one-time link to set the password: only its SHA-256, until used or expired.
    password_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_token_expires_at: Mapped[datetime | None]
    # Sessions carry the generation they began in: a new password, or signing out, bumps it
    # and every older session is over.
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    office: Mapped[Office] = relationship()


class Secret(Base):
    """A secret the processes of a deployment share, made by the migration that needs it (the
    desk's cookie-signing key, unless SECRET_KEY is set)."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("office_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The feed GUID: fixed at creation, never changed by later revisions.
    guid: Mapped[str] = mapped_column(String(45), unique=True, default=lambda: uuid.uuid4().urn)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    current_revision: Mapped[int] = mapped_column(Integer, default=1)
    live_revision: Mapped[int | None] = mapped_column(Integer)
    # When the article first went live, and when its live revision last changed.
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    updated_at: Mapped[datetime | None]
    retracted_at: Mapped[datetime | None]
    # When the live revision last changed (its publication time may lie in the past): the
    # moment a report reached the public. Rebuilds find their work in `feed_changes` instead.
    changed_at: Mapped[datetime | None] = mapped_column(index=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    office: Mapped[Office] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="article", order_by="Revision.number"
    )


class Revision(Base):
    """One submitted version of an article, and what each stage made of it."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("article_id", "number"),
        # The scheduler's sweep: scheduled revisions whose time has come.
        Index("ix_revisions_status_publish_at", "status", "publish_at"),
        # The recovery sweep: revisions in a stage that have not moved for a while.
        Index("ix_revisions_status_progressed_at", "status", "progressed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=Status.RECEIVED.value)
    error: Mapped[str | None] = mapped_column(Text)
    # The submission as the office sent it (validated), so any stage can be re-run from it.
    submission: Mapped[dict[str, Any]]
    # The requested publication time (UTC); in the future, the revision waits as `scheduled`.
    publish_at: Mapped[datetime]
    # Filled in by normalise.
    title: Mapped[str | None] = mapped_column(String(400))
    slug: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str | None] = mapped_column(String(8))
    excerpt: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str | None] = mapped_column(Text)
    word_count: Mapped[int | None]
    reading_minutes: Mapped[int | None]
    dateline: Mapped[dict[str, Any] | None]
    # RFC 3339 in the report's own offset (a database column would lose the offset).
    event_at: Mapped[str | None] = mapped_column(String(40))
    # What normalise doubted or changed, for the office: [{code, message}, ...]
    warnings: Mapped[list[Any] | None]
    # Filled in by tag: [{slug, label, kind, score, source}, ...]
    tags: Mapped[list[Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When a stage last moved it on (or the recovery sweep last sent it again).
    progressed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The desk user who made it; none when the office's key did.
    revised_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    article: Mapped[Article] = relationship(back_populates="revisions")
    reviser: Mapped[User | None] = relationship()


class Snippet(Base):
    """Rendered HTML for one revision: the listing card, the article fragment, the page."""

    __tablename__ = "snippets"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    html: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(String(70))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """A precomputed public document (feed, sitemap, listing page), served as stored bytes."""

    __tablename__ = "documents"

    path: Mapped[str] = mapped_column(String(255), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(70))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# How long the answer to a write with an `Idempotency-Key` is replayed to its retries; the
# relay purges older ones.
IDEMPOTENCY_WINDOW = timedelta(hours=24)


class IdempotencyRecord(Base):
    """The first answer to a write sent with an `Idempotency-Key`, replayed to its retries."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("office_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OutboxMessage(Base):
    """A task message committed with the change it announces; the relay sends it to Redis."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]]
    # The HTTP request that caused it, so its logs follow the report through every task.
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedChange(Base):
    """An article whose feeds, archives and sitemaps the next rebuild must redo. Written in the
    transaction that makes the change (going live, retraction) and deleted by the rebuild that
    read it, like the outbox: a change committed late is read by the next rebuild, where a
    "changed since" clock would need a safety margin that grows every rebuild."""

    __tablename__ = "feed_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TagChange(Base):
    """A tag whose feeds the rebuild of tags and archives must redo: written by the main
    rebuild that read the article changes, so that the site's feeds and the sitemaps need not
    wait for the tags'."""

    __tablename__ = "tag_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArchiveChange(Base):
    """An archive block (RFC 5005) that the rebuild of tags and archives must redo, written like
    a `TagChange`: archives are read to catch up on history, never for the newest report."""

    __tablename__ = "archive_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    block: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListingChange(Base):
    """A request to compose the listing pages again (a rebuild changed the feeds, a flush
    changed the view counts, templates changed): read and deleted by the composition, which the
    relay sends while any wait, like the rebuilds (warta.coalescing)."""

    __tablename__ = "listing_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Failure(Base):
    """A task that failed for good (rejected, out of retries, or out of time), to replay."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]]
    error: Mapped[str] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    replayed_at: Mapped[datetime | None]


# A photo's renditions are being made, are ready, or could not be made (replayable).
MEDIA_PROCESSING = "processing"
MEDIA_READY = "ready"
MEDIA_FAILED = "failed"


class Media(Base):
    """An uploaded photo: what the office sent (kept private, in the media store), and the
    state of its public renditions."""

    __tablename__ = "media"
    __table_args__ = (
        # The media sweep: photos whose rendition job has not finished for a while.
        Index("ix_media_status_progressed_at", "status", "progressed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=MEDIA_PROCESSING)
    error: Mapped[str | None] = mapped_column(Text)
    # The upload as checked: its type, its size as shown (orientation applied), its length.
    media_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    length: Mapped[int] = mapped_column(Integer)
    # Where the media store keeps the upload as sent (by its SHA-256: a retry writes the same).
    original_key: Mapped[str] = mapped_column(String(200))
    caption: Mapped[str | None] = mapped_column(Text)
    credit: Mapped[str | None] = mapped_column(String(200))
    alt: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
    # When the rendition job was last asked for or finished (the sweep's clock).
    progressed_at: Mapped[datetime] = mapped_column(default=utcnow)

    renditions: Mapped[list[MediaRendition]] = relationship(
        order_by="MediaRendition.id", cascade="all, delete-orphan"
    )


class MediaRendition(Base):
    """One made rendition of a photo (its bytes are in the media store)."""

    __tablename__ = "media_renditions"
    __table_args__ = (UniqueConstraint("media_id", "name", "extension"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"))
    name: Mapped[str] = mapped_column(String(20))
    extension: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    length: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str] = mapped_column(String(70))


class MediaUse(Base):
    """A revision's lead photo, written with the revision: which photos a live article shows,
    and which revisions wait for a photo's renditions."""

    __tablename__ = "media_uses"
    __table_args__ = (UniqueConstraint("article_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    revision: Mapped[int] = mapped_column(Integer)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), index=True)


class MediaBlob(Base):
    """The bytes of the database media store (MEDIA_STORE=database), by key."""

    __tablename__ = "media_blobs"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The tables themselves, for the hot paths that write with plain INSERTs.
ARTICLES = cast(Table, Article.__table__)
REVISIONS = cast(Table, Revision.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)
SNIPPETS = cast(Table, Snippet.__table__)
DOCUMENTS = cast(Table, Document.__table__)
FEED_CHANGES = cast(Table, FeedChange.__table__)
TAG_CHANGES = cast(Table, TagChange.__table__)
ARCHIVE_CHANGES = cast(Table, ArchiveChange.__table__)
LISTING_CHANGES = cast(Table, ListingChange.__table__)
MEDIA_USES = cast(Table, MediaUse.__table__)
