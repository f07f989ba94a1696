"""Coalesced jobs: a burst of requests costs one run, runs never overlap, and a run that took
long spaces the next one out (rebuilding more often than a rebuild takes cannot help).

State lives in Redis, so it holds across every worker process and host:
`warta:job:<name>:pending` (a run is scheduled), `:running` (a run holds the lock) and
`:seconds` (how long the last run took)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from celery import Celery
from redis import Redis

from warta.messages import REBUILD_FEEDS, RENDER_LISTINGS


@dataclass(frozen=True)
class CoalescedJob:
    name: str
    task: str
    min_delay: float = 1.0
    max_delay: float = 30.0
    pending_ttl: int = 120  # should the scheduled message be lost, a later request asks again
    running_ttl: int = 600  # longer than any run (task_time_limit is 120 s)

    def key(self, part: str) -> str:
        return f"warta:job:{self.name}:{part}"

    def request(self, redis: Redis, app: Celery) -> bool:
        """Ask for a run soon; True if this request scheduled one (the first of a burst)."""
        if not redis.set(self.key("pending"), "1", nx=True, ex=self.pending_ttl):
            return False
        last = float(redis.get(self.key("seconds")) or 0)
        app.send_task(self.task, countdown=min(self.max_delay, max(self.min_delay, last)))
        return True

    @contextmanager
    def run(self, redis: Redis, app: Celery) -> Iterator[bool]:
        """Around one run: yields whether to go ahead. While another run holds the lock this one
        steps aside and comes back later; the pending flag stays, so requests keep coalescing."""
        token = uuid.uuid4().hex
        if not redis.set(self.key("running"), token, nx=True, ex=self.running_ttl):
            app.send_task(self.task, countdown=self.min_delay)
            yield False
            return
        # Cleared before the run reads anything: a request from now on schedules another run.
        redis.delete(self.key("pending"))
        started = time.monotonic()
        try:
            yield True
        finally:
            redis.set(self.key("seconds"), f"{time.monotonic() - started:.3f}", ex=3600)
            if redis.get(self.key("running")) == token.encode():
                redis.delete(self.key("running"))


FEED_REBUILD = CoalescedJob("feeds-rebuild", REBUILD_FEEDS)
LISTINGS_RENDER = CoalescedJob("listings-render", RENDER_LISTINGS)
