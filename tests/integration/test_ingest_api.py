"""The ingest API's contract, through Flask's test client on a real database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import make_settings, new_office
from warta.db import session_scope
from warta.models import OutboxMessage, Revision
from warta.pipeline import ENRICH
from warta_ingest.app import create_app

REPORT = {
    "title": "KPU Kabupaten Pasuruan Laksanakan Rapat Koordinasi PDPB",
    "body": "Pasuruan, kab-pasuruan.kpu.go.id - Selasa (28-12-2021) KPU melaksanakan rapat.",
}


@pytest.fixture
def client(database_url: str) -> FlaskClient:
    # The API never talks to Redis in a request; any URL will do.
    app = create_app(make_settings(database_url, "redis://127.0.0.1:1/0"))
    return app.test_client()


@pytest.fixture
def key(database_url: str) -> str:
    return new_office(database_url, "kab-pasuruan", "KPU Kabupaten Pasuruan")[1]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def outbox(database_url: str) -> list[dict[str, Any]]:
    with session_scope(database_url) as session:
        return [{"task": m.task, **m.payload} for m in session.scalars(select(OutboxMessage))]


def test_submission_is_accepted_with_its_outbox_message(
    client: FlaskClient, key: str, database_url: str
) -> None:
    response = client.post("/v1/articles", json=REPORT, headers=auth(key))
    assert response.status_code == 202
    body = response.json
    assert body == {
        "id": body["id"],
        "revision": 1,
        "status": "received",
        "links": {"self": f"/v1/articles/{body['id']}"},
    }
    assert response.headers["Location"] == f"/v1/articles/{body['id']}"
    assert outbox(database_url) == [{"task": ENRICH, "article_id": body["id"], "revision": 1}]


def test_get_shows_the_state_with_the_revision_as_etag(client: FlaskClient, key: str) -> None:
    article_id = client.post("/v1/articles", json=REPORT, headers=auth(key)).json["id"]
    response = client.get(f"/v1/articles/{article_id}", headers=auth(key))
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    assert response.json["status"] == "received"
    assert response.json["office"] == "kab-pasuruan"
    assert response.json["url"] is None


def test_resubmitting_an_external_id_makes_a_new_revision(
    client: FlaskClient, key: str, database_url: str
) -> None:
    first = client.post("/v1/articles", json={**REPORT, "external_id": "r-1"}, headers=auth(key))
    second = client.post(
        "/v1/articles",
        json={**REPORT, "external_id": "r-1", "title": "Judul baru"},
        headers=auth(key),
    )
    assert second.status_code == 202
    assert second.json["id"] == first.json["id"]
    assert second.json["revision"] == 2
    with session_scope(database_url) as session:
        assert len(session.scalars(select(Revision)).all()) == 2


def test_first_submissions_of_one_external_id_at_once_make_one_article(
    client: FlaskClient, key: str
) -> None:
    # An office that retries on a timeout may send a new report twice at the same moment:
    # every arrival is kept, as a revision of one article, never as a second article.
    titles = [f"Judul ke-{n}" for n in range(8)]

    def submit(title: str) -> Any:
        report = {**REPORT, "external_id": "r-1", "title": title}
        return client.post("/v1/articles", json=report, headers=auth(key))

    with ThreadPoolExecutor(len(titles)) as pool:
        answers = list(pool.map(submit, titles))
    assert [answer.status_code for answer in answers] == [202] * len(titles)
    assert len({answer.json["id"] for answer in answers}) == 1
    assert sorted(answer.json["revision"] for answer in answers) == list(range(1, 9))


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Authorization: Bearer"),
        ({"Authorization": "Bearer wk_not-a-key"}, "unknown"),
        ({"Authorization": "Basic abc"}, "Authorization: Bearer"),
    ],
)
def test_missing_or_wrong_keys_get_401(
    client: FlaskClient, key: str, headers: dict[str, str], detail: str
) -> None:
    response = client.post("/v1/articles", json=REPORT, headers=headers)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert detail in response.json["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_requests_are_problems_and_reach_no_queue(
    client: FlaskClient, key: str, database_url: str
) -> None:
    cases = [
        (
            client.post(
                "/v1/articles", data="{", headers={**auth(key), "Content-Type": "application/json"}
            ),
            400,
        ),
        (
            client.post(
                "/v1/articles", data="title=x", headers={**auth(key), "Content-Type": "text/plain"}
            ),
            415,
        ),
        (client.post("/v1/articles", json=[1, 2], headers=auth(key)), 400),
        (client.post("/v1/articles", json={**REPORT, "colour": "red"}, headers=auth(key)), 422),
        (client.post("/v1/articles", json={"body": "x"}, headers=auth(key)), 422),
        (client.post("/v1/articles", json={**REPORT, "title": " "}, headers=auth(key)), 422),
        (
            client.post("/v1/articles", json={**REPORT, "body_format": "pdf"}, headers=auth(key)),
            422,
        ),
        (
            client.post(
                "/v1/articles",
                json={**REPORT, "published_at": "2021-12-29 09:00"},
                headers=auth(key),
            ),
            422,
        ),
        (
            client.post(
                "/v1/articles",
                json={**REPORT, "image": {"url": "http://x.id/a.jpg"}},
                headers=auth(key),
            ),
            422,
        ),
        (
            client.post("/v1/articles", json={**REPORT, "body": "é" * 140_000}, headers=auth(key)),
            413,
        ),
    ]
    for response, status in cases:
        assert response.status_code == status, response.json
        assert response.content_type == "application/problem+json"
        assert response.json["status"] == status
        assert response.json["title"]
    assert outbox(database_url) == []


@pytest.mark.parametrize(
    "title",
    ["\u200b", "\u00ad\u2060", "\u0001 \u200b", "\u202e\u2066\u2069", "\ufeff\u200e\u200d"],
)
def test_a_title_of_invisible_characters_only_is_422_and_reaches_no_queue(
    client: FlaskClient, key: str, database_url: str, title: str
) -> None:
    """Normalise would find such a title empty and fail the report: the API refuses it first,
    judged by the very function normalise cleans titles with."""
    response = client.post("/v1/articles", json={**REPORT, "title": title}, headers=auth(key))
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"title"}
    assert outbox(database_url) == []


def test_validation_errors_name_each_field(client: FlaskClient, key: str) -> None:
    response = client.post(
        "/v1/articles", json={"title": "", "colour": "red", "tags": "x"}, headers=auth(key)
    )
    errors = response.json["errors"]
    assert set(errors) == {"title", "body", "colour", "tags"}
    assert errors["body"] == ["Missing data for required field."]
    assert errors["colour"] == ["Unknown field."]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({f"f{n}": 1 for n in range(100_000)}, "f0"),
        ({"image": {f"f{n}": 1 for n in range(100_000)}}, "image"),
        ({"tags": [""] * 100_000}, "tags"),
    ],
)
def test_a_flood_of_fields_gets_a_short_answer(
    client: FlaskClient, key: str, extra: dict[str, Any], field: str
) -> None:
    """100,000 unknown fields (or tags) get a 422 that names a few and counts the rest, not a
    list of 100,000 errors."""
    response = client.post("/v1/articles", json={**REPORT, **extra}, headers=auth(key))
    assert response.status_code == 422
    assert len(response.data) < 2_000
    assert field in response.json["errors"]
    assert "100000" in response.get_data(as_text=True) or field == "tags"


def test_oversize_request_is_refused_before_it_is_read(client: FlaskClient, key: str) -> None:
    response = client.post(
        "/v1/articles",
        data=b"x" * (3 * 1024 * 1024),
        headers={**auth(key), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_another_offices_article_is_not_found(
    client: FlaskClient, key: str, database_url: str
) -> None:
    article_id = client.post("/v1/articles", json=REPORT, headers=auth(key)).json["id"]
    _, other_key = new_office(database_url)
    response = client.get(f"/v1/articles/{article_id}", headers=auth(other_key))
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_health_endpoints(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    # The database answers; the Redis URL given to this app points nowhere.
    assert ready.status_code == 503
    assert ready.json["checks"]["database"] == "ok"
    assert ready.json["checks"]["redis"].startswith("unavailable")
