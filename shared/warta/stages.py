"""One stage of the pipeline run on the revisions a message names: safe to run twice,
forwarded after commit.

A stage task is transport: it names its stage, a pure `prepare` step that computes the result
from the loaded revision, and an `apply` step that writes the result (and may hold the revision
in another status, which then stops its flow here). A message names one revision, or a batch
of them (the relay batches what it finds waiting): the whole batch is one transaction with the
revisions' rows locked, and goes on to the next stage as one message. A stage computes for a
few milliseconds, and a task and a transaction per revision cost more than the compute itself.
A duplicate delivery waits for the locks and then finds the stage done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import celery
import kombu.exceptions
import redis.exceptions
import sqlalchemy.exc
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, joinedload

from warta.celery_app import app
from warta.db import session_scope
from warta.failures import record_failure
from warta.messages import batch_message, revision_message
from warta.metrics import STAGE_REVISIONS
from warta.models import Article, Revision, utcnow
from warta.pipeline import Stage, Status, next_stage, stage_reached
from warta.request_ids import bind_request_id, current_request_id
from warta.settings import get_settings

log = logging.getLogger(__name__)

T = TypeVar("T")


class NotForwarded(Exception):
    """The stage committed, but its message to the next stage could not be sent."""


# Errors that pass (a database or broker restart): the task is retried with backoff.
TRANSIENT_ERRORS = (
    NotForwarded,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    redis.exceptions.ConnectionError,
    kombu.exceptions.OperationalError,
)


# celery-types makes Task generic for the checker; at run time it is a plain class.
if TYPE_CHECKING:
    BaseTask = celery.Task[Any, None]
else:
    BaseTask = celery.Task


class RecordedTask(BaseTask):
    """A task whose final failure (out of retries or time, or a bug) is recorded for replay
    and shown in the status of the revision it was working on."""

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        error = f"{type(exc).__name__}: {exc}"
        payloads = [dict(kwargs or {})]
        if "revisions" in payloads[0]:  # a batch: each revision fails (and is replayed) alone
            payloads = [item.message() for item in stage_items(payloads[0])]
        try:
            with session_scope(get_settings().database_url) as session:
                for payload in payloads:
                    record_failure(session, self.name, payload, error)
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


@dataclass(frozen=True)
class Item:
    """One revision that a stage message names, with the request id that follows it."""

    article_id: int
    number: int
    request_id: str | None

    @property
    def key(self) -> tuple[int, int]:
        return self.article_id, self.number

    def message(self) -> dict[str, int]:
        return revision_message(self.article_id, self.number)


def stage_items(message: dict[str, Any]) -> list[Item]:
    """The revisions a stage message names: one (its request id in the message's header),
    or a batch (each with its own)."""
    if "revisions" in message:
        return [
            Item(int(entry["article_id"]), int(entry["revision"]), entry.get("request_id"))
            for entry in message["revisions"]
        ]
    return [Item(int(message["article_id"]), int(message["revision"]), current_request_id())]


def send_items(task: str, items: list[Item]) -> None:
    """One revision as a plain message, several as one batch message."""
    if len(items) == 1:
        with request_id_bound(items[0].request_id):  # the header carries it
            app.send_task(task, kwargs=items[0].message())
        return
    message = batch_message([(item.message(), item.request_id) for item in items])
    with request_id_bound(None):
        app.send_task(task, kwargs=message)


@contextmanager
def request_id_bound(request_id: str | None) -> Iterator[None]:
    previous = current_request_id()
    bind_request_id(request_id)
    try:
        yield
    finally:
        bind_request_id(previous)


def load_revision(session: Session, article_id: int, number: int) -> Revision | None:
    return load_revisions(session, [(article_id, number)]).get((article_id, number))


def load_revisions(
    session: Session, keys: list[tuple[int, int]], *, for_update: bool = False
) -> dict[tuple[int, int], Revision]:
    query = (
        select(Revision)
        .where(tuple_(Revision.article_id, Revision.number).in_(keys))
        .options(joinedload(Revision.article).joinedload(Article.office))
        # One order for every batch: two deliveries that overlap lock their rows in turn.
        .order_by(Revision.article_id, Revision.number)
    )
    if for_update:
        # Two deliveries of one message writing at once take turns (PostgreSQL; SQLite's
        # writer lock already serialises them); the second then finds the stage done.
        query = query.with_for_update(of=Revision)
    return {(r.article_id, r.number): r for r in session.scalars(query)}


def run_stage(
    stage: Stage,
    message: dict[str, Any],
    prepare: Callable[[Revision], T],
    apply: Callable[[Session, Revision, T], str | None],
) -> list[Item]:
    """Take the message's revisions through `stage`; returns those sent on to the next stage
    (or that would be, after the last)."""
    items = stage_items(message)
    try:
        onward = _run_batch(stage, items, prepare, apply)
    except TRANSIENT_ERRORS:
        raise  # the whole message is retried
    except Exception:
        if len(items) == 1:
            raise
        # One revision broke the batch (a bug, a time limit): each goes again on its own, so
        # only the one at fault fails, with its own recorded reason.
        log.exception("a batch of %d failed at %s; sending each on its own", len(items), stage.name)
        for item in items:
            _forward(stage.task, [item])
        return []
    following = next_stage(stage)
    if following is not None and onward:
        _forward(following.task, onward)
    return onward


def _forward(task: str, items: list[Item]) -> None:
    try:
        send_items(task, items)
    except Exception as error:
        # Whatever the broker's client raised (kombu raises AttributeError, not a connection
        # error, when Redis went away under it): the retry finds the stage done and forwards.
        raise NotForwarded(f"{type(error).__name__}: {error}") from error


def _run_batch(
    stage: Stage,
    items: list[Item],
    prepare: Callable[[Revision], T],
    apply: Callable[[Session, Revision, T], str | None],
) -> list[Item]:
    onward: list[Item] = []
    ran = 0
    with session_scope(get_settings().database_url) as session:
        revisions = load_revisions(session, [item.key for item in items], for_update=True)
        # Every revision's changes go in one flush at the commit, a statement per table, not a
        # round trip per revision each time the next one's first query flushed them.
        with session.no_autoflush:
            for item in items:
                with request_id_bound(item.request_id):
                    this_ran, goes_on = _run_one(
                        session, stage, item, revisions.get(item.key), prepare, apply
                    )
                ran += this_ran
                if goes_on:
                    onward.append(item)
    STAGE_REVISIONS.labels(stage.name).inc(ran)  # once committed
    return onward


def _run_one(
    session: Session,
    stage: Stage,
    item: Item,
    revision: Revision | None,
    prepare: Callable[[Revision], T],
    apply: Callable[[Session, Revision, T], str | None],
) -> tuple[bool, bool]:
    """Whether the stage ran on the revision, and whether the revision goes on to the next."""
    if revision is None:
        log.warning("no revision %s/%s; message dropped", *item.key)
        return False, False
    # Another delivery of the same message may have been here first.
    if revision.status == Status.FAILED:
        return False, False
    if stage_reached(revision.status, stage.reaches):
        return False, True
    try:
        outcome = prepare(revision)
    except Rejected as rejection:
        record_failure(session, stage.task, item.message(), f"{stage.name}: {rejection}")
        log.info("revision %s/%s failed at %s: %s", *item.key, stage.name, rejection)
        return True, False
    # `apply` may name another status than the stage's own (e.g. scheduled).
    status = apply(session, revision, outcome)
    revision.status, revision.progressed_at = status or stage.reaches, utcnow()
    log.info("revision %s/%s %s", *item.key, revision.status)
    return True, status is None
