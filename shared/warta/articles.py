"""Queries over articles that more than one service asks."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from warta.models import Article, Revision


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
