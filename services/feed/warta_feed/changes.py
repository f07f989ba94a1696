"""What changed since the last rebuild: the change rows that going live and retracting write,
and the feeds, archives and sitemaps they touch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from warta import document_paths as paths
from warta.articles import live_columns
from warta.db import in_batches
from warta.models import FEED_CHANGES, Article, Document, Revision
from warta.tags import is_section
from warta_feed.sitemaps import sitemap_number

# The most changes one rebuild takes on; the rest wait for the next one.
MAX_CHANGES = 20_000
# RFC 5005 archive documents hold the articles of one block of ids each.
ARCHIVE_SIZE = 100


def archive_block(article_id: int) -> int:
    return (article_id - 1) // ARCHIVE_SIZE + 1


def newest_block(session: Session) -> int:
    """The archive block of the newest live article (0 when none is live)."""
    newest_id = session.scalar(
        select(func.max(Article.id)).where(Article.live_revision.is_not(None))
    )
    return archive_block(newest_id) if newest_id else 0


@dataclass
class Scope:
    """What one rebuild redoes: the global feed and the news sitemap always; the rest only
    where an article changed (everything when `full`). `change_ids` are the change rows read;
    `tags` and `archive_blocks` are what `rebuild_tag_feeds_and_archives` must redo after it."""

    full: bool
    office_ids: set[int] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    archive_blocks: set[int] = field(default_factory=set)
    sitemaps: set[int] = field(default_factory=set)
    change_ids: list[int] = field(default_factory=list)


def rebuild_scope(session: Session, full: bool) -> Scope:
    """The feeds and sitemaps that the changed articles (published, revised, retracted) appear
    in, before or after the change."""
    changes = session.execute(
        select(FEED_CHANGES.c.id, FEED_CHANGES.c.article_id)
        .order_by(FEED_CHANGES.c.id)
        .limit(MAX_CHANGES)
    ).all()
    scope = Scope(full=full, change_ids=[change_id for change_id, _ in changes])
    if full:
        scope.tags = _every_tag(session)
        return scope
    ids = sorted({article_id for _, article_id in changes})
    for chunk in in_batches(ids):
        for article_id, office_id in session.execute(
            select(Article.id, Article.office_id).where(Article.id.in_(chunk))
        ):
            scope.office_ids.add(office_id)
            scope.archive_blocks.add(archive_block(article_id))
            scope.sitemaps.add(sitemap_number(article_id))
        # Every revision's tags: a tag that a new revision dropped loses the article too.
        for tags in session.scalars(select(Revision.tags).where(Revision.article_id.in_(chunk))):
            scope.tags.update(tag["slug"] for tag in tags or [] if is_section(tag))
    return scope


def _every_tag(session: Session) -> set[str]:
    """The tags of every live article, and those that have a feed still (whose every article
    has gone since)."""
    tag_feeds = paths.feed_document(paths.tag_feed("%"), "rss")
    stored = session.scalars(select(Document.path).where(Document.path.like(tag_feeds)))
    tags = {path.split("/")[1] for path in stored}
    rows = session.execute(
        live_columns(Article.id, Revision.tags).execution_options(yield_per=1000)
    )
    for _, revision_tags in rows:
        tags.update(tag["slug"] for tag in revision_tags or [] if is_section(tag))
    return tags


def recorded(session: Session, table: Table, column: Any) -> dict[int, Any]:
    """The oldest rows of a change table, up to MAX_CHANGES: id -> what changed."""
    rows = session.execute(select(table.c.id, column).order_by(table.c.id).limit(MAX_CHANGES))
    return {change_id: changed for change_id, changed in rows}


def forget_changes(session: Session, table: Table, change_ids: list[int]) -> None:
    # By id, not "up to the newest": a change with a smaller id may commit after this read.
    for chunk in in_batches(change_ids):
        session.execute(delete(table).where(table.c.id.in_(chunk)))
