"""Coalesced jobs on a real Redis: a burst schedules one run, runs never overlap, and a slow
run spaces the next one out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import kombu.exceptions
import pytest
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


def test_a_retry_takes_back_the_lock_its_failed_attempt_left(redis_url: str) -> None:
    client, app = redis.Redis.from_url(redis_url), create_celery(redis_url)
    client.set(JOB.key("running"), "task-1", ex=60)  # the attempt could not release it
    with JOB.run(client, app, owner="task-1") as retried:
        assert retried
    with JOB.run(client, app, owner="task-2") as next_run:
        assert next_run  # released this time


def test_a_request_whose_message_cannot_be_sent_leaves_no_pending_flag(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    unreachable = create_celery("redis://127.0.0.1:1/0")
    unreachable.conf.broker_connection_timeout = 0.2
    unreachable.conf.task_publish_retry_policy = {"max_retries": 0}
    with pytest.raises(kombu.exceptions.OperationalError):
        JOB.request(client, unreachable)
    assert not client.exists(JOB.key("pending"))
