"""One stage of the pipeline run on one revision: safe to run twice, forwarded after commit.

A stage task is transport: it names its stage, a pure `prepare` step that computes the result
from the loaded revision, and an `apply` step that writes the result (and may hold the revision
in another status, which then stops the flow here). All of it is one transaction with the
revision's row locked: a stage computes for a few milliseconds, and a second transaction (read,
then write) cost more than the compute itself. A duplicate delivery waits for the lock and then
finds the stage done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import celery
import kombu.exceptions
import redis.exceptions
import sqlalchemy.exc
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from warta.celery_app import app
from warta.db import session_scope
from warta.failures import record_failure
from warta.messages import STAGE_TASKS, revision_message
from warta.models import FAILED, Article, Revision, stage_reached
from warta.settings import get_settings

log = logging.getLogger(__name__)

T = TypeVar("T")

# Errors that pass (a database or broker restart): the task is retried with backoff.
TRANSIENT_ERRORS = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    redis.exceptions.ConnectionError,
    kombu.exceptions.OperationalError,
)


class RecordedTask(celery.Task):
    """A task whose final failure (out of retries or time, or a bug) is recorded for replay
    and shown in the status of the revision it was working on."""

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        error = f"{type(exc).__name__}: {exc}"
        try:
            with session_scope(get_settings().database_url) as session:
                record_failure(session, self.name, dict(kwargs or {}), error)
        except Exception:  # the database itself may be what failed; the log keeps it
            log.exception("could not record the failure of %s %s: %s", self.name, kwargs, error)


STAGE_TASK_OPTIONS: dict[str, Any] = {
    "base": RecordedTask,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 12,
}


class Rejected(Exception):
    """The report itself cannot go through this stage; the revision fails with this reason."""


def load_revision(
    session: Session, article_id: int, number: int, *, for_update: bool = False
) -> Revision | None:
    query = (
        select(Revision)
        .where(Revision.article_id == article_id, Revision.number == number)
        .options(joinedload(Revision.article).joinedload(Article.office))
    )
    if for_update:
        # Two deliveries of one message writing at once take turns (PostgreSQL; SQLite's
        # writer lock already serialises them); the second then finds the stage done.
        query = query.with_for_update(of=Revision)
    return session.scalar(query)


def run_stage(
    stage: str,
    article_id: int,
    number: int,
    prepare: Callable[[Revision], T],
    apply: Callable[[Session, Revision, T], str | None],
    next_task: str | None = None,
) -> None:
    with session_scope(get_settings().database_url) as session:
        revision = load_revision(session, article_id, number, for_update=True)
        if revision is None:
            log.warning("no revision %s/%s; message dropped", article_id, number)
            return
        # Another delivery of the same message may have been here first.
        if revision.status == FAILED:
            return
        if not stage_reached(revision.status, stage):
            try:
                outcome = prepare(revision)
            except Rejected as rejection:
                record_failure(
                    session,
                    STAGE_TASKS[stage],
                    revision_message(article_id, number),
                    f"{stage}: {rejection}",
                )
                log.info("revision %s/%s failed at %s: %s", article_id, number, stage, rejection)
                return
            # `apply` may name another status than the stage's own (e.g. scheduled).
            status = apply(session, revision, outcome)
            revision.status = status or stage
            log.info("revision %s/%s %s", article_id, number, revision.status)
            if status is not None:
                return
    if next_task:
        app.send_task(next_task, kwargs=revision_message(article_id, number))
