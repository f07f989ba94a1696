"""The snippets of one revision (its card, its article fragment, its page), stored when the
revision is rendered and served as they are."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from warta.documents import strong_etag
from warta.models import SNIPPETS, Revision, Snippet


def add_snippets(session: Session, revision: Revision, snippets: dict[str, str]) -> None:
    """The first rendering of a revision (the render stage runs once per revision): written
    with the stage's other changes when the batch commits."""
    session.add_all(
        Snippet(
            article_id=revision.article_id,
            revision=revision.number,
            kind=kind,
            html=html,
            etag=strong_etag(html.encode()),
        )
        for kind, html in snippets.items()
    )


def store_snippets(session: Session, revision: Revision, snippets: dict[str, str]) -> None:
    """The revision's snippets, replacing any earlier rendering of it in the same commit."""
    key = (SNIPPETS.c.article_id == revision.article_id) & (SNIPPETS.c.revision == revision.number)
    session.execute(delete(SNIPPETS).where(key))
    add_snippets(session, revision, snippets)
