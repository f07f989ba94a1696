"""Tasks that failed for good: recorded with their reason, listed, and replayed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warta.models import Failure, Revision, utcnow
from warta.outbox import add_message
from warta.pipeline import STATUS_BEFORE, Status
from warta.request_ids import current_request_id


def record_failure(session: Session, task: str, payload: dict[str, Any], error: str) -> Failure:
    """Record the failure; a revision the task was taking through a stage fails with it."""
    failure = Failure(task=task, payload=payload, error=error, request_id=current_request_id())
    session.add(failure)
    revision = _revision(session, payload)
    if revision is not None and task in STATUS_BEFORE and revision.status != Status.PUBLISHED:
        revision.status, revision.error = Status.FAILED, error
    return failure


def open_failures(session: Session, everything: bool = False) -> list[Failure]:
    query = select(Failure).order_by(Failure.id)
    if not everything:
        query = query.where(Failure.replayed_at.is_(None))
    return list(session.scalars(query))


def replay_failure(session: Session, failure: Failure) -> None:
    """Send the task again (through the outbox), its revision put back where it failed."""
    revision = _revision(session, failure.payload)
    if revision is not None and revision.status == Status.FAILED and failure.task in STATUS_BEFORE:
        revision.status, revision.error = STATUS_BEFORE[failure.task], None
        revision.progressed_at = utcnow()
    add_message(session, failure.task, failure.payload)
    failure.replayed_at = utcnow()


def _revision(session: Session, payload: dict[str, Any]) -> Revision | None:
    if "article_id" not in payload or "revision" not in payload:
        return None
    return session.scalar(
        select(Revision).where(
            Revision.article_id == payload["article_id"], Revision.number == payload["revision"]
        )
    )
