"""Coalesced jobs: a burst of requests costs one run, runs never overlap, and a run that took
long spaces the next one out (rebuilding more often than a rebuild takes cannot help).

State lives in Redis, so it holds across every worker process and host:
`warta:job:<name>:pending` (a run is scheduled), `:running` (a run holds the lock),
`:started` (when the last run started) and `:seconds` (how long it took)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

from celery import Celery
from redis import Redis

from warta.messages import REBUILD_FEEDS, REBUILD_TAGS_AND_ARCHIVES, RENDER_LISTINGS


@dataclass(frozen=True)
class CoalescedJob:
    name: str
    task: str
    min_delay: float = 1.0
    max_delay: float = 30.0
    # Runs start at least this far apart, however short they are (the first after a quiet
    # spell still comes after `min_delay`).
    min_interval: float = 0.0
    pending_ttl: int = 120  # should the scheduled message be lost, a later request asks again
    # The lock of a run that died with its worker (or outlived a Redis restart in the AOF)
    # lapses after this; a run longer than it may overlap the next, which costs a retry.
    running_ttl: int = 60

    def key(self, part: str) -> str:
        return f"warta:job:{self.name}:{part}"

    def request(self, redis: Redis, app: Celery) -> bool:
        """Ask for a run soon; True if this request scheduled one (the first of a burst)."""
        if not redis.set(self.key("pending"), "1", nx=True, ex=self.pending_ttl):
            return False
        stored = cast(list[bytes | None], redis.mget(self.key("seconds"), self.key("started")))
        last, started = (float(value or 0) for value in stored)
        wait = max(self.min_delay, last, self.min_interval - (time.time() - started))
        try:
            app.send_task(self.task, countdown=min(self.max_delay, wait))
        except Exception:
            # Not scheduled after all: the next request (the caller's retry) must try again.
            redis.delete(self.key("pending"))
            raise
        return True

    @contextmanager
    def run(self, redis: Redis, app: Celery, owner: str | None = None) -> Iterator[bool]:
        """Around one run: yields whether to go ahead. While another run holds the lock this one
        steps aside and comes back later; the pending flag stays, so requests keep coalescing.

        `owner` (the task's id) lets a retry of the same task take back a lock that its failed
        attempt could not release, as when Redis went away at the end of a run."""
        token = owner or uuid.uuid4().hex
        running = self.key("running")
        if not redis.set(running, token, nx=True, ex=self.running_ttl):
            if redis.get(running) != token.encode():
                app.send_task(self.task, countdown=self.min_delay)
                yield False
                return
            redis.expire(running, self.running_ttl)
        # Cleared before the run reads anything: a request from now on schedules another run.
        redis.delete(self.key("pending"))
        redis.set(self.key("started"), f"{time.time():.3f}", ex=3600)
        started = time.monotonic()
        try:
            yield True
        finally:
            redis.set(self.key("seconds"), f"{time.monotonic() - started:.3f}", ex=3600)
            if redis.get(running) == token.encode():
                redis.delete(running)


FEED_REBUILD = CoalescedJob("feeds-rebuild", REBUILD_FEEDS, min_delay=0.25)
# Tag feeds, which aggregators poll least, and archives, which they read to catch up on
# history, follow the main rebuild within seconds: a stream of reports costs one of their
# runs every 10 s, not one each main rebuild. Every 3 s, their runs overlapped the main
# rebuilds on two cores often enough to lengthen them (p99 at 50 reports/s 1.90-2.00 s,
# against 1.40-1.83 s every 10 s).
TAGS_AND_ARCHIVES = CoalescedJob(
    "feeds-tags-and-archives", REBUILD_TAGS_AND_ARCHIVES, min_interval=10.0
)
# A new article shifts every listing page (hundreds of documents): under a stream of reports
# readers' pages follow within seconds, while the feeds, which aggregators poll, are rebuilt
# as often as a rebuild allows.
LISTINGS_RENDER = CoalescedJob("listings-render", RENDER_LISTINGS, min_interval=5.0)
