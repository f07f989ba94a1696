"""Coalesced jobs on a real Redis and database: changes wait as rows, a burst of them costs one
run, runs never overlap, a slow run spaces the next one out, and neither a lost message nor a
dead run can stop the next one for more than seconds."""

from __future__ import annotations

import time

import pytest
import redis
from sqlalchemy import insert

from warta.coalescing import CoalescedJob, DueJobs
from warta.db import session_scope
from warta.messages import REBUILD_FEEDS
from warta.models import LISTING_CHANGES, TAG_CHANGES

JOB = CoalescedJob("test-rebuild", REBUILD_FEEDS, (TAG_CHANGES,), min_delay=0.2, resend_after=1)


class Sent(list[str]):
    """What the relay sent (the broker is outside what these tests look at)."""

    def __call__(self, task: str, payload: dict[str, object]) -> None:
        self.append(task)


def add_changes(database_url: str, count: int = 1) -> None:
    with session_scope(database_url) as session:
        session.execute(insert(TAG_CHANGES), [{"tag": "pemilu"}] * count)


def send_for(due: DueJobs, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
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
    assert sent == []  # the first look starts the wait for the rest of the burst
    send_for(due, 0.6)
    assert sent == [REBUILD_FEEDS]  # one message for the burst, none while it is on its way


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
    with JOB.run(client) as first:
        assert first
        with JOB.run(client) as second:
            assert not second  # stepped aside
        send_for(due, 0.5)
        assert sent == []  # the rows wait, but a run holds the lock
    send_for(due, 0.9)  # and rests as long as it took
    assert sent == [REBUILD_FEEDS]


def test_a_slow_run_rests_as_long_as_it_took(database_url: str, client: redis.Redis) -> None:
    sent = Sent()
    due = DueJobs(database_url, client, sent, (JOB,))
    with JOB.run(client):
        time.sleep(1.0)
    add_changes(database_url)
    send_for(due, 0.6)
    assert sent == []
    send_for(due, 0.8)
    assert sent == [REBUILD_FEEDS]


def test_a_lost_message_is_sent_again_within_seconds(
    database_url: str, client: redis.Redis
) -> None:
    sent = Sent()
    due = DueJobs(database_url, client, sent, (JOB,))
    add_changes(database_url)
    send_for(due, 0.5)
    assert sent == [REBUILD_FEEDS]
    # No run ever takes it (the broker lost it): the relay's flag lapses and it sends again.
    send_for(due, 1.0)
    assert sent == [REBUILD_FEEDS, REBUILD_FEEDS]


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
