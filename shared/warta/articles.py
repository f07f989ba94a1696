"""Queries over articles that more than one service asks."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager

from warta.models import Article, FeedChange, Revision, utcnow


def live_articles() -> Select[Article, Revision]:
    """Every article the public sees, with its live revision and its office loaded."""
    return (
        select(Article, Revision)
        .join(
            Revision,
            (Revision.article_id == Article.id) & (Revision.number == Article.live_revision),
        )
        .join(Article.office)
        .options(contains_eager(Article.office))
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
