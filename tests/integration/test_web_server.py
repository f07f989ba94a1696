"""The web services as gunicorn serves them (warta.web_server), met over real sockets the way
a crowd or an attacker would: idle and half-sent connections, a chunked body past the limit,
request lines and headers past gunicorn's limits."""

from __future__ import annotations

import http.client
import json
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import make_settings, new_office, raw_request
from warta.db import session_scope
from warta.embedded_redis import free_port
from warta.local_run import start_services, wait_for_http
from warta.models import Article, OutboxMessage
from warta.processes import Supervisor

MiB = 1024 * 1024


class WebServices:
    def __init__(self, database_url: str, redis_url: str, metrics: Path) -> None:
        self.database_url = database_url
        ports = {"INGEST_PORT": str(free_port(0)), "FEED_PORT": str(free_port(0))}
        env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, **ports}
        self.settings = make_settings(database_url, redis_url, **ports, LOG_LEVEL="WARNING")
        self.supervisor = Supervisor(env={**os.environ, **env})
        self.ports = {"ingest": self.settings.ingest_port, "feed": self.settings.feed_port}
        start_services(self.supervisor, self.settings, [], metrics)
        for port in self.ports.values():
            wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=60)

    def url(self, service: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, redis_server: object) -> Iterator[WebServices]:
    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{folder / 'warta.db'}"
    from warta.schema import upgrade_database

    upgrade_database(url)
    services = WebServices(url, redis_server.url, folder / "metrics")  # type: ignore[attr-defined]
    yield services
    services.supervisor.stop_all()


@pytest.mark.parametrize("service", ["ingest", "feed"])
def test_idle_and_half_sent_connections_hold_up_nobody(web: WebServices, service: str) -> None:
    """200 connections that send nothing and 50 that stop half-way through their headers,
    held open: the service still answers everyone else (the threaded worker answered nobody
    within 10 s)."""
    port = web.ports[service]
    with ExitStack() as held:
        for n in range(250):
            connection = held.enter_context(socket.create_connection(("127.0.0.1", port)))
            if n >= 200:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: slow")
        for _ in range(5):
            assert requests.get(web.url(service, "/healthz"), timeout=10).status_code == 200
        assert requests.get(web.url(service, "/metrics"), timeout=10).status_code == 200


def chunked_post(port: int, path: str, body: bytes, key: str) -> tuple[int, dict[str, object]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    pieces = (body[at : at + 65536] for at in range(0, len(body), 65536))
    connection.request(
        "POST",
        path,
        body=pieces,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        encode_chunked=True,
    )
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


def test_a_chunked_body_past_the_limit_is_413_never_cut_and_accepted(web: WebServices) -> None:
    """A valid report padded to exactly 2 MiB and followed by garbage, sent chunked: Werkzeug
    would stop reading at the limit and parse the first 2 MiB; the API answers 413 and stores
    nothing. Under the limit, a chunked report is accepted as any other."""
    _, key = new_office(web.database_url, f"office-{uuid.uuid4().hex[:6]}")
    report = json.dumps({"title": "Rapat pleno", "body": "Isi berita."}).encode()
    padded = report[:-1] + b" " * (2 * MiB - len(report)) + b"}"
    assert len(padded) == 2 * MiB
    status, problem = chunked_post(web.ports["ingest"], "/v1/articles", padded + b"garbage", key)
    assert status == 413, problem
    assert problem["status"] == 413
    with session_scope(web.database_url, writer=False) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    status, accepted = chunked_post(web.ports["ingest"], "/v1/articles", padded, key)
    assert status == 202, accepted


@pytest.mark.parametrize("service", ["ingest", "feed"])
def test_the_servers_own_refusals_are_problem_documents(web: WebServices, service: str) -> None:
    port = web.ports[service]
    for request, status in (
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
        (b"GET /healthz HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 120 + b"\r\n", 431),
        (b"NOT A REQUEST\r\n\r\n", 400),
    ):
        got, headers, body = raw_request(port, request)
        assert got == status, (request[:40], got, body[:200])
        assert headers["content-type"] == "application/problem+json"
        problem = json.loads(body)
        assert problem["status"] == status and problem["title"]
