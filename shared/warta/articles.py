"""An article's life in public (going live, retracting) and the queries over articles that
more than one service asks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from warta.models import Article, FeedChange, Revision, utcnow
from warta.pipeline import Status

# The lead image of a revision, read without decoding its whole submission.
LEAD_IMAGE = Revision.submission["image"]


def live_columns(*columns: Any) -> Select[Any]:
    """`columns` of every article the public sees, joined to its live revision (the first
    column names the article's table, as `Article.id` does)."""
    return (
        select(*columns)
        .join(
            Revision,
            (Revision.article_id == Article.id) & (Revision.number == Article.live_revision),
        )
        .where(Article.retracted_at.is_(None))
    )


def note_feed_change(session: Session, article_id: int) -> None:
    """The article's feeds, archives and sitemaps are to be rebuilt once this commits."""
    session.add(FeedChange(article_id=article_id))  # flushed with the rest of the change


def retract(session: Session, article: Article) -> bool:
    """Take the article off every feed, sitemap and page; False if it was retracted already."""
    if article.retracted_at is not None:
        return False
    article.retracted_at = utcnow()
    note_feed_change(session, article.id)
    return True


def go_live(session: Session, revision: Revision) -> str | None:
    """Make `revision` the article's live one; returns `scheduled` if its time has not come."""
    now = utcnow()
    if revision.publish_at > now:
        return Status.SCHEDULED
    article = revision.article
    if article.retracted_at is not None:
        return None
    if article.live_revision is not None and article.live_revision >= revision.number:
        return None  # a newer revision is live already; this one only completes its stages
    article.live_revision = revision.number
    article.changed_at = now
    note_feed_change(session, article.id)
    if article.published_at is None:
        article.published_at = revision.publish_at
        article.updated_at = revision.publish_at
    else:
        article.updated_at = now
    return None
