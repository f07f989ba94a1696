"""The transactional outbox: a message is committed with the change it announces, and a relay
sends it to the broker afterwards. A submission accepted while Redis is down waits here."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from celery import Celery
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from warta.db import session_scope
from warta.models import OUTBOX, OutboxMessage
from warta.request_ids import bind_request_id, current_request_id

log = logging.getLogger(__name__)

Send = Callable[[str, dict[str, Any]], None]


def add_message(session: Session, task: str, payload: dict[str, Any]) -> None:
    """Queue `task` to be sent once (and only if) the session's transaction commits."""
    # A plain INSERT: cheaper than the unit of work, and it is in the same transaction all the same.
    session.execute(
        insert(OUTBOX).values(task=task, payload=payload, request_id=current_request_id())
    )


def backlog(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def relay_batch(database_url: str, send: Send, limit: int = 500) -> int:
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
        for row in rows:
            bind_request_id(row.request_id)  # the message carries it on as a header
            send(row.task, row.payload)
            sent.append(row.id)
    finally:
        bind_request_id(None)
        if sent:
            with session_scope(database_url) as session:
                session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(sent)))
    return len(sent)


def celery_sender(app: Celery) -> Send:
    def send(task: str, payload: dict[str, Any]) -> None:
        app.send_task(task, kwargs=payload)

    return send


def relay_forever(
    database_url: str, send: Send, idle_seconds: float = 0.2, stop: threading.Event | None = None
) -> None:
    """Relay until SIGTERM/SIGINT (or `stop`); back off while the broker is unreachable."""
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
        if sent == 0:
            stop.wait(idle_seconds)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop
