"""The transactional outbox: a message is committed with the change it announces, and a relay
sends it to the broker afterwards. A submission accepted while Redis is down waits here."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from celery import Celery
from sqlalchemy import Row, delete, func, insert, select
from sqlalchemy.orm import Session

from warta.db import session_scope
from warta.messages import BATCH_SIZE, batch_message, is_revision_message
from warta.models import OUTBOX, OutboxMessage
from warta.pipeline import STAGE_OF_TASK
from warta.request_ids import bind_request_id, current_request_id

log = logging.getLogger(__name__)

# Messages that name one revision for a stage: the relay sends those waiting together as one.
BATCHED_TASKS = frozenset(STAGE_OF_TASK)
RELAY_LIMIT = 500  # messages read at a time

Send = Callable[[str, dict[str, Any]], None]
# A message to send: task, payload, the outbox rows it stands for, the request id (header).
Outgoing = tuple[str, dict[str, Any], list[int], str | None]


# A plain INSERT, built once: cheaper than the unit of work (or than a statement built per
# message), and it is in the same transaction all the same.
NEW_MESSAGE = insert(OUTBOX)


def add_message(session: Session, task: str, payload: dict[str, Any]) -> None:
    """Queue `task` to be sent once (and only if) the session's transaction commits."""
    session.execute(
        NEW_MESSAGE, {"task": task, "payload": payload, "request_id": current_request_id()}
    )


def backlog(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def relay_batch(database_url: str, send: Send, limit: int = RELAY_LIMIT) -> int:
    """Send up to `limit` waiting messages, oldest first; returns how many were sent.

    Reading, sending and deleting are separate steps so that no database lock is held while
    talking to Redis. A crash between send and delete sends a message twice, which the
    idempotent tasks absorb; a failed send deletes nothing.
    """
    with session_scope(database_url, writer=False) as session:
        rows = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.task,
                OutboxMessage.payload,
                OutboxMessage.request_id,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
    sent: list[int] = []
    try:
        for task, payload, ids, request_id in _messages(rows):
            bind_request_id(request_id)  # the message carries it on as a header
            send(task, payload)
            sent.extend(ids)
    finally:
        bind_request_id(None)
        if sent:
            with session_scope(database_url) as session:
                session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(sent)))
    return len(sent)


def _messages(rows: Sequence[Row[Any]]) -> Iterator[Outgoing]:
    """What to send for the rows, oldest first: the stage messages of each task in batches of
    up to BATCH_SIZE revisions (each keeping its request id), every other message as it is."""
    batches: dict[str, list[Row[Any]]] = {}
    for row in rows:
        if row.task in BATCHED_TASKS and is_revision_message(row.payload):
            batch = batches.setdefault(row.task, [])
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                yield _batch(batches.pop(row.task))
        else:
            yield row.task, row.payload, [row.id], row.request_id
    for batch in batches.values():
        yield _batch(batch)


def _batch(rows: list[Row[Any]]) -> Outgoing:
    if len(rows) == 1:
        return rows[0].task, rows[0].payload, [rows[0].id], rows[0].request_id
    message = batch_message([(row.payload, row.request_id) for row in rows])
    return rows[0].task, message, [row.id for row in rows], None


def celery_sender(app: Celery) -> Send:
    def send(task: str, payload: dict[str, Any]) -> None:
        app.send_task(task, kwargs=payload)

    return send


def relay_forever(
    database_url: str, send: Send, idle_seconds: float = 0.2, stop: threading.Event | None = None
) -> None:
    """Relay until SIGTERM/SIGINT (or `stop`); back off while the broker is unreachable.

    Once the outbox is empty the relay waits `idle_seconds` before it looks again, so under a
    stream of reports it finds those that came meanwhile together and sends them as batches."""
    stop = stop or _stop_on_signals()
    failures = 0
    while not stop.is_set():
        try:
            sent = relay_batch(database_url, send)
        except Exception as error:  # the broker or the database is away: wait and try again
            failures += 1
            delay = min(5.0, 0.2 * 2**failures)
            log.warning("outbox relay failed (%s); retrying in %.1fs", error, delay)
            stop.wait(delay)
            continue
        if failures:
            log.info("outbox relay recovered after %d failed attempts", failures)
            failures = 0
        if sent < RELAY_LIMIT:
            stop.wait(idle_seconds)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop
