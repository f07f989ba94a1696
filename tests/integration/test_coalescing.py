"""Coalesced jobs on a real Redis: a burst schedules one run, runs never overlap, and a slow
run spaces the next one out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import redis

from warta.celery_app import create_celery
from warta.coalescing import CoalescedJob
from warta.messages import REBUILD_FEEDS

JOB = CoalescedJob("test-rebuild", REBUILD_FEEDS)


def queued(client: redis.Redis) -> list[dict[str, object]]:
    return [json.loads(raw) for raw in client.lrange("feeds", 0, -1)]


def test_a_burst_of_requests_schedules_one_run(redis_url: str) -> None:
    client, app = redis.Redis.from_url(redis_url), create_celery(redis_url)
    scheduled = [JOB.request(client, app) for _ in range(100)]
    assert scheduled.count(True) == 1
    assert len(queued(client)) == 1


def test_runs_never_overlap_and_a_request_during_a_run_schedules_the_next(redis_url: str) -> None:
    client, app = redis.Redis.from_url(redis_url), create_celery(redis_url)
    JOB.request(client, app)
    client.delete("feeds")
    with JOB.run(client, app) as first:
        assert first
        assert JOB.request(client, app)  # the pending flag was cleared when the run began
        with JOB.run(client, app) as second:
            assert not second  # stepped aside, and sent itself again for later
    assert len(queued(client)) == 2
    with JOB.run(client, app) as third:
        assert third  # the lock was released


def test_a_slow_run_spaces_out_the_next(redis_url: str) -> None:
    client, app = redis.Redis.from_url(redis_url), create_celery(redis_url)
    client.set(JOB.key("seconds"), "7.5")  # the last run took 7.5 s
    before = datetime.now(UTC)
    JOB.request(client, app)
    eta = datetime.fromisoformat(str(queued(client)[0]["headers"]["eta"]))  # type: ignore[index]
    assert 7 <= (eta - before).total_seconds() <= 9
