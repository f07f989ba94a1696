"""Coalesced jobs on a real Redis and database: changes wait as rows, a burst of them costs one
run, runs never overlap, a slow run spaces the next one out, and neither a lost message nor a
dead run can stop the next one for more than seconds."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import redis
from sqlalchemy import insert

from warta.coalescing import CoalescedJob, DueJobs
from warta.db import session_scope
from warta.messages import REBUILD_FEEDS
from warta.models import LISTING_CHANGES, TAG_CHANGES

JOB = CoalescedJob("test-rebuild", REBUILD_FEEDS, (TAG_CHANGES,), min_delay=0.2, resend_after=1)


class Sent(list[str]):
    """What the relay sent, and when (the broker is outside what these tests look at)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def __call__(self, task: str, payload: dict[str, object]) -> None:
        self.append(task)
        self.times.append(time.monotonic())


def add_changes(database_url: str, count: int = 1) -> None:
    with session_scope(database_url) as session:
        session.execute(insert(TAG_CHANGES), [{"tag": "pemilu"}] * count)


def send_for(due: DueJobs, seconds: float) -> None:
    """Look as the relay does, every 50 ms, for `seconds`."""
    send_while(due, lambda: True, seconds)


def send_while(due: DueJobs, condition: Callable[[], object], limit: float = 10.0) -> None:
    """Look as the relay does while `condition()` holds, for at most `limit` seconds. (The
    tests wait on what happened rather than on a time: a loaded machine is only later.)"""
    deadline = time.monotonic() + limit
    while condition() and time.monotonic() < deadline:
        due.send_due()
        time.sleep(0.05)


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


def test_a_burst_of_changes_sends_one_run_once_they_waited(
    database_url: str, client: redis.Redis
) -> None:
    sent = Sent()
    due = DueJobs(database_url, client, sent, (JOB,))
    due.send_due()
    assert sent == []  # nothing waits
    add_changes(database_url, 100)
    due.send_due()
    first_look = time.monotonic()
    assert sent == []  # the first look starts the wait for the rest of the burst
    send_while(due, lambda: not sent)
    assert sent == [REBUILD_FEEDS]
    assert sent.times[0] - first_look >= JOB.min_delay
    # One message for the burst, none while it is on its way (half the time its flag lives).
    send_while(due, lambda: time.monotonic() < sent.times[0] + JOB.resend_after / 2)
    assert sent == [REBUILD_FEEDS]


def test_only_the_jobs_whose_changes_wait_are_sent(database_url: str, client: redis.Redis) -> None:
    listings = CoalescedJob("test-listings", "warta.render_listings", (LISTING_CHANGES,), 0.0)
    sent = Sent()
    add_changes(database_url)
    DueJobs(database_url, client, sent, (JOB, listings)).send_due()
    time.sleep(0.25)
    DueJobs(database_url, client, sent, (listings,)).send_due()
    assert sent == []


def test_runs_never_overlap_and_the_next_is_sent_once_the_lock_is_free(
    database_url: str, client: redis.Redis
) -> None:
    sent = Sent()
    due = DueJobs(database_url, client, sent, (JOB,))
    add_changes(database_url)
    started = time.monotonic()
    with JOB.run(client) as first:
        assert first
        with JOB.run(client) as second:
            assert not second  # stepped aside
        send_for(due, 0.5)
        assert sent == []  # the rows wait, but a run holds the lock
    ended = time.monotonic()
    send_while(due, lambda: not sent)
    assert sent == [REBUILD_FEEDS]
    assert sent.times[0] - ended >= (ended - started) - 0.1  # it rested as long as it ran


def test_a_slow_run_rests_as_long_as_it_took(database_url: str, client: redis.Redis) -> None:
    sent = Sent()
    due = DueJobs(database_url, client, sent, (JOB,))
    with JOB.run(client):
        time.sleep(1.0)
    ended = time.monotonic()
    add_changes(database_url)
    send_while(due, lambda: not sent)
    assert sent == [REBUILD_FEEDS]
    assert sent.times[0] - ended >= 0.9


def test_a_lost_message_is_sent_again_within_seconds(
    database_url: str, client: redis.Redis
) -> None:
    sent = Sent()
    due = DueJobs(database_url, client, sent, (JOB,))
    add_changes(database_url)
    send_while(due, lambda: not sent)
    assert sent == [REBUILD_FEEDS]
    # No run ever takes it (the broker lost it): the relay's flag lapses and it sends again.
    send_while(due, lambda: len(sent) < 2)
    assert sent == [REBUILD_FEEDS, REBUILD_FEEDS]
    assert sent.times[1] - sent.times[0] >= JOB.resend_after - 0.1


def test_the_lock_of_a_dead_run_lapses_and_a_live_run_keeps_its_own(
    database_url: str, client: redis.Redis
) -> None:
    short = CoalescedJob("test-short-lock", REBUILD_FEEDS, (TAG_CHANGES,), 0.0, running_ttl=1)
    client.set(short.key("running"), "a worker that died", ex=short.running_ttl)
    with short.run(client) as blocked:
        assert not blocked
    time.sleep(1.1)
    with short.run(client) as live:
        assert live
        time.sleep(2.0)  # twice its lock's life: renewed meanwhile
        with short.run(client) as other:
            assert not other


def test_a_retry_takes_back_the_lock_its_failed_attempt_left(client: redis.Redis) -> None:
    client.set(JOB.key("running"), "task-1", ex=60)  # the attempt could not release it
    with JOB.run(client, owner="task-1") as retried:
        assert retried
    with JOB.run(client, owner="task-2") as next_run:
        assert next_run  # released this time


def test_a_message_that_cannot_be_sent_leaves_no_flag(
    database_url: str, client: redis.Redis
) -> None:
    def unreachable(task: str, payload: dict[str, object]) -> None:
        raise ConnectionError("the broker is away")

    add_changes(database_url)
    due = DueJobs(database_url, client, unreachable, (JOB,))
    due.send_due()
    time.sleep(0.25)
    with pytest.raises(ConnectionError):
        due.send_due()
    assert not JOB.busy(client)
