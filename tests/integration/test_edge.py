"""The edge (services/edge, Debian's nginx) in front of the whole running system, as compose
puts it: which service answers which path, public documents cached and revalidated with the
feed service, the article page reaching it on every view, limits and the edge's own
refusals as problem documents, slow and idle clients, and client addresses as the services
see them through it."""

from __future__ import annotations

import gzip
import json
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import redis
import requests

from tests.conftest import (
    RunningSystem,
    create_postgres_database,
    drop_postgres_database,
    eventually,
    new_office,
    raw_request,
)
from tests.edge import Edge
from warta.schema import upgrade_database

MAX_AGE = 3  # PUBLIC_MAX_AGE of this system, so that a test sees a copy expire
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def edge(
    tmp_path_factory: pytest.TempPathFactory, redis_server: object, postgres_available: bool
) -> Iterator[tuple[Edge, RunningSystem]]:
    database_url = create_postgres_database()
    upgrade_database(database_url)
    redis_url = redis_server.url  # type: ignore[attr-defined]
    redis.Redis.from_url(redis_url).flushall()
    system = RunningSystem(
        database_url,
        redis_url,
        tmp_path_factory.mktemp("metrics"),
        PUBLIC_MAX_AGE=str(MAX_AGE),
        VIEWS_FLUSH_SECONDS="1",
        TRUSTED_PROXIES="127.0.0.1",
        REFUSED_KEY_LIMIT="5/minute",
    )
    system.start()
    front = Edge(f"127.0.0.1:{system.ingest_port}", f"127.0.0.1:{system.feed_port}")
    front.start()
    yield front, system
    front.stop()
    system.stop()
    drop_postgres_database(database_url)


def submit(edge: Edge, key: str, title: str, **fields: object) -> int:
    answer = requests.post(
        f"{edge.url}/v1/articles",
        json={"title": title, "body": f"Pasuruan – {title}. Isi laporan.", **fields},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    return int(answer.json()["id"])


def test_each_path_goes_to_its_service(edge: tuple[Edge, RunningSystem]) -> None:
    front, _ = edge
    api = requests.get(f"{front.url}/v1/articles", timeout=5)
    assert api.status_code == 401 and api.headers["Content-Type"] == "application/problem+json"
    assert requests.get(f"{front.url}/openapi.json", timeout=5).json()["openapi"].startswith("3.")
    assert "swagger-ui" in requests.get(f"{front.url}/docs", timeout=5).text
    assert requests.get(f"{front.url}/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{front.url}/robots.txt", timeout=5).text.startswith("User-agent")
    # Metrics and readiness stay inside; what is not found is a problem document too.
    for path in ("/metrics", "/readyz", "/.problems/400"):
        hidden = requests.get(f"{front.url}{path}", timeout=5)
        assert hidden.status_code == 404, path
        assert hidden.headers["Content-Type"] == "application/problem+json"
        assert hidden.json()["status"] == 404


def test_documents_are_kept_and_revalidated_with_the_feed_service(
    edge: tuple[Edge, RunningSystem],
) -> None:
    """A feed is served from the edge's copy (and 304 to a client that has it) until its
    max-age; then the edge asks the feed service again with the copy's ETag, so a new article
    shows within max-age of its rebuild."""
    front, system = edge
    _, key = new_office(system.database_url, "kab-edge", "KPU Kabupaten Edge")
    submit(front, key, "Rapat pleno pertama")
    identity = {"Accept-Encoding": "identity"}

    def edge_feed(**headers: str) -> requests.Response:
        return requests.get(f"{front.url}/feed.rss", headers={**identity, **headers}, timeout=5)

    eventually(lambda: b"pleno pertama" in edge_feed().content, timeout=60)
    first = edge_feed()
    assert first.headers["X-Cache-Status"] in ("HIT", "MISS", "EXPIRED", "REVALIDATED")
    kept = edge_feed()
    assert kept.headers["X-Cache-Status"] == "HIT"
    assert kept.content == first.content and kept.headers["ETag"] == first.headers["ETag"]
    assert kept.headers["ETag"].startswith('"')  # still the feed service's strong ETag
    assert kept.headers["Cache-Control"] == f"public, max-age={MAX_AGE}"
    assert edge_feed(**{"If-None-Match": kept.headers["ETag"]}).status_code == 304

    # gzip is a copy of its own, the feed service's precomputed bytes.
    packed = requests.get(
        f"{front.url}/feed.rss",
        headers={"Accept-Encoding": "gzip, deflate, br"},
        stream=True,
        timeout=5,
    )
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.raw.read()) == kept.content

    submit(front, key, "Rapat pleno kedua")
    direct = f"{system.feed_url}/feed.rss"
    eventually(lambda: b"pleno kedua" in requests.get(direct, timeout=5).content, timeout=60)

    def with_the_new_article() -> requests.Response | None:
        response = edge_feed()
        return response if b"pleno kedua" in response.content else None

    # The new article reaches the edge's readers once its copy expires (max-age): the edge
    # asks the feed service again and gets the new document.
    fresh = eventually(with_the_new_article, timeout=30)
    assert fresh.headers["X-Cache-Status"] == "EXPIRED"
    # Expired but unchanged: the edge revalidates (If-None-Match) and keeps its copy.
    time.sleep(MAX_AGE + 1)
    assert edge_feed().headers["X-Cache-Status"] == "REVALIDATED"


def test_every_view_of_an_article_page_reaches_the_feed_service(
    edge: tuple[Edge, RunningSystem],
) -> None:
    """The page counts its readers: the edge keeps no copy of it, so each reader is counted
    (by the address the edge forwards, and the browser)."""
    front, system = edge
    _, key = new_office(system.database_url, "kab-views", "KPU Kabupaten Views")
    article_id = submit(front, key, "Berita yang dibaca")
    headers = {"Authorization": f"Bearer {key}"}

    def public_url() -> str | None:
        state = requests.get(f"{front.url}/v1/articles/{article_id}", headers=headers, timeout=5)
        return state.json().get("url") if state.json()["status"] == "published" else None

    path = "/" + str(eventually(public_url, timeout=60)).split("/", 3)[3]
    browsers = [
        f"Mozilla/5.0 (X11; Linux x86_64; rv:{n}.0) Gecko/20100101 Firefox/{n}.0"
        for n in (120, 121, 122)
    ]
    for browser in browsers:
        page = requests.get(f"{front.url}{path}", headers={"User-Agent": browser}, timeout=5)
        assert page.status_code == 200
        assert page.headers["X-Cache-Status"] != "HIT"
        assert page.headers["Cache-Control"] == "public, no-cache"

    def views() -> int:
        state = requests.get(f"{front.url}/v1/articles/{article_id}", headers=headers, timeout=5)
        return int(state.json()["views"])

    eventually(lambda: views() == len(browsers), timeout=30)


def test_limits_and_the_edges_own_refusals_are_problem_documents(
    edge: tuple[Edge, RunningSystem],
) -> None:
    front, _ = edge
    for request, status in (
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
        (b"NOT A REQUEST\r\n\r\n", 400),
        (
            b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (2 * MiB + 1),
            413,
        ),
        (b"POST /feed.rss HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n", 413),
        (
            b"POST /desk/tulis HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data\r\n"
            b"Content-Length: %d\r\n\r\n" % (23 * MiB + 1),
            413,
        ),
    ):
        got, headers, body = raw_request(front.port, request)
        assert got == status, (request[:40], got, body[:200])
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body)["status"] == status

    # Chunked, past 2 MiB: refused by the edge as it reads, never passed on cut.
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 65536

    chunked = requests.post(
        f"{front.url}/v1/articles",
        data=chunks(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer wk_x"},
        timeout=10,
    )
    assert chunked.status_code == 413
    assert chunked.headers["Content-Type"] == "application/problem+json"


def test_the_desk_is_served_through_the_edge_and_takes_a_photo(
    edge: tuple[Edge, RunningSystem],
) -> None:
    front, _ = edge
    page = requests.get(f"{front.url}/desk/masuk", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="id">' in page.text
    # A form with a 21 MiB photo passes the edge; the desk itself refuses it here, for want of
    # a CSRF token (its own page, not the edge's problem document).
    photo = {"photo": ("foto.jpg", b"\xff" * (21 * MiB), "image/jpeg")}
    answer = requests.post(f"{front.url}/desk/tulis", files=photo, timeout=30)
    assert answer.status_code == 400 and answer.headers["Content-Type"].startswith("text/html")


def test_slow_and_idle_clients_hold_up_nobody(edge: tuple[Edge, RunningSystem]) -> None:
    """200 idle connections, 50 half-sent requests and 20 uploads stalled mid-body, held open:
    the edge reads them at their pace, and every other request is answered."""
    front, system = edge
    _, key = new_office(system.database_url, "kab-slow", "KPU Kabupaten Slow")
    with ExitStack() as held:
        for n in range(270):
            connection = held.enter_context(socket.create_connection(("127.0.0.1", front.port)))
            if 200 <= n < 250:
                connection.sendall(b"GET /feed.rss HTTP/1.1\r\nHost: x\r\nUser-Agent: slow")
            elif n >= 250:
                connection.sendall(
                    b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                    b"Content-Type: application/json\r\nAuthorization: Bearer "
                    + key.encode()
                    + b'\r\n\r\n{"title": "Lambat", '
                )
        for _ in range(3):
            assert requests.get(f"{front.url}/healthz", timeout=10).status_code == 200
            assert requests.get(f"{front.url}/feed.json", timeout=10).status_code == 200
        submit(front, key, "Tidak menunggu")
        # The stalled uploads never reached ingest: the edge holds them until they are whole.
        assert requests.get(f"{system.ingest_url}/healthz", timeout=10).status_code == 200


def test_the_client_address_is_the_one_the_edge_saw(edge: tuple[Edge, RunningSystem]) -> None:
    """Refused keys are limited per client address; through the edge that is the address the
    edge saw, whatever X-Forwarded-For the client itself sends. (Last: the limit then holds
    127.0.0.1 for a minute.)"""
    front, system = edge
    # A clean budget: the tests before spent some of it, and a moving window may give that
    # back in the middle of this one.
    client = redis.Redis.from_url(system.redis_url)
    if spent := client.keys("*warta:ratelimit*"):
        client.delete(*spent)
    answers = [
        requests.get(
            f"{front.url}/v1/articles",
            headers={
                "Authorization": f"Bearer wk_{uuid.uuid4().hex}",
                "X-Forwarded-For": f"203.0.113.{n}",
            },
            timeout=5,
        )
        for n in range(8)
    ]
    statuses = [a.status_code for a in answers]
    # 401 until the address's budget of 5 is spent, then 429 however the forged addresses change.
    assert statuses == [401] * 5 + [429] * 3
    assert answers[-1].headers["Content-Type"] == "application/problem+json"
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_with_the_feed_service_down_readers_get_the_last_copy(
    edge: tuple[Edge, RunningSystem],
) -> None:
    """Last, since it stops the feed service: a kept document is still served once expired
    (STALE), and what the edge has no copy of is a 503 problem with Retry-After."""
    front, system = edge
    assert requests.get(f"{front.url}/feed.atom", timeout=5).status_code == 200
    feed = system.supervisor.running["feed"]
    feed.terminate()
    feed.wait(30)
    time.sleep(MAX_AGE + 1)
    stale = requests.get(f"{front.url}/feed.atom", timeout=10)
    assert stale.status_code == 200 and stale.headers["X-Cache-Status"] == "STALE"
    missing = requests.get(f"{front.url}/sitemap-news.xml?never-asked", timeout=10)
    assert missing.status_code == 503
    assert missing.headers["Content-Type"] == "application/problem+json"
    assert int(missing.headers["Retry-After"]) > 0
