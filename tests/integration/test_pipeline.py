"""The pipeline through real worker processes: every stage safe to run twice, rebuilds
debounced."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable

import pytest
import redis
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import RunningSystem, eventually, log_record, new_office
from warta.celery_app import create_celery
from warta.db import session_scope
from warta.messages import batch_message, revision_message
from warta.models import Article, Failure, Office, Revision, Snippet, utcnow
from warta.pipeline import ENRICH, NORMALISE, PUBLISH, RENDER, TAG
from warta_feed.rebuilds import REBUILD_COUNT_KEY


def submit(system: RunningSystem, key: str, title: str, **fields: str) -> int:
    response = requests.post(
        f"{system.ingest_url}/v1/articles",
        json={"title": title, "body": f"Surabaya - {title}. Isi berita.", **fields},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    article_id: int = response.json()["id"]
    return article_id


def statuses(database_url: str, ids: list[int]) -> list[str]:
    with session_scope(database_url, writer=False) as session:
        return list(session.scalars(select(Revision.status).where(Revision.article_id.in_(ids))))


def tasks_done(system: RunningSystem, task: str) -> float:
    """How many `task`s the worker finished, from its Prometheus metrics."""
    text = requests.get(f"http://127.0.0.1:{system.worker_metrics_port}/metrics", timeout=5).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("warta_tasks_total{")
        and f'task="{task}"' in line
        and 'outcome="succeeded"' in line
    )


def rebuilds(system: RunningSystem) -> int:
    return int(redis.Redis.from_url(system.redis_url).get(REBUILD_COUNT_KEY) or 0)


def steady(read: Callable[[], tuple[float, ...]]) -> tuple[float, ...]:
    """`read()` once it has held still for half a second: a task is counted after it returns,
    a moment after what it did became visible."""

    def unchanged() -> tuple[float, ...] | None:
        first = read()
        time.sleep(0.5)
        return first if read() == first else None

    value: tuple[float, ...] = eventually(unchanged)
    return value


def own_snippets(session: Session, article_id: int) -> dict[tuple[int, str], str]:
    rows = session.scalars(select(Snippet).where(Snippet.article_id == article_id))
    return {(snippet.revision, snippet.kind): snippet.etag for snippet in rows}


def test_duplicated_messages_change_nothing_twice(system: RunningSystem) -> None:
    _, key = new_office(system.database_url)
    article_id = submit(system, key, "Rapat Pleno Rekapitulasi DPT")
    eventually(lambda: statuses(system.database_url, [article_id]) == ["published"])
    eventually(
        lambda: (
            "Rapat Pleno Rekapitulasi DPT"
            in requests.get(f"{system.feed_url}/feed.rss", timeout=5).text
        )
    )
    with session_scope(system.database_url, writer=False) as session:
        before = session.get(Article, article_id)
        assert before is not None
        before_state = (before.live_revision, before.published_at, before.updated_at)
        snippets_before = own_snippets(session, article_id)
    stages = (ENRICH, NORMALISE, TAG, RENDER, PUBLISH)
    count, *counted = steady(
        lambda: (rebuilds(system), *(tasks_done(system, task) for task in stages))
    )
    done = dict(zip(stages, counted, strict=True))

    celery = create_celery(system.redis_url)
    for task in stages * 2:
        celery.send_task(task, kwargs=revision_message(article_id, 1))
    # Each stage has its own queue: wait for every duplicate, not only the last stage's.
    eventually(lambda: all(tasks_done(system, task) >= done[task] + 2 for task in stages))
    time.sleep(2)  # a rebuild, had one been asked for, would have been sent by now
    assert rebuilds(system) == count  # a duplicate changes nothing, so asks for no rebuild

    with session_scope(system.database_url, writer=False) as session:
        after = session.get(Article, article_id)
        assert after is not None
        assert (after.live_revision, after.published_at, after.updated_at) == before_state
        assert session.scalar(select(func.count()).select_from(Revision)) >= 1
        assert own_snippets(session, article_id) == snippets_before
    feed = requests.get(f"{system.feed_url}/feed.rss", timeout=5).text
    assert feed.count("Rapat Pleno Rekapitulasi DPT</title>") == 1


def test_a_burst_of_publishes_costs_a_handful_of_rebuilds(system: RunningSystem) -> None:
    _, key = new_office(system.database_url)
    count = rebuilds(system)
    ids = [submit(system, key, f"Sosialisasi Pemilu ke-{n}") for n in range(60)]
    eventually(lambda: set(statuses(system.database_url, ids)) == {"published"}, timeout=120)
    eventually(
        lambda: (
            "Sosialisasi Pemilu ke-59"
            in requests.get(f"{system.feed_url}/feed.rss", timeout=5).text
        )
    )
    spent = rebuilds(system) - count
    print(f"{spent} rebuilds for 60 publishes")
    assert 1 <= spent <= 15, f"{spent} rebuilds for 60 publishes"


def worker_metric(system: RunningSystem, sample: str) -> float:
    """A sample of the worker's /metrics, by its name and labels (0 before the first)."""
    text = requests.get(f"http://127.0.0.1:{system.worker_metrics_port}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    return 0.0


def test_a_burst_travels_in_batches_each_report_with_its_own_request_id(
    system: RunningSystem, capfd: pytest.CaptureFixture[str]
) -> None:
    _, key = new_office(system.database_url)
    tasks = 'warta_tasks_total{outcome="succeeded",task="warta.enrich"}'
    enriched = 'warta_stage_revisions_total{stage="enrich"}'
    tasks_before = worker_metric(system, tasks)
    enriched_before = worker_metric(system, enriched)

    def submit_traced(n: int) -> int:
        response = requests.post(
            f"{system.ingest_url}/v1/articles",
            json={"title": f"Bimtek KPPS gelombang {n}", "body": "Malang - Bimtek KPPS."},
            headers={"Authorization": f"Bearer {key}", "X-Request-ID": f"burst-{n}"},
            timeout=10,
        )
        assert response.status_code == 202, response.text
        article_id: int = response.json()["id"]
        return article_id

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(submit_traced, range(40)))
    eventually(lambda: set(statuses(system.database_url, ids)) == {"published"}, timeout=120)

    # Every report was enriched once, in far fewer tasks than reports.
    eventually(lambda: worker_metric(system, enriched) - enriched_before == 40)
    spent = worker_metric(system, tasks) - tasks_before
    print(f"{spent:.0f} enrich tasks for 40 reports")
    assert 1 <= spent <= 20
    # In a batch, each report's log lines still carry its own request id. (The worker's lines
    # reach this process through the supervisor's copying thread, a moment after they are
    # written.)
    published: dict[int, str | None] = {}

    def logged() -> set[int]:
        for line in capfd.readouterr().out.splitlines():
            record = log_record(line)
            if record and record.get("message", "").endswith("/1 published"):
                article_id = int(record["message"].split()[1].split("/")[0])
                published[article_id] = record.get("request_id")
        return set(published)

    eventually(lambda: set(ids) <= logged(), timeout=10)
    assert {article_id: published[article_id] for article_id in ids} == {
        article_id: f"burst-{n}" for n, article_id in enumerate(ids)
    }


def test_a_report_that_breaks_its_batch_fails_alone(system: RunningSystem) -> None:
    """A stored revision the stage cannot read (a bug, not the office's mistake) fails on its
    own; the reports batched with it are published."""
    submissions = [
        {"title": f"Rakor Logistik {n}", "body": "Blitar - Rakor logistik."} for n in range(3)
    ]
    del submissions[1]["title"]  # no report validated by ingest looks like this
    ids = stored_reports(system.database_url, [("received", each) for each in submissions])
    entries = [(revision_message(i, 1), f"broken-{i}") for i in ids]
    create_celery(system.redis_url).send_task(ENRICH, kwargs=batch_message(entries))

    eventually(
        lambda: (
            statuses_by_id(system.database_url, ids)
            == {ids[0]: "published", ids[1]: "failed", ids[2]: "published"}
        ),
        timeout=60,
    )
    with session_scope(system.database_url, writer=False) as session:
        failures = session.scalars(select(Failure).where(Failure.task == ENRICH)).all()
        mine = [f for f in failures if f.payload.get("article_id") in ids]
        assert [(f.payload, f.error) for f in mine] == [
            (revision_message(ids[1], 1), "KeyError: 'title'")
        ]


def statuses_by_id(database_url: str, ids: list[int]) -> dict[int, str]:
    with session_scope(database_url, writer=False) as session:
        rows = session.execute(
            select(Revision.article_id, Revision.status).where(Revision.article_id.in_(ids))
        )
        return {article_id: status for article_id, status in rows}


def test_work_left_by_the_release_with_separate_normalise_and_tag_stages_is_published(
    system: RunningSystem,
) -> None:
    """An upgrade finds messages queued for `warta.normalise` and `warta.tag` (on their old
    queues), and a revision that the old normalise stage left at `normalised`."""
    submission = {"title": "Sosialisasi Pilkada", "body": "Batu - Sosialisasi."}
    ids = stored_reports(
        system.database_url, [("received", submission), ("normalised", submission)]
    )
    celery = create_celery(system.redis_url)
    celery.send_task(NORMALISE, kwargs=revision_message(ids[0], 1), queue="normalise")
    celery.send_task(TAG, kwargs=revision_message(ids[1], 1), queue="tag")

    eventually(
        lambda: statuses_by_id(system.database_url, ids) == dict.fromkeys(ids, "published"),
        timeout=60,
    )
    with session_scope(system.database_url, writer=False) as session:
        for article_id in ids:
            revision = session.scalar(select(Revision).where(Revision.article_id == article_id))
            assert revision is not None
            assert revision.title == "Sosialisasi Pilkada" and revision.tags is not None


def stored_reports(database_url: str, revisions: list[tuple[str, dict[str, str]]]) -> list[int]:
    """Articles of a new office whose first revision is stored as given (status, submission),
    as no request through ingest would leave them; their ids."""
    office, _ = new_office(database_url)
    with session_scope(database_url) as session:
        office_id = session.scalar(select(Office.id).where(Office.slug == office))
        articles = [Article(office_id=office_id, current_revision=1) for _ in revisions]
        session.add_all(articles)
        session.flush()
        for article, (status, submission) in zip(articles, revisions, strict=True):
            session.add(
                Revision(
                    article_id=article.id,
                    number=1,
                    status=status,
                    submission=submission,
                    publish_at=utcnow(),
                )
            )
        return [article.id for article in articles]
