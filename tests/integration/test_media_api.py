"""`POST /v1/media` and `GET /v1/media/<id>`, and articles that name an uploaded photo, through
Flask's test client on a real database: the filesystem store beside SQLite, the database
store in PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from tests import pictures
from tests.conftest import make_settings, new_office
from warta.db import session_scope
from warta.media_store import media_store
from warta.messages import MAKE_RENDITIONS
from warta.models import Media, MediaBlob, MediaUse, OutboxMessage
from warta.photos import MAX_BYTES
from warta.settings import Settings
from warta_ingest.app import create_app

REPORT = {
    "title": "KPU Kabupaten Pasuruan Gelar Rapat Pleno Terbuka",
    "body": "Pasuruan, kab-pasuruan.kpu.go.id - Rabu (29/12/2021) KPU menggelar rapat pleno.",
}
PUBLIC = "http://warta.test"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    store = "database" if database_url.startswith("postgresql") else "filesystem"
    return make_settings(
        database_url,
        "redis://127.0.0.1:1/0",
        MEDIA_STORE=store,
        MEDIA_DIR=str(tmp_path / "media"),
        PUBLIC_BASE_URL=PUBLIC,
    )


@pytest.fixture
def client(settings: Settings) -> FlaskClient:
    return create_app(settings).test_client()


@pytest.fixture
def key(database_url: str) -> str:
    return new_office(database_url, "kab-pasuruan", "KPU Kabupaten Pasuruan")[1]


def auth(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def upload(
    client: FlaskClient,
    key: str,
    data: bytes,
    content_type: str = "image/jpeg",
    query: str = "",
    **headers: str,
) -> Any:
    return client.post(
        f"/v1/media{query}",
        data=data,
        headers=auth(key, **{"Content-Type": content_type, **headers}),
    )


def kept(settings: Settings) -> dict[str, int]:
    """What uploads left behind: media rows, outbox messages, stored bytes."""
    with session_scope(settings.database_url) as session:
        counts = {
            "media": session.scalar(select(func.count()).select_from(Media)) or 0,
            "outbox": session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
            "blobs": session.scalar(select(func.count()).select_from(MediaBlob)) or 0,
        }
    folder = Path(settings.media_dir)
    counts["files"] = (
        sum(1 for path in folder.rglob("*") if path.is_file()) if folder.exists() else 0
    )
    return counts


def test_an_upload_answers_201_with_its_renditions_and_asks_for_them(
    client: FlaskClient, key: str, settings: Settings
) -> None:
    photo = pictures.phone_jpeg((4032, 3024), orientation=6)
    response = upload(client, key, photo, query="?caption=Rapat%20pleno&credit=KPU%20Pasuruan")
    assert response.status_code == 201, response.json
    body = response.json
    media_id = body["id"]
    assert response.headers["Location"] == f"/v1/media/{media_id}"
    assert {k: body[k] for k in body if k != "renditions"} == {
        "id": media_id,
        "status": "processing",
        "error": None,
        "type": "image/jpeg",
        "width": 3024,  # upright
        "height": 4032,
        "bytes": len(photo),
        "caption": "Rapat pleno",
        "credit": "KPU Pasuruan",
        "alt": None,
        "links": {"self": f"/v1/media/{media_id}"},
    }
    assert body["renditions"][:2] == [
        {
            "name": "card",
            "width": 640,
            "height": 400,
            "type": "image/webp",
            "url": f"{PUBLIC}/media/{media_id}/card.webp",
            "bytes": None,
        },
        {
            "name": "card",
            "width": 640,
            "height": 400,
            "type": "image/jpeg",
            "url": f"{PUBLIC}/media/{media_id}/card.jpg",
            "bytes": None,
        },
    ]
    assert [(r["name"], r["width"], r["height"]) for r in body["renditions"][2::2]] == [
        ("article", 1200, 1600),
        ("social", 1200, 630),
    ]
    with session_scope(settings.database_url) as session:
        messages = [(m.task, m.payload) for m in session.scalars(select(OutboxMessage))]
        media = session.get(Media, media_id)
        assert media is not None
        assert media_store(settings).get(media.original_key) == photo  # kept as sent, privately
    assert messages == [(MAKE_RENDITIONS, {"media_id": media_id})]
    assert client.get(f"/v1/media/{media_id}", headers=auth(key)).json == body


def test_a_multipart_upload_with_its_texts(client: FlaskClient, key: str) -> None:
    photo = pictures.encoded(Image.new("RGB", (800, 500), (30, 90, 30)), "PNG")
    response = client.post(
        "/v1/media",
        data={
            "file": (io.BytesIO(photo), "rapat.png", "image/png"),
            "caption": "Rapat koordinasi",
            "alt": "Peserta rapat duduk di ruang aula KPU",
        },
        headers=auth(key),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    assert (response.json["type"], response.json["width"], response.json["height"]) == (
        "image/png",
        800,
        500,
    )
    assert response.json["alt"] == "Peserta rapat duduk di ruang aula KPU"
    assert response.json["caption"] == "Rapat koordinasi"


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(
    client: FlaskClient, key: str, settings: Settings
) -> None:
    photo = pictures.phone_jpeg()
    first = upload(client, key, photo, **{"Idempotency-Key": "foto-1"})
    again = upload(client, key, photo, **{"Idempotency-Key": "foto-1"})
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    # The same multipart upload (another boundary on the wire) is the same request too.
    for _ in range(2):
        multipart = client.post(
            "/v1/media",
            data={"file": (io.BytesIO(photo), "a.jpg", "image/jpeg")},
            headers=auth(key, **{"Idempotency-Key": "foto-2"}),
            content_type="multipart/form-data",
        )
        assert multipart.status_code == 201
    assert kept(settings)["media"] == 2
    other = upload(client, key, pictures.phone_jpeg((300, 300)), **{"Idempotency-Key": "foto-1"})
    assert other.status_code == 422
    assert other.json["type"].endswith("/idempotency-key-reused")


def problem_cases() -> list[tuple[str, bytes, str, int, str]]:
    jpeg = pictures.phone_jpeg((800, 600))
    return [
        ("not an image", b"Rapat pleno KPU", "image/jpeg", 415, "not-an-image"),
        ("text body", jpeg, "text/plain", 415, "unsupported-media-type"),
        ("lying type", jpeg, "image/png", 415, "type-mismatch"),
        (
            "svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
            415,
            "not-accepted",
        ),
        (
            "heic",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64,
            "image/heic",
            415,
            "not-accepted",
        ),
        ("animated", pictures.animated("WEBP"), "image/webp", 415, "animated"),
        ("truncated", jpeg[: len(jpeg) // 2], "image/jpeg", 422, "undecodable"),
        ("bomb", pictures.bomb_png(100_000, 100_000), "image/png", 413, "too-many-pixels"),
        ("bomb jpeg", pictures.bomb_jpeg(9000, 6000), "image/jpeg", 413, "too-many-pixels"),
        ("too many bytes", b"\xff\xd8" + b"\0" * MAX_BYTES, "image/jpeg", 413, "too-large"),
        ("empty", b"", "image/jpeg", 400, "missing-image"),
    ]


@pytest.mark.parametrize(("case", "data", "content_type", "status", "kind"), problem_cases())
def test_bad_uploads_get_a_problem_and_leave_nothing(
    client: FlaskClient,
    key: str,
    settings: Settings,
    case: str,
    data: bytes,
    content_type: str,
    status: int,
    kind: str,
) -> None:
    response = upload(client, key, data, content_type)
    assert response.status_code == status, (case, response.json)
    assert response.content_type == "application/problem+json"
    assert response.json["type"].endswith("/" + kind), response.json
    assert response.json["detail"]
    assert kept(settings) == {"media": 0, "outbox": 0, "blobs": 0, "files": 0}


def test_bad_texts_and_fields_are_named(client: FlaskClient, key: str, settings: Settings) -> None:
    photo = pictures.phone_jpeg()
    long_caption = upload(client, key, photo, query="?caption=" + "x" * 501)
    assert long_caption.status_code == 422
    assert set(long_caption.json["errors"]) == {"caption"}
    unknown = upload(client, key, photo, query="?colour=red")
    assert unknown.json["errors"] == {"colour": ["Unknown field."]}
    no_file = client.post(
        "/v1/media", data={"caption": "x"}, headers=auth(key), content_type="multipart/form-data"
    )
    assert no_file.status_code == 400
    assert kept(settings)["media"] == 0


def test_another_offices_media_is_not_found(
    client: FlaskClient, key: str, database_url: str
) -> None:
    media_id = upload(client, key, pictures.phone_jpeg()).json["id"]
    _, other_key = new_office(database_url)
    for response in (
        client.get(f"/v1/media/{media_id}", headers=auth(other_key)),
        client.get(f"/v1/media/{media_id + 1000}", headers=auth(key)),
        client.get(f"/v1/media/{2**40}", headers=auth(key)),
    ):
        assert response.status_code == 404
        assert response.content_type == "application/problem+json"
    assert client.get(f"/v1/media/{media_id}").status_code == 401
    # Nor may another office's article show it.
    report = {**REPORT, "image": {"media": media_id}}
    refused = client.post("/v1/articles", json=report, headers=auth(other_key))
    assert refused.status_code == 422
    assert list(refused.json["errors"]["image"]) == ["media"]


def test_an_article_names_its_photo_and_shows_its_renditions(
    client: FlaskClient, key: str, settings: Settings
) -> None:
    media_id = upload(
        client, key, pictures.phone_jpeg((1600, 1200)), query="?caption=Dari%20unggahan&alt=Rapat"
    ).json["id"]
    image = {"media": media_id, "caption": "Rapat pleno terbuka", "credit": "Humas KPU"}
    answer = client.post("/v1/articles", json={**REPORT, "image": image}, headers=auth(key))
    assert answer.status_code == 202, answer.json
    article = client.get(f"/v1/articles/{answer.json['id']}", headers=auth(key)).json
    shown = article["image"]
    assert {k: shown[k] for k in shown if k != "renditions"} == {
        "media": media_id,
        "caption": "Rapat pleno terbuka",
        "credit": "Humas KPU",
        "alt": "Rapat",  # not given with the article: the upload's, as the public sees it
        "status": "processing",
    }
    assert [(r["name"], r["width"], r["height"]) for r in shown["renditions"]][::2] == [
        ("card", 640, 400),
        ("article", 1200, 900),
        ("social", 1200, 630),
    ]
    assert [r["url"] for r in shown["renditions"]][:2] == [
        f"{PUBLIC}/media/{media_id}/card.webp",
        f"{PUBLIC}/media/{media_id}/card.jpg",
    ]
    listed = client.get("/v1/articles", headers=auth(key)).json["items"][0]
    assert listed["image"] == shown
    with session_scope(settings.database_url) as session:
        uses = [(u.article_id, u.revision, u.media_id) for u in session.scalars(select(MediaUse))]
    assert uses == [(answer.json["id"], 1, media_id)]
    # Both forms stay: an office's own https image, and never both at once.
    own = {"url": "https://kab-pasuruan.kpu.go.id/foto/rapat.jpg", "alt": "Rapat"}
    assert (
        client.post("/v1/articles", json={**REPORT, "image": own}, headers=auth(key)).status_code
        == 202
    )
    both = client.post(
        "/v1/articles", json={**REPORT, "image": {**own, "media": media_id}}, headers=auth(key)
    )
    assert both.status_code == 422
    unknown = client.post(
        "/v1/articles", json={**REPORT, "image": {"media": 999_999}}, headers=auth(key)
    )
    assert unknown.status_code == 422
    assert "999999" in unknown.json["errors"]["image"]["media"][0]
