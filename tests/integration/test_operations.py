"""What an operator sees: request ids through every task, metrics, failures and replays."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select

from tests.conftest import PostgresServer, RunningSystem, eventually, log_record, new_office
from warta.cli import main as warta
from warta.db import session_scope
from warta.messages import revision_message
from warta.models import Article, Revision, utcnow
from warta.offices import find_office
from warta.outbox import add_message
from warta.pipeline import ENRICH


def post(
    system: RunningSystem, key: str, body: dict[str, str], **headers: str
) -> requests.Response:
    return requests.post(
        f"{system.ingest_url}/v1/articles",
        json=body,
        headers={"Authorization": f"Bearer {key}", **headers},
        timeout=10,
    )


def state(system: RunningSystem, key: str, article_id: int) -> dict[str, object]:
    response = requests.get(
        f"{system.ingest_url}/v1/articles/{article_id}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=5,
    )
    return response.json()  # type: ignore[no-any-return]


def test_a_request_id_follows_the_report_through_every_task(
    system: RunningSystem, capfd: pytest.CaptureFixture[str]
) -> None:
    _, key = new_office(system.database_url)
    response = post(
        system,
        key,
        {"title": "Bimtek PPK Kota Malang", "body": "Malang - Bimtek."},
        **{"X-Request-ID": "trace-bimtek-42"},
    )
    assert response.headers["X-Request-ID"] == "trace-bimtek-42"
    article_id = response.json()["id"]
    eventually(lambda: state(system, key, article_id)["status"] == "published")

    def traced_stages() -> set[str]:
        lines = capfd.readouterr().out.splitlines()
        traced.extend(
            record
            for line in lines
            if "trace-bimtek-42" in line
            for record in [log_record(line)]
            if record
        )
        return {r["message"].rsplit(" ", 1)[-1] for r in traced if "revision" in r["message"]}

    traced: list[dict[str, str]] = []
    eventually(lambda: {"tagged", "rendered", "published"} <= traced_stages())
    assert all(record["request_id"] == "trace-bimtek-42" for record in traced)


def test_metrics_count_requests_tasks_and_the_pipeline(system: RunningSystem) -> None:
    _, key = new_office(system.database_url)
    article_id = post(system, key, {"title": "Rakor Logistik", "body": "Kediri - Rakor."}).json()[
        "id"
    ]
    eventually(lambda: state(system, key, article_id)["status"] == "published")

    ingest = requests.get(f"{system.ingest_url}/metrics", timeout=5).text
    assert (
        'warta_http_requests_total{endpoint="/v1/articles",method="POST",service="ingest",status="202"}'
        in ingest
    )
    assert 'warta_queue_depth{queue="enrich"}' in ingest
    assert "warta_outbox_backlog " in ingest
    assert "warta_newest_publish_age_seconds " in ingest

    # A task is counted once it has returned, a moment after its commit made the report
    # published; and the feed exists once the debounced rebuild has run.
    worker_metrics = f"http://127.0.0.1:{system.worker_metrics_port}/metrics"
    worker = eventually(
        lambda: (
            (text := requests.get(worker_metrics, timeout=5).text)
            and 'warta_tasks_total{outcome="succeeded",task="warta.publish"}' in text
            and text
        )
    )
    for task in ("warta.enrich", "warta.render", "warta.publish"):
        assert f'warta_tasks_total{{outcome="succeeded",task="{task}"}}' in worker
    assert 'warta_task_duration_seconds_count{task="warta.enrich"}' in worker

    eventually(lambda: requests.get(f"{system.feed_url}/feed.rss", timeout=5).status_code == 200)
    feed = requests.get(f"{system.feed_url}/metrics", timeout=5).text
    assert 'method="GET",service="feed",status="200"' in feed


def test_a_failed_report_is_listed_and_replayed(system: RunningSystem) -> None:
    slug, key = new_office(system.database_url)
    # Control characters only: nothing is left of the title once cleaned. The API refuses such
    # a title now; one stored before it did (or by hand) still fails in normalise.
    with session_scope(system.database_url) as session:
        office = find_office(session, slug)
        assert office is not None
        article = Article(office_id=office.id)
        session.add(article)
        session.flush()
        article_id = article.id
        submission = {"title": "\x01\x02", "body": "Batu - Isi.", "body_format": "text"}
        session.add(
            Revision(
                article=article,
                number=1,
                status="received",
                submission=submission,
                publish_at=utcnow(),
            )
        )
        add_message(session, ENRICH, revision_message(article_id, 1))
    failed = eventually(lambda: (s := state(system, key, article_id))["status"] == "failed" and s)
    assert "title" in str(failed["error"])

    runner = CliRunner(env={"DATABASE_URL": system.database_url, "REDIS_URL": system.redis_url})
    listing = runner.invoke(warta, ["failed", "list"])
    assert listing.exit_code == 0, listing.output
    line = next(x for x in listing.output.splitlines() if f'"article_id": {article_id},' in x)
    assert "warta.enrich" in line and "title" in line
    failure_id = int(line.split()[0])

    # The operator mends the cause (here: the title), then replays.
    with session_scope(system.database_url) as session:
        revision = session.scalar(select(Revision).where(Revision.article_id == article_id))
        assert revision is not None
        revision.submission = {**revision.submission, "title": "Rapat Pleno Terbuka"}
    replay = runner.invoke(warta, ["failed", "replay", str(failure_id)])
    assert replay.exit_code == 0, replay.output
    assert "replayed 1 failure" in replay.output
    eventually(lambda: state(system, key, article_id)["status"] == "published")
    assert runner.invoke(warta, ["failed", "replay", str(failure_id)]).exit_code != 0


def test_status_shows_queues_workers_failures_and_publishing(system: RunningSystem) -> None:
    runner = CliRunner(env={"DATABASE_URL": system.database_url, "REDIS_URL": system.redis_url})
    result = runner.invoke(warta, ["status"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines())
    assert "enrich=" in lines["queues"] and "feeds=" in lines["queues"]
    assert "worker0@" in lines["workers"] and "enrich" in lines["workers"]
    assert lines["outbox"].split()[0].isdigit()
    assert lines["feeds"].split()[0].isdigit() and "waiting for a rebuild" in lines["feeds"]
    assert "open" in lines["failures"]
    assert "article(s); last change" in lines["published"]


def test_status_says_what_it_cannot_reach(tmp_path: Path) -> None:
    # A database without the schema (`warta migrate` not run) and no Redis: a line for each,
    # no traceback.
    # A script that runs it can tell from the exit status; no password is printed.
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}",
        "REDIS_URL": "redis://:rahasia@127.0.0.1:1/0",
    }
    result = CliRunner(env=env).invoke(warta, ["status"])
    assert result.exit_code == 1, result.output
    assert "rahasia" not in result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines())
    assert lines["queues"].startswith("unavailable: Redis at redis://:***@127.0.0.1:1/0")
    assert lines["workers"].startswith("unavailable")
    assert lines["database"] == f"unavailable: OperationalError at {env['DATABASE_URL']}"


def test_public_pages_carry_security_headers(system: RunningSystem) -> None:
    _, key = new_office(system.database_url)
    article_id = post(system, key, {"title": "Uji Publik", "body": "Blitar - Uji."}).json()["id"]
    url = eventually(lambda: state(system, key, article_id)["url"])
    # The listing is composed after the report goes live, a moment later.
    for address in (str(url), f"{system.feed_url}/berita/"):
        page = eventually(lambda a=address: (answer := requests.get(a, timeout=5)).ok and answer)
        assert page.status_code == 200
        policy = page.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
        assert "frame-ancestors 'self'" in policy
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    feed = requests.get(f"{system.feed_url}/feed.rss", timeout=5)
    assert feed.headers["X-Content-Type-Options"] == "nosniff"


def test_db_upgrade_waits_for_a_database_that_is_still_starting(
    postgres_server: PostgresServer,
) -> None:
    # As compose's `migrate` on a first start: the server does not answer yet.
    postgres_server.stop()
    starter = threading.Timer(3.0, postgres_server.start)
    starter.start()
    try:
        result = CliRunner(env={"DATABASE_URL": postgres_server.url}).invoke(
            warta, ["db", "upgrade", "--wait", "60"]
        )
    finally:
        starter.join()
    assert result.exit_code == 0, result.output
    assert "database is up to date" in result.output
