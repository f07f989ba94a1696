"""The rest of the ingest contract: revisions, retraction, listing, safe retries, errors,
keys and rate limits, through Flask's test client on a real database (and a real Redis for
rate limits)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests.conftest import make_settings, new_office
from warta.db import session_scope
from warta.messages import RETRACT
from warta.models import (
    IDEMPOTENCY_WINDOW,
    Article,
    IdempotencyRecord,
    OutboxMessage,
    Revision,
    utcnow,
)
from warta.offices import find_office, revoke_keys
from warta.pipeline import ENRICH
from warta.sweeps import purge_expired_answers
from warta_ingest.app import create_app

REPORT = {
    "title": "KPU Kabupaten Pasuruan Laksanakan Rapat Koordinasi PDPB",
    "body": "Pasuruan, kab-pasuruan.kpu.go.id - Selasa (28-12-2021) KPU melaksanakan rapat.",
}
NOWHERE = "redis://127.0.0.1:1/0"  # the API answers without Redis


@pytest.fixture
def app(database_url: str) -> Flask:
    return create_app(make_settings(database_url, NOWHERE))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def key(database_url: str) -> str:
    return new_office(database_url, "kab-pasuruan", "KPU Kabupaten Pasuruan")[1]


def auth(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def outbox(database_url: str) -> list[dict[str, Any]]:
    with session_scope(database_url) as session:
        return [{"task": m.task, **m.payload} for m in session.scalars(select(OutboxMessage))]


def count(database_url: str, model: type) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def submit(client: FlaskClient, key: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/v1/articles", json={**REPORT, **fields}, headers=auth(key))
    assert response.status_code == 202, response.json
    body: dict[str, Any] = response.json
    return body


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.data
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = response.json
    assert body["status"] == status and body["title"]
    return body


# PUT: a new revision, guarded by If-Match


def test_put_with_the_current_etag_makes_a_new_revision(
    client: FlaskClient, key: str, database_url: str
) -> None:
    article = submit(client, key)
    etag = client.get(article["links"]["self"], headers=auth(key)).headers["ETag"]
    response = client.put(
        article["links"]["self"],
        json={**REPORT, "title": "Judul yang diperbaiki"},
        headers=auth(key, **{"If-Match": etag}),
    )
    assert response.status_code == 202
    assert response.json["revision"] == 2
    state = client.get(article["links"]["self"], headers=auth(key))
    assert state.headers["ETag"] == '"2"'
    assert outbox(database_url)[-1] == {
        "task": ENRICH,
        "article_id": article["id"],
        "revision": 2,
    }


def test_put_with_a_stale_etag_is_412_and_changes_nothing(
    client: FlaskClient, key: str, database_url: str
) -> None:
    article = submit(client, key)
    path = article["links"]["self"]
    client.put(path, json={**REPORT, "title": "Dua"}, headers=auth(key, **{"If-Match": '"1"'}))
    stale = client.put(
        path, json={**REPORT, "title": "Tiga"}, headers=auth(key, **{"If-Match": '"1"'})
    )
    body = assert_problem(stale, 412)
    assert "current revision is 2" in body["detail"]
    assert count(database_url, Revision) == 2


def test_put_without_if_match_is_428(client: FlaskClient, key: str, database_url: str) -> None:
    article = submit(client, key)
    assert_problem(client.put(article["links"]["self"], json=REPORT, headers=auth(key)), 428)
    assert count(database_url, Revision) == 1


def test_if_match_star_names_no_revision_and_is_428(
    client: FlaskClient, key: str, database_url: str
) -> None:
    path = submit(client, key)["links"]["self"]
    for send in (client.put, client.delete):
        kwargs = {"json": {**REPORT, "title": "Dua"}} if send == client.put else {}
        response = send(path, headers=auth(key, **{"If-Match": "*"}), **kwargs)
        problem = assert_problem(response, 428)
        assert "names no revision" in problem["detail"] and '"1"' in problem["detail"]
    article = client.get(path, headers=auth(key))
    assert article.json["revision"] == 1 and article.json["status"] != "retracted"


def test_put_cannot_change_the_external_id(client: FlaskClient, key: str) -> None:
    article = submit(client, key, external_id="r-1")
    response = client.put(
        article["links"]["self"],
        json={**REPORT, "external_id": "r-2"},
        headers=auth(key, **{"If-Match": '"1"'}),
    )
    assert assert_problem(response, 422)["errors"] == {
        "external_id": ["Cannot be changed; it is set at creation."]
    }


# Resubmitting the same content is a retry, not an edit


def test_resubmitting_the_same_content_makes_no_new_revision(
    client: FlaskClient, key: str, database_url: str
) -> None:
    first = submit(client, key, external_id="r-1")
    again = client.post("/v1/articles", json={**REPORT, "external_id": "r-1"}, headers=auth(key))
    assert again.status_code == 200
    assert again.json == {**first, "status": "received"}
    same_put = client.put(
        first["links"]["self"],
        json={**REPORT, "external_id": "r-1"},
        headers=auth(key, **{"If-Match": '"1"'}),
    )
    assert same_put.status_code == 200 and same_put.json["revision"] == 1
    assert count(database_url, Revision) == 1
    assert len(outbox(database_url)) == 1


# DELETE: retraction


def test_delete_retracts_with_a_message_for_the_retract_task(
    client: FlaskClient, key: str, database_url: str
) -> None:
    article = submit(client, key)
    response = client.delete(article["links"]["self"], headers=auth(key))
    assert response.status_code == 202
    assert response.json["status"] == "retracted"
    assert client.get(article["links"]["self"], headers=auth(key)).json["status"] == "retracted"
    assert outbox(database_url)[-1] == {"task": RETRACT, "article_id": article["id"]}
    # Retracting again is harmless and sends nothing more; revising it is refused.
    assert client.delete(article["links"]["self"], headers=auth(key)).status_code == 202
    assert len(outbox(database_url)) == 2
    revise = client.put(
        article["links"]["self"], json=REPORT, headers=auth(key, **{"If-Match": '"1"'})
    )
    assert_problem(revise, 409)
    with session_scope(database_url) as session:
        assert session.get(Article, article["id"]).retracted_at is not None


def test_delete_with_a_stale_if_match_is_412(client: FlaskClient, key: str) -> None:
    article = submit(client, key)
    response = client.delete(article["links"]["self"], headers=auth(key, **{"If-Match": '"7"'}))
    assert_problem(response, 412)
    assert client.get(article["links"]["self"], headers=auth(key)).json["status"] == "received"


# GET /v1/articles: the office's own, filtered, paginated by cursor


def test_listing_shows_only_the_offices_own_articles_page_by_page(
    client: FlaskClient, key: str, database_url: str
) -> None:
    ids = [submit(client, key, title=f"Berita {n}")["id"] for n in range(5)]
    _, other_key = new_office(database_url)
    submit(client, other_key)
    seen, path = [], "/v1/articles?limit=2"
    while path:
        page = client.get(path, headers=auth(key))
        assert page.status_code == 200
        assert len(page.json["items"]) <= 2
        seen += [item["id"] for item in page.json["items"]]
        path = page.json["links"]["next"]
    assert seen == sorted(ids, reverse=True)


def test_listing_filters_by_status_and_since(client: FlaskClient, key: str) -> None:
    kept = submit(client, key)
    gone = submit(client, key)
    client.delete(gone["links"]["self"], headers=auth(key))
    retracted = client.get("/v1/articles?status=retracted", headers=auth(key)).json["items"]
    assert [item["id"] for item in retracted] == [gone["id"]]
    received = client.get("/v1/articles?status=received", headers=auth(key)).json["items"]
    assert [item["id"] for item in received] == [kept["id"]]
    future = client.get("/v1/articles?since=2999-01-01T00:00:00Z", headers=auth(key))
    assert future.json["items"] == []
    past = client.get("/v1/articles?since=2000-01-01T00:00:00%2B07:00", headers=auth(key))
    assert len(past.json["items"]) == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("since=yesterday", "since"),
        ("cursor=abc", "cursor"),
        ("limit=0", "limit"),
        ("colour=red", "colour"),
    ],
)
def test_listing_refuses_bad_parameters(
    client: FlaskClient, key: str, query: str, field: str
) -> None:
    response = client.get(f"/v1/articles?{query}", headers=auth(key))
    assert field in assert_problem(response, 422)["errors"]


# Idempotency-Key: safe retries


def test_a_retry_with_the_same_key_replays_the_first_answer(
    client: FlaskClient, key: str, database_url: str
) -> None:
    headers = auth(key, **{"Idempotency-Key": "kirim-1"})
    first = client.post("/v1/articles", json=REPORT, headers=headers)
    retry = client.post("/v1/articles", json=REPORT, headers=headers)
    assert first.status_code == retry.status_code == 202
    assert retry.json == first.json
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert count(database_url, Article) == 1
    assert len(outbox(database_url)) == 1


def test_the_same_key_with_another_body_is_422(
    client: FlaskClient, key: str, database_url: str
) -> None:
    headers = auth(key, **{"Idempotency-Key": "kirim-1"})
    client.post("/v1/articles", json=REPORT, headers=headers)
    other = client.post("/v1/articles", json={**REPORT, "title": "Lain"}, headers=headers)
    assert "another request" in assert_problem(other, 422)["detail"]
    assert count(database_url, Article) == 1


def test_idempotency_keys_belong_to_one_office(
    client: FlaskClient, key: str, database_url: str
) -> None:
    _, other_key = new_office(database_url)
    client.post("/v1/articles", json=REPORT, headers=auth(key, **{"Idempotency-Key": "k"}))
    other = client.post(
        "/v1/articles", json=REPORT, headers=auth(other_key, **{"Idempotency-Key": "k"})
    )
    assert other.status_code == 202
    assert count(database_url, Article) == 2


def test_the_relay_purges_answers_past_their_window(
    client: FlaskClient, key: str, database_url: str
) -> None:
    for name in ("lama-1", "lama-2", "baru"):
        headers = auth(key, **{"Idempotency-Key": name})
        assert (
            client.post("/v1/articles", json={**REPORT, "title": name}, headers=headers).status_code
            == 202
        )
    with session_scope(database_url) as session:
        session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key.like("lama-%"))
            .values(created_at=utcnow() - IDEMPOTENCY_WINDOW - timedelta(hours=1))
        )
    assert purge_expired_answers(database_url, limit=1) == 2  # a transaction per row here
    assert purge_expired_answers(database_url) == 0
    with session_scope(database_url, writer=False) as session:
        assert session.scalars(select(IdempotencyRecord.key)).all() == ["baru"]
    retry = client.post(
        "/v1/articles",
        json={**REPORT, "title": "baru"},
        headers=auth(key, **{"Idempotency-Key": "baru"}),
    )
    assert retry.headers["Idempotent-Replayed"] == "true"


def test_a_refused_request_keeps_no_answer(client: FlaskClient, key: str) -> None:
    headers = auth(key, **{"Idempotency-Key": "k"})
    assert client.post("/v1/articles", json={"title": "x"}, headers=headers).status_code == 422
    assert client.post("/v1/articles", json=REPORT, headers=headers).status_code == 202


# Errors: every one a problem document


def test_unknown_paths_and_methods_are_problems(client: FlaskClient, key: str) -> None:
    assert_problem(client.get("/nowhere"), 404)
    assert_problem(client.get("/v1/articles/99999", headers=auth(key)), 404)
    assert_problem(client.get("/v1/articles/99999999999999999999", headers=auth(key)), 404)
    not_allowed = assert_problem(client.patch("/v1/articles", headers=auth(key)), 405)
    assert not_allowed["title"] == "Method Not Allowed"


def test_an_unexpected_error_is_a_500_problem_without_a_trace(app: Flask, key: str) -> None:
    def broken() -> str:
        raise RuntimeError("secret internals /etc/passwd")

    app.add_url_rule("/broken", view_func=broken)
    response = app.test_client().get("/broken")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert body["detail"] == "The server could not answer."


def test_strings_a_database_cannot_store_are_422(client: FlaskClient, key: str) -> None:
    response = client.post(
        "/v1/articles",
        data='{"title": "a\\u0000b", "body": "\\ud800", "external_id": "x"}',
        headers=auth(key, **{"Content-Type": "application/json"}),
    )
    assert set(assert_problem(response, 422)["errors"]) == {"title", "body"}


# Keys: revocation, rotation with a grace period, and the key cache


def test_a_revoked_key_stops_working_at_once(database_url: str, redis_url: str, key: str) -> None:
    """The key cache keeps a key only while the keys' generation in Redis stays the same, and
    `warta keys revoke` bumps it once the revocation is committed."""
    from click.testing import CliRunner

    from warta.cli import main

    client = create_app(make_settings(database_url, redis_url)).test_client()
    assert client.get("/v1/articles", headers=auth(key)).status_code == 200
    assert client.get("/v1/articles", headers=auth(key)).status_code == 200  # now cached
    runner = CliRunner(env={"DATABASE_URL": database_url, "REDIS_URL": redis_url})
    result = runner.invoke(main, ["keys", "revoke", "kab-pasuruan"])
    assert result.exit_code == 0, result.output
    assert_problem(client.get("/v1/articles", headers=auth(key)), 401)


def test_without_redis_no_key_is_cached(app: Flask, key: str, database_url: str) -> None:
    client = app.test_client()
    assert client.get("/v1/articles", headers=auth(key)).status_code == 200
    with session_scope(database_url) as session:
        revoke_keys(session, find_office(session, "kab-pasuruan"))
    assert_problem(client.get("/v1/articles", headers=auth(key)), 401)


# Rate limits, counted in a real Redis


def test_over_the_rate_limit_is_429_with_retry_after(
    database_url: str, redis_url: str, key: str
) -> None:
    client = create_app(make_settings(database_url, redis_url, RATE_LIMIT="3/minute")).test_client()
    answers = [client.get("/v1/articles", headers=auth(key)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert_problem(answers[-1], 429)
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    # Another office has its own budget; health checks have none.
    _, other_key = new_office(database_url)
    assert client.get("/v1/articles", headers=auth(other_key)).status_code == 200
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))


def test_refused_keys_are_limited_per_address_without_a_lookup_each(
    database_url: str, redis_url: str, key: str
) -> None:
    """Random keys from one address: 401s up to the limit, then 429 with Retry-After, and no
    database query at all for each one past it. Other addresses keep their own budget."""
    import uuid

    from sqlalchemy import event

    from warta.db import get_engine

    settings = make_settings(database_url, redis_url, REFUSED_KEY_LIMIT="5/minute")
    client = create_app(settings).test_client()

    def bogus(address: str) -> Any:
        headers = auth(f"wk_{uuid.uuid4().hex}")
        return client.get("/v1/articles", headers=headers, environ_base={"REMOTE_ADDR": address})

    assert [bogus("203.0.113.7").status_code for _ in range(5)] == [401] * 5
    statements: list[str] = []
    engine = get_engine(database_url, writer=False)
    listen = ("before_cursor_execute", lambda *args: statements.append(args[2]))
    event.listen(engine, *listen)
    try:
        answers = [bogus("203.0.113.7") for _ in range(20)]
    finally:
        event.remove(engine, *listen)
    assert {answer.status_code for answer in answers} == {429}
    assert statements == []
    assert_problem(answers[-1], 429)
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert bogus("198.51.100.1").status_code == 401
    office = client.get("/v1/articles", headers=auth(key), environ_base={"REMOTE_ADDR": "::1"})
    assert office.status_code == 200


def test_an_office_keeps_working_at_an_address_where_someone_sends_random_keys(
    database_url: str, redis_url: str, key: str
) -> None:
    """A regional office shares its network (one address) with a client that tries random
    keys: once the address is past its refused-key budget, new keys get 429, but the office's
    key, which has worked there, still gets through."""
    import uuid

    settings = make_settings(database_url, redis_url, REFUSED_KEY_LIMIT="3/minute")
    client = create_app(settings).test_client()
    shared = {"REMOTE_ADDR": "203.0.113.50"}

    def get(with_key: str) -> int:
        return client.get("/v1/articles", headers=auth(with_key), environ_base=shared).status_code

    assert get(key) == 200  # the office, earlier in the hour
    random_keys = [get(f"wk_{uuid.uuid4().hex}") for _ in range(6)]
    assert random_keys == [401] * 3 + [429] * 3
    assert [get(key) for _ in range(3)] == [200] * 3
    # A key never seen working here is still held back with the address.
    _, unseen = new_office(database_url)
    assert get(unseen) == 429


def test_behind_the_edge_the_forwarded_address_counts_but_only_from_the_edge(
    database_url: str, redis_url: str
) -> None:
    """`X-Forwarded-For` names the client only when the edge (TRUSTED_PROXIES) sends it; from
    anyone else it is ignored, so forging it escapes no limit."""
    settings = make_settings(
        database_url, redis_url, REFUSED_KEY_LIMIT="2/minute", TRUSTED_PROXIES="10.9.0.0/16"
    )
    client = create_app(settings).test_client()

    def bogus(peer: str, forwarded: str) -> int:
        return client.get(
            "/v1/articles",
            headers=auth("wk_bogus", **{"X-Forwarded-For": forwarded}),
            environ_base={"REMOTE_ADDR": peer},
        ).status_code

    # Through the edge: each client its own budget.
    assert [bogus("10.9.0.5", "203.0.113.7") for _ in range(3)] == [401, 401, 429]
    assert bogus("10.9.0.5", "203.0.113.8") == 401
    # The client's own X-Forwarded-For, passed on by the edge before the address it saw.
    assert bogus("10.9.0.5", "198.51.100.9, 203.0.113.7") == 429
    # Not the edge: a forged header changes nothing, the peer's address counts.
    assert [bogus("192.0.2.1", f"203.0.113.{n}") for n in range(10, 13)] == [401, 401, 429]


def test_without_redis_the_limit_is_counted_in_memory(database_url: str, key: str) -> None:
    client = create_app(make_settings(database_url, NOWHERE, RATE_LIMIT="2/minute")).test_client()
    statuses = [client.get("/v1/articles", headers=auth(key)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# The OpenAPI document and its interactive docs


def test_openapi_document_is_built_from_the_request_schemas(client: FlaskClient) -> None:
    document = client.get("/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/v1/articles",
        "/v1/articles/{article_id}",
        "/v1/media",
        "/v1/media/{media_id}",
    }
    assert set(document["paths"]["/v1/articles/{article_id}"]) == {"get", "put", "delete"}
    submission = document["components"]["schemas"]["Submission"]
    assert sorted(submission["required"]) == ["body", "title"]
    assert submission["additionalProperties"] is False
    assert submission["properties"]["body_format"]["enum"] == ["text", "html", "markdown"]
    article = document["components"]["schemas"]["Article"]
    assert "warnings" in article["required"]
    warning = document["components"]["schemas"]["Warning"]
    assert sorted(warning["required"]) == ["code", "message"]
    assert "weekday-mismatch" in warning["properties"]["code"]["enum"]
    assert "image-dropped" in warning["properties"]["code"]["enum"]


def test_openapi_document_states_every_answer_and_limit(client: FlaskClient) -> None:
    """What a client may meet is in the document: the server's own refusals on every
    operation, the preconditions where they apply, and the limits the API enforces."""
    document = client.get("/openapi.json").json
    operations = {
        (path, method): operation["responses"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    for responses in operations.values():
        for status in ("400", "414", "429", "431"):
            assert "application/problem+json" in responses[status]["content"]
        assert "Retry-After" in responses["429"]["headers"]
    article = "/v1/articles/{article_id}"
    assert {"412", "422", "428"} <= set(operations[(article, "put")])
    assert {"412", "428"} <= set(operations[(article, "delete")])
    assert {"413", "422"} <= set(operations[("/v1/articles", "post")])
    assert "422" in operations[("/v1/articles", "get")]
    assert "`*`" in operations[(article, "put")]["428"]["description"]

    schemas = document["components"]["schemas"]
    assert (
        "300 characters once cleaned" in schemas["Submission"]["properties"]["title"]["description"]
    )
    assert schemas["Submission"]["properties"]["tags"]["maxItems"] == 50
    assert schemas["Image"]["properties"]["url"]["maxLength"] == 2000
    cursor = next(
        parameter
        for parameter in document["paths"]["/v1/articles"]["get"]["parameters"]
        if parameter["name"] == "cursor"
    )
    assert cursor["schema"]["maxLength"] == 100
    limits = document["info"]["description"]
    for stated in ("8190 bytes (414)", "100 headers (431)", "2 MiB (413)", "256 KiB"):
        assert stated in limits
    post = document["paths"]["/v1/articles"]["post"]
    assert "2 MiB, chunked or not" in post["requestBody"]["description"]


def test_docs_page_serves_swagger_ui_from_the_package(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/openapi.json" in html and "https://" not in html
    with client.get("/docs/swagger-ui-bundle.js") as script:  # a file stream: close it
        assert script.status_code == 200 and b"SwaggerUIBundle" in script.data
    assert_problem(client.get("/docs/../app.py"), 404)
