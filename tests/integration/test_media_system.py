"""Photos through the whole system (PostgreSQL, the database media store, real servers, a real
worker): upload, renditions, publication, serving, retraction, and the jobs that go wrong."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
from PIL import ExifTags, Image
from sqlalchemy import select

from tests import pictures
from tests.conftest import RunningSystem, eventually, new_office
from warta.celery_app import create_celery
from warta.db import session_scope
from warta.failures import replay_failure
from warta.media_store import DatabaseStore, original_key
from warta.messages import MAKE_RENDITIONS
from warta.models import Failure, Media, Office
from warta.photos import MAX_BYTES
from warta_feed.media import VISIBILITY_SECONDS

REPORT = {
    "title": "Rapat Pleno Terbuka Rekapitulasi Daftar Pemilih",
    "body": "Pasuruan, kab-pasuruan.kpu.go.id - Rabu (29/12/2021) KPU menggelar rapat pleno.",
}


def auth(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def upload(system: RunningSystem, key: str, data: bytes, **headers: str) -> requests.Response:
    return requests.post(
        f"{system.ingest_url}/v1/media",
        data=data,
        headers=auth(key, **{"Content-Type": "image/jpeg", **headers}),
        timeout=30,
    )


def media_state(system: RunningSystem, key: str, media_id: int) -> dict[str, Any]:
    response = requests.get(
        f"{system.ingest_url}/v1/media/{media_id}", headers=auth(key), timeout=5
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ready_photo(system: RunningSystem, key: str, data: bytes | None = None) -> dict[str, Any]:
    answer = upload(system, key, data or pictures.phone_jpeg((2000, 1500)))
    assert answer.status_code == 201, answer.text
    return eventually(
        lambda: (m := media_state(system, key, answer.json()["id"]))["status"] == "ready" and m
    )


def submit(system: RunningSystem, key: str, media_id: int, title: str) -> int:
    report = {**REPORT, "title": title, "image": {"media": media_id, "alt": "Peserta rapat"}}
    response = requests.post(
        f"{system.ingest_url}/v1/articles", json=report, headers=auth(key), timeout=10
    )
    assert response.status_code == 202, response.text
    article_id: int = response.json()["id"]
    return article_id


def status(system: RunningSystem, key: str, article_id: int) -> str:
    url = f"{system.ingest_url}/v1/articles/{article_id}"
    return str(requests.get(url, headers=auth(key), timeout=5).json()["status"])


def fetch(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers=headers, timeout=5)


def test_a_photo_is_public_once_its_article_is_live(system: RunningSystem) -> None:
    _, key = new_office(system.database_url)
    photo = ready_photo(system, key)
    renditions = photo["renditions"]
    assert [(r["name"], r["type"]) for r in renditions] == [
        (name, kind)
        for name in ("card", "article", "social")
        for kind in ("image/webp", "image/jpeg")
    ]
    assert all(r["bytes"] and r["url"].startswith(system.feed_url + "/media/") for r in renditions)
    # Made, but shown by no live article: not public.
    assert fetch(renditions[0]["url"]).status_code == 404

    article_id = submit(system, key, photo["id"], "Rapat Pleno Bergambar")
    eventually(lambda: status(system, key, article_id) == "published")
    # Every feed process (gunicorn runs two) asks again whether the photo is public.
    time.sleep(VISIBILITY_SECONDS * 1.5)
    for rendition in renditions:
        response = fetch(rendition["url"])
        assert response.status_code == 200, rendition
        assert response.headers["Content-Type"] == rendition["type"]
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        etag = response.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert etag == '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        assert len(response.content) == rendition["bytes"]
        image = Image.open(io.BytesIO(response.content))
        assert image.size == (rendition["width"], rendition["height"])
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert b"Exif" not in response.content and pictures.COMMENT not in response.content
        assert fetch(rendition["url"], **{"If-None-Match": etag}).status_code == 304
    article = requests.get(
        f"{system.ingest_url}/v1/articles/{article_id}", headers=auth(key), timeout=5
    ).json()
    assert article["image"]["status"] == "ready"
    assert [r["url"] for r in article["image"]["renditions"]] == [r["url"] for r in renditions]
    base = f"{system.feed_url}/media/{photo['id']}"
    for unknown in (
        f"{base}/poster.jpg",
        f"{base}/card.gif",
        f"{system.feed_url}/media/99999999/card.jpg",
    ):
        assert fetch(unknown).status_code == 404, unknown


def test_retraction_takes_the_photo_down_unless_another_live_article_shows_it(
    system: RunningSystem,
) -> None:
    _, key = new_office(system.database_url)
    photo = ready_photo(system, key)
    url = photo["renditions"][2]["url"]
    first, second = (submit(system, key, photo["id"], f"Sosialisasi Tahap {n}") for n in (1, 2))
    eventually(lambda: {status(system, key, first), status(system, key, second)} == {"published"})
    eventually(lambda: fetch(url).status_code == 200)

    requests.delete(f"{system.ingest_url}/v1/articles/{first}", headers=auth(key), timeout=5)
    eventually(lambda: status(system, key, first) == "retracted")
    time.sleep(VISIBILITY_SECONDS * 1.5)  # past what the feed processes remember
    assert fetch(url).status_code == 200  # the second article still shows it

    requests.delete(f"{system.ingest_url}/v1/articles/{second}", headers=auth(key), timeout=5)
    gone = eventually(lambda: (response := fetch(url)).status_code == 410 and response.headers)
    assert gone["Cache-Control"] == "no-cache"


def unrendered_photo(system: RunningSystem, office: str, key_in_store: str) -> int:
    """A photo recorded as uploaded whose rendition job was never sent (as if lost)."""
    data = pictures.phone_jpeg((1600, 1200))
    DatabaseStore(system.database_url).put(original_key(key_in_store), data)
    with session_scope(system.database_url) as session:
        office_id = session.scalar(select(Office.id).where(Office.slug == office))
        media = Media(
            office_id=office_id,
            media_type="image/jpeg",
            width=1600,
            height=1200,
            length=len(data),
            original_key=original_key(key_in_store),
        )
        session.add(media)
        session.flush()
        return media.id


def test_an_article_waits_for_its_photo_whose_lost_job_is_asked_for_again(
    system: RunningSystem,
) -> None:
    office, key = new_office(system.database_url)
    media_id = unrendered_photo(system, office, "waits-" + office)
    article_id = submit(system, key, media_id, "Bimtek KPPS Menunggu Foto")
    eventually(lambda: status(system, key, article_id) == "rendered")
    # The rendition job never came: the relay's sweep of lost work finds the photo waiting with
    # no message, asks for its renditions, and the article goes live only once they are made.
    eventually(lambda: status(system, key, article_id) == "published", timeout=60)
    photo = media_state(system, key, media_id)
    assert photo["status"] == "ready"
    url = media_state(system, key, media_id)["renditions"][0]["url"]
    eventually(lambda: fetch(url).status_code == 200)


def test_a_photo_whose_renditions_cannot_be_made_fails_and_is_replayed(
    system: RunningSystem,
) -> None:
    office, key = new_office(system.database_url)
    media_id = unrendered_photo(system, office, "missing-" + office)
    with session_scope(system.database_url) as session:
        media = session.get(Media, media_id)
        assert media is not None
        media.original_key = original_key("not-there-" + office)
    create_celery(system.redis_url).send_task(MAKE_RENDITIONS, kwargs={"media_id": media_id})
    failed = eventually(
        lambda: (m := media_state(system, key, media_id))["status"] == "failed" and m
    )
    assert "not in the media store" in failed["error"]
    # A failed photo cannot be given to a new article...
    report = {**REPORT, "image": {"media": media_id}}
    refused = requests.post(
        f"{system.ingest_url}/v1/articles", json=report, headers=auth(key), timeout=5
    )
    assert refused.status_code == 422
    # ...and once the cause is mended, replaying the failure makes its renditions.
    with session_scope(system.database_url) as session:
        media = session.get(Media, media_id)
        assert media is not None
        media.original_key = original_key("missing-" + office)
        failure = session.scalars(
            select(Failure).where(
                Failure.task == MAKE_RENDITIONS,
                Failure.payload["media_id"].as_integer() == media_id,
            )
        ).one()
        replay_failure(session, failure)
    eventually(lambda: media_state(system, key, media_id)["status"] == "ready")


def chunked_post(url: str, key: str, chunks: Iterator[bytes]) -> tuple[int, dict[str, Any]]:
    """A POST with `Transfer-Encoding: chunked` (no Content-Length), as phones' apps send."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        connection.request(
            "POST",
            parts.path,
            body=chunks,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "image/jpeg"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    except (BrokenPipeError, ConnectionResetError):
        return 0, {}  # the server answered and closed before taking the rest
    finally:
        connection.close()


def test_chunked_uploads_are_read_whole_and_cut_at_the_limit(system: RunningSystem) -> None:
    office, key = new_office(system.database_url)
    photo = pictures.phone_jpeg((1200, 900))
    code, body = chunked_post(
        f"{system.ingest_url}/v1/media",
        key,
        (photo[i : i + 4096] for i in range(0, len(photo), 4096)),
    )
    assert code == 201, body
    assert body["bytes"] == len(photo)

    def endless() -> Iterator[bytes]:
        yield photo
        for _ in range(MAX_BYTES // 65536 + 64):
            yield b"\0" * 65536

    code, body = chunked_post(f"{system.ingest_url}/v1/media", key, endless())
    assert code in (413, 0), body
    if code:
        assert body["type"].endswith("/too-large")
    with session_scope(system.database_url) as session:
        office_id = session.scalar(select(Office.id).where(Office.slug == office))
        assert len(session.scalars(select(Media).where(Media.office_id == office_id)).all()) == 1


def test_the_upload_contract_through_the_real_server(system: RunningSystem) -> None:
    _, key = new_office(system.database_url)
    _, other_key = new_office(system.database_url)
    photo = pictures.phone_jpeg()
    first = upload(system, key, photo, **{"Idempotency-Key": "unggah-1"})
    again = upload(system, key, photo, **{"Idempotency-Key": "unggah-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    lying = upload(system, key, photo, **{"Content-Type": "image/png"})
    assert lying.status_code == 415
    assert lying.headers["Content-Type"] == "application/problem+json"
    assert "image/jpeg" in lying.json()["detail"]
    other = requests.get(
        f"{system.ingest_url}/v1/media/{first.json()['id']}", headers=auth(other_key), timeout=5
    )
    assert other.status_code == 404
