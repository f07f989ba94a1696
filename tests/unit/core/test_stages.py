"""The stage runner: a batch of revisions goes through a stage in one transaction, safe to run
twice, each revision failing or being held on its own, and only what went through goes on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import warta.stages
from tests.unit.articles import add_article
from warta.db import session_scope
from warta.failures import open_failures
from warta.messages import batch_message, revision_message
from warta.models import Revision
from warta.pipeline import (
    ENRICH,
    NORMALISE,
    PIPELINE,
    PUBLISH,
    RENDER,
    STAGE_OF_TASK,
    STAGE_STATUSES,
    STATUS_BEFORE,
    TAG,
    TASK_FOR_STATUS,
    Status,
    next_stage,
    stage_reached,
)
from warta.stages import Item, Rejected, run_stage

Sent = list[tuple[str, list[tuple[int, int]]]]
ENRICHING, RENDERING, PUBLISHING = (STAGE_OF_TASK[task] for task in (ENRICH, RENDER, PUBLISH))


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Sent]:
    """The messages the stage sends on (in place of the broker), on this test's database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    sent: Sent = []

    def send_items(task: str, items: list[Item]) -> None:
        sent.append((task, [item.key for item in items]))

    monkeypatch.setattr(warta.stages, "send_items", send_items)
    yield sent


def revisions_in(database_url: str, *statuses: str) -> list[tuple[int, int]]:
    with session_scope(database_url) as session:
        keys = []
        for status in statuses:
            article = add_article(session, status=status)
            keys.append((article.id, 1))
    return keys


def message(keys: list[tuple[int, int]]) -> dict[str, object]:
    return batch_message([(revision_message(*key), None) for key in keys])


def statuses(database_url: str) -> dict[tuple[int, int], str]:
    with session_scope(database_url) as session:
        rows = session.execute(select(Revision.article_id, Revision.number, Revision.status))
        return {(article_id, number): status for article_id, number, status in rows}


def titled(session: Session, revision: Revision, title: str) -> None:
    revision.title = title


def test_a_batch_goes_through_and_on_as_one_message(database_url: str, sent: Sent) -> None:
    keys = revisions_in(database_url, "received", "received")
    onward = run_stage(ENRICHING, message(keys), lambda r: "Judul bersih", titled)
    assert [item.key for item in onward] == keys
    assert sent == [(RENDER, keys)]
    assert statuses(database_url) == dict.fromkeys(keys, "tagged")


def test_a_second_delivery_does_nothing_again_and_sends_on(database_url: str, sent: Sent) -> None:
    keys = revisions_in(database_url, "rendered")
    prepared: list[int] = []
    run_stage(ENRICHING, message(keys), prepared.append, lambda *_: None)
    assert prepared == []  # the stage was reached already
    assert sent == [(RENDER, keys)]  # a lost forward is sent again
    assert statuses(database_url) == {keys[0]: "rendered"}


def test_a_rejected_report_fails_alone(database_url: str, sent: Sent) -> None:
    good, bad = revisions_in(database_url, "received", "received")

    def prepare(revision: Revision) -> str:
        if revision.article_id == bad[0]:
            raise Rejected("the title is empty once cleaned")
        return "Judul"

    run_stage(ENRICHING, message([good, bad]), prepare, titled)
    assert sent == [(RENDER, [good])]
    assert statuses(database_url) == {good: "tagged", bad: Status.FAILED}
    with session_scope(database_url) as session:
        [failure] = open_failures(session)
        assert failure.task == ENRICH
        assert "the title is empty once cleaned" in failure.error


def test_a_revision_held_back_stops_there(database_url: str, sent: Sent) -> None:
    keys = revisions_in(database_url, "rendered")
    run_stage(PUBLISHING, message(keys), lambda r: None, lambda *_: Status.SCHEDULED)
    assert sent == []
    assert statuses(database_url) == {keys[0]: Status.SCHEDULED}


def test_a_bug_in_one_revision_sends_each_again_alone_and_commits_nothing(
    database_url: str, sent: Sent
) -> None:
    keys = revisions_in(database_url, "tagged", "tagged", "tagged")

    def apply(session: Session, revision: Revision, _: None) -> None:
        if revision.article_id == keys[1][0]:
            raise KeyError("a bug")

    assert run_stage(RENDERING, message(keys), lambda r: None, apply) == []
    assert sent == [(RENDER, [key]) for key in keys]
    assert statuses(database_url) == dict.fromkeys(keys, "tagged")


def test_a_failed_revision_is_left_alone(database_url: str, sent: Sent) -> None:
    keys = revisions_in(database_url, Status.FAILED)
    run_stage(ENRICHING, message(keys), lambda r: "x", titled)
    assert sent == []
    assert statuses(database_url) == {keys[0]: Status.FAILED}


@pytest.mark.parametrize("stage", STAGE_STATUSES)
def test_stage_reached_follows_the_order_of_stages(stage: Status) -> None:
    position = STAGE_STATUSES.index(stage)
    assert [stage_reached(status, stage) for status in STAGE_STATUSES] == [
        index >= position for index in range(len(STAGE_STATUSES))
    ]
    # A scheduled revision went through every stage but publication.
    assert stage_reached(Status.SCHEDULED, stage) is (stage != "published")
    assert stage_reached(Status.FAILED, stage) is False


def test_the_pipeline_runs_enrich_render_publish_and_takes_the_former_names() -> None:
    assert [stage.task for stage in PIPELINE] == [ENRICH, RENDER, PUBLISH]
    assert [next_stage(stage) for stage in PIPELINE] == [RENDERING, PUBLISHING, None]
    # Messages of the release with separate normalise and tag stages are enriched.
    assert STAGE_OF_TASK[NORMALISE] is STAGE_OF_TASK[TAG] is ENRICHING
    # A revision waiting in any status on the line has a task that takes it on.
    assert TASK_FOR_STATUS == {
        "received": ENRICH,
        "normalised": ENRICH,
        "tagged": RENDER,
        "rendered": PUBLISH,
    }
    # A replayed failure goes back to where its task (by any name) took it from.
    assert STATUS_BEFORE == {
        NORMALISE: "received",
        TAG: "normalised",
        ENRICH: "received",
        RENDER: "tagged",
        PUBLISH: "rendered",
    }
