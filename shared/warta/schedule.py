"""Scheduled publishing that survives restarts: the schedule lives in the database.

A revision whose `publish_at` is in the future waits in status `scheduled`. A sweep (run by the
outbox relay, every second) finds those whose time has come, sets them back to `rendered` and
commits a publish message to the outbox in the same transaction. Nothing waits in the broker,
so a restart of every process, Redis included, loses no scheduled report; a late sweep only
publishes late."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Select, select

from warta.db import session_scope
from warta.messages import revision_message
from warta.models import Article, Revision, utcnow
from warta.outbox import add_message
from warta.pipeline import PUBLISH, Status

log = logging.getLogger(__name__)

SWEEP_SECONDS = 1.0


def due_revisions(now: datetime) -> Select[Revision]:
    """Scheduled revisions whose time has come; only an article's newest one goes live (an
    older scheduled one was replaced before its time), and never a retracted article's."""
    return (
        select(Revision)
        .join(Article, Article.id == Revision.article_id)
        .where(
            Revision.status == Status.SCHEDULED,
            Revision.publish_at <= now,
            Revision.number == Article.current_revision,
            Article.retracted_at.is_(None),
        )
        .order_by(Revision.publish_at)
    )


def release_due(database_url: str, now: datetime | None = None, limit: int = 500) -> int:
    """Queue the publish stage of every due revision; returns how many were released."""
    now = now or utcnow()
    # Look first without the write lock (SQLite has one writer): usually nothing is due.
    with session_scope(database_url, writer=False) as session:
        if session.scalar(due_revisions(now).limit(1)) is None:
            return 0
    with session_scope(database_url) as session:
        revisions = session.scalars(due_revisions(now).limit(limit).with_for_update()).all()
        for revision in revisions:
            revision.status, revision.progressed_at = Status.RENDERED, now
            add_message(session, PUBLISH, revision_message(revision.article_id, revision.number))
    log.info("released %d scheduled revision(s)", len(revisions))
    return len(revisions)
