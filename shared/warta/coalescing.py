"""Coalesced jobs: rebuilds that the database asks for and the relay sends when they are due.

A job's work waits as rows of its change tables (`feed_changes` for the feeds' rebuild,
`tag_changes` and `archive_changes`, `listing_changes`), written in the transaction that makes
the change, and deleted by the run that reads them. The relay looks a few times a second
(`DueJobs.send_due`) and sends a job's task when rows wait and the job is due:

- the rows have waited `min_delay`, so a burst of changes is read by one run;
- no run holds the job's lock: runs never overlap;
- the job is not resting: runs start at least `min_interval` apart, and a run that took t
  seconds is followed by t seconds of rest (rebuilding more often than a rebuild takes cannot
  help);
- no message the relay sent is still on its way: the run that takes it clears the flag, and
  should it be lost, the flag lapses after `resend_after` seconds and the relay sends again.

No message waits in the broker for its time (no countdown), and every flag lapses within
seconds: a lost message, a dead worker or a Redis restart delays a job by seconds, and can never
stop the next one. Redis keys: `warta:job:<name>:running` (the lock), `:resting`, `:sent`."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from redis import Redis
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from warta.db import session_scope
from warta.messages import REBUILD_FEEDS, REBUILD_TAGS_AND_ARCHIVES, RENDER_LISTINGS
from warta.models import ARCHIVE_CHANGES, FEED_CHANGES, LISTING_CHANGES, TAG_CHANGES

log = logging.getLogger(__name__)

Send = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class CoalescedJob:
    name: str
    task: str
    changes: tuple[Table, ...]  # rows in any of these ask for a run
    min_delay: float = 1.0
    min_interval: float = 0.0
    # The lock lapses this long after its run stopped renewing it (the worker died).
    running_ttl: int = 10
    resend_after: int = 10

    def key(self, part: str) -> str:
        return f"warta:job:{self.name}:{part}"

    def busy(self, redis: Redis) -> bool:
        """Whether a run holds the lock, the job rests, or a message is on its way."""
        return bool(redis.exists(self.key("running"), self.key("resting"), self.key("sent")))

    def send(self, redis: Redis, send: Send) -> None:
        # Flagged before it is sent: a worker may take the message before `send` returns.
        redis.set(self.key("sent"), "1", ex=self.resend_after)
        try:
            send(self.task, {})
        except Exception:
            redis.delete(self.key("sent"))
            raise

    @contextmanager
    def run(self, redis: Redis, owner: str | None = None) -> Iterator[bool]:
        """Around one run: yields whether to go ahead. While another run holds the lock this
        one steps aside; the rows it would have read still wait, and the relay sends again.

        `owner` (the task's id) lets a retry of the same task take back a lock that its failed
        attempt could not release, as when Redis went away at the end of a run."""
        token = owner or uuid.uuid4().hex
        running, resting = self.key("running"), self.key("resting")
        redis.delete(self.key("sent"))  # the message is taken: the relay may send the next
        if not redis.set(running, token, nx=True, ex=self.running_ttl):
            if redis.get(running) != token.encode():
                yield False
                return
            redis.expire(running, self.running_ttl)
        if self.min_interval:
            redis.set(resting, "1", px=int(self.min_interval * 1000))
        started = time.monotonic()
        keeper = _LockKeeper(redis, running, token, self.running_ttl)
        try:
            yield True
        finally:
            keeper.stop()
            took = int((time.monotonic() - started) * 1000)
            rest = max(took, cast(int, redis.pttl(resting)))
            if rest > 0:
                redis.set(resting, "1", px=rest)
            if redis.get(running) == token.encode():
                redis.delete(running)


class _LockKeeper:
    """Renews a run's lock while the run goes on, so that a short lock never lapses under a
    long run, and a dead run's lock lapses soon."""

    def __init__(self, redis: Redis, key: str, token: str, ttl: int) -> None:
        self.redis, self.key, self.token, self.ttl = redis, key, token.encode(), ttl
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._renew, daemon=True, name=f"lock {key}")
        self.thread.start()

    def _renew(self) -> None:
        while not self.stopped.wait(self.ttl / 3):
            try:
                if self.redis.get(self.key) == self.token:
                    self.redis.expire(self.key, self.ttl)
            except Exception as error:  # Redis is away: the run's own calls will say so
                log.debug("could not renew %s: %s", self.key, error)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


FEED_REBUILD = CoalescedJob("feeds-rebuild", REBUILD_FEEDS, (FEED_CHANGES,), min_delay=0.25)
# Tag feeds, which aggregators poll least, and archives, which they read to catch up on
# history, follow the main rebuild within seconds: a stream of reports costs one of their
# runs every 10 s, not one each main rebuild. Every 3 s, their runs overlapped the main
# rebuilds on two cores often enough to lengthen them (p99 at 50 reports/s 1.90-2.00 s,
# against 1.40-1.83 s every 10 s).
TAGS_AND_ARCHIVES = CoalescedJob(
    "feeds-tags-and-archives",
    REBUILD_TAGS_AND_ARCHIVES,
    (TAG_CHANGES, ARCHIVE_CHANGES),
    min_interval=10.0,
)
# A new article shifts every listing page (hundreds of documents): under a stream of reports
# readers' pages follow within seconds, while the feeds, which aggregators poll, are rebuilt
# as often as a rebuild allows.
LISTINGS_RENDER = CoalescedJob(
    "listings-render", RENDER_LISTINGS, (LISTING_CHANGES,), min_interval=5.0
)
JOBS = (FEED_REBUILD, TAGS_AND_ARCHIVES, LISTINGS_RENDER)


def note_listing_change(session: Session, reason: str) -> None:
    """The listing pages are to be composed again once this commits."""
    session.execute(insert(LISTING_CHANGES), {"reason": reason})


def waiting_jobs(session: Session, jobs: tuple[CoalescedJob, ...] = JOBS) -> set[str]:
    """The jobs whose change tables hold rows (one query)."""
    tables = sorted({table for job in jobs for table in job.changes}, key=lambda t: t.name)
    found = session.execute(select(*(select(t.c.id).exists() for t in tables))).one()
    nonempty = {table.name for table, has_rows in zip(tables, found, strict=True) if has_rows}
    return {job.name for job in jobs if any(t.name in nonempty for t in job.changes)}


class DueJobs:
    """The relay's side: sends each job's task when rows wait and it is due."""

    def __init__(
        self, database_url: str, redis: Redis, send: Send, jobs: tuple[CoalescedJob, ...] = JOBS
    ) -> None:
        self.database_url, self.redis, self.sending, self.jobs = database_url, redis, send, jobs
        # When the relay first saw each job's rows waiting (its own clock: the workers' may
        # differ from it).
        self.seen: dict[str, float] = {}

    def send_due(self) -> list[str]:
        """Send the due jobs; returns their names."""
        with session_scope(self.database_url, writer=False) as session:
            waiting = waiting_jobs(session, self.jobs)
        now, sent = time.monotonic(), []
        for job in self.jobs:
            if job.name not in waiting:
                self.seen.pop(job.name, None)
                continue
            seen = self.seen.setdefault(job.name, now)
            if now - seen < job.min_delay or job.busy(self.redis):
                continue
            job.send(self.redis, self.sending)
            del self.seen[job.name]
            sent.append(job.name)
        return sent
