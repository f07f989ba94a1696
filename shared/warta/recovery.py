"""Revisions whose stage message the broker lost go again: the database, not the broker,
knows what is in flight.

Celery's Redis transport can lose a message: a worker killed between taking it off the queue
and recording it as unacknowledged, or a Redis crash within the last second of its AOF. A
revision that has waited in a stage's status for longer than the broker's visibility timeout
(after which even an unacknowledged message would have come back), plus a margin, is sent to
its next stage again through the outbox. Stages are idempotent, so a message that was only
slow costs one duplicate delivery, never a second change."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from warta.db import session_scope
from warta.messages import revision_message
from warta.models import Revision, utcnow
from warta.outbox import add_message
from warta.pipeline import TASK_FOR_STATUS

log = logging.getLogger(__name__)

STALL_MARGIN_SECONDS = 60.0
SWEEP_EVERY_SECONDS = 10.0


def resend_stalled(
    database_url: str, stalled_after: float, now: datetime | None = None, limit: int = 500
) -> int:
    """Send the revisions that have not moved for `stalled_after` seconds on again; returns
    how many. Each is stamped as moved, so it goes again only after another such wait."""
    now = now or utcnow()
    stalled = (
        select(Revision)
        .where(
            Revision.status.in_(TASK_FOR_STATUS),
            Revision.progressed_at < now - timedelta(seconds=stalled_after),
        )
        .order_by(Revision.progressed_at)
        .limit(limit)
    )
    # Look first without the write lock (SQLite has one writer): usually nothing is stalled.
    with session_scope(database_url, writer=False) as session:
        if session.scalar(stalled.with_only_columns(Revision.id)) is None:
            return 0
    with session_scope(database_url) as session:
        revisions = session.scalars(stalled.with_for_update(skip_locked=True)).all()
        for revision in revisions:
            task = TASK_FOR_STATUS[revision.status]
            add_message(session, task, revision_message(revision.article_id, revision.number))
            revision.progressed_at = now
            log.warning(
                "revision %s/%s stalled as %s; sent to %s again",
                revision.article_id,
                revision.number,
                revision.status,
                task,
            )
    return len(revisions)
