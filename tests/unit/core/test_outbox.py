"""The outbox: a message goes out once its change commits, stage messages in batches, and a
broker that fails midway loses nothing."""

from __future__ import annotations

from typing import Any

import pytest

from warta.db import session_scope
from warta.messages import BATCH_SIZE, REBUILD_FEEDS, revision_message
from warta.outbox import add_message, backlog, relay_batch
from warta.pipeline import ENRICH, RENDER
from warta.request_ids import bind_request_id


class FakeBroker:
    """Records what was sent; refuses every send after `fail_after` of them."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.fail_after = fail_after

    def __call__(self, task: str, payload: dict[str, Any]) -> None:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise ConnectionError("the broker went away")
        self.sent.append((task, payload))


def queue(database_url: str, *messages: tuple[str, dict[str, Any], str | None]) -> None:
    with session_scope(database_url) as session:
        for task, payload, request_id in messages:
            bind_request_id(request_id)
            add_message(session, task, payload)
    bind_request_id(None)


def waiting(database_url: str) -> int:
    with session_scope(database_url) as session:
        return backlog(session)


def test_a_message_waits_for_its_commit(database_url: str) -> None:
    with pytest.raises(RuntimeError), session_scope(database_url) as session:
        add_message(session, ENRICH, revision_message(1, 1))
        raise RuntimeError("the submission failed after its message was added")
    broker = FakeBroker()
    assert relay_batch(database_url, broker) == 0
    assert broker.sent == []


def test_stage_messages_go_as_one_batch_each_keeping_its_request_id(database_url: str) -> None:
    queue(
        database_url,
        (ENRICH, revision_message(1, 1), "req-a"),
        (REBUILD_FEEDS, {}, None),
        (ENRICH, revision_message(2, 1), "req-b"),
        (RENDER, revision_message(3, 2), "req-c"),
    )
    broker = FakeBroker()
    assert relay_batch(database_url, broker) == 4
    assert broker.sent == [
        (REBUILD_FEEDS, {}),
        (
            ENRICH,
            {
                "revisions": [
                    {"article_id": 1, "revision": 1, "request_id": "req-a"},
                    {"article_id": 2, "revision": 1, "request_id": "req-b"},
                ]
            },
        ),
        (RENDER, {"article_id": 3, "revision": 2}),
    ]
    assert waiting(database_url) == 0


def test_a_batch_holds_at_most_batch_size_revisions(database_url: str) -> None:
    count = 2 * BATCH_SIZE + 1
    queue(database_url, *[(ENRICH, revision_message(n, 1), None) for n in range(1, count + 1)])
    broker = FakeBroker()
    assert relay_batch(database_url, broker) == count
    batches = [payload.get("revisions", [payload]) for _, payload in broker.sent]
    assert [len(batch) for batch in batches] == [BATCH_SIZE, BATCH_SIZE, 1]
    named = [entry["article_id"] for batch in batches for entry in batch]
    assert named == list(range(1, count + 1))  # oldest first, each once


def test_a_broker_failing_midway_loses_nothing_and_resends_only_what_did_not_go(
    database_url: str,
) -> None:
    queue(database_url, *[(REBUILD_FEEDS, {"n": n}, None) for n in range(5)])
    failing = FakeBroker(fail_after=2)
    with pytest.raises(ConnectionError):
        relay_batch(database_url, failing)
    assert [payload["n"] for _, payload in failing.sent] == [0, 1]
    assert waiting(database_url) == 3
    broker = FakeBroker()
    assert relay_batch(database_url, broker) == 3
    assert [payload["n"] for _, payload in broker.sent] == [2, 3, 4]
    assert waiting(database_url) == 0
