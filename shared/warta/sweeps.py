"""The relay's sweeps: small jobs on a clock, each in a thread of its own, that survive the
database being away (a failed sweep is logged and tried again at its next turn)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from warta.db import session_scope
from warta.models import IDEMPOTENCY_WINDOW, IdempotencyRecord, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    every: float  # seconds between the end of one run and the start of the next
    run: Callable[[], object]

    def forever(self, stop: threading.Event) -> None:
        failed_since: float | None = None
        last_said = 0.0
        while not stop.is_set():
            try:
                self.run()
            except Exception as error:  # the database or Redis is away: try on the next turn
                now = time.monotonic()
                failed_since = failed_since or now
                # Said once, then every half minute: some sweeps run several times a second.
                if now - last_said >= 30:
                    log.warning("%s sweep failed: %s", self.name, error)
                    last_said = now
            else:
                if failed_since is not None:
                    seconds = time.monotonic() - failed_since
                    log.info("%s sweep works again after %.1f s", self.name, seconds)
                    failed_since, last_said = None, 0.0
            stop.wait(self.every)


def run_sweeps(sweeps: list[Sweep], stop: threading.Event) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=sweep.forever, args=(stop,), name=sweep.name) for sweep in sweeps
    ]
    for thread in threads:
        thread.start()
    return threads


def purge_expired_answers(database_url: str, limit: int = 10_000) -> int:
    """Delete the idempotency answers older than their window (a few thousand rows per
    transaction, so a first purge of a large table holds no long lock); returns how many."""
    cutoff = utcnow() - IDEMPOTENCY_WINDOW - timedelta(minutes=5)  # clocks a little apart
    purged = 0
    while True:
        with session_scope(database_url) as session:
            ids = session.scalars(
                select(IdempotencyRecord.id)
                .where(IdempotencyRecord.created_at < cutoff)
                .limit(limit)
            ).all()
            if ids:
                session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(ids)))
        purged += len(ids)
        if len(ids) < limit:
            break
    if purged:
        log.info("purged %d expired idempotency answers", purged)
    return purged
