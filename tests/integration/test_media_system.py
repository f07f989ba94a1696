"""Photos through the whole system (PostgreSQL, the database media store, real servers, a real
worker): upload, renditions, publication, serving, retraction, and the jobs that go wrong; the
demo reports' photos on the pages, in the feeds and the sitemaps, and taken off them."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import redis
import requests
from PIL import ExifTags, Image
from sqlalchemy import select

from tests import pictures
from tests.conftest import RunningSystem, eventually, new_office
from tests.unit.feed.validators import valid_atom, valid_json_feed, valid_rss, valid_sitemap
from warta import demo
from warta.celery_app import create_celery
from warta.db import session_scope
from warta.demo.pictures import photo_for
from warta.document_paths import REPROCESS_KEY
from warta.failures import replay_failure
from warta.media_store import DatabaseStore, original_key
from warta.messages import MAKE_RENDITIONS, REBUILD_FEEDS, RERENDER
from warta.models import Failure, Media, Office
from warta.photos import MAX_BYTES
from warta_feed import sitemaps
from warta_feed.media import VISIBILITY_SECONDS
from warta_feed.rebuilds import BUILT_KEY
from warta_feed.responses import REVALIDATE_SECONDS

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
    # ("rendered" is passed through: on a slow machine the sweep may already have done its work.)
    eventually(lambda: status(system, key, article_id) in ("rendered", "published"))
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


def page(url: str) -> lxml.html.HtmlElement:
    response = fetch(url)
    assert response.status_code == 200, (url, response.status_code)
    return lxml.html.fromstring(response.content)


def og(root: lxml.html.HtmlElement, name: str) -> str | None:
    found = root.xpath(f'//meta[@property="og:{name}"]/@content')
    return str(found[0]) if found else None


def published_ids(system: RunningSystem, key: str, ids: list[int]) -> bool:
    return all(status(system, key, article_id) == "published" for article_id in ids)


def test_the_demo_reports_carry_their_photos_everywhere(system: RunningSystem) -> None:
    """`make run` loads the sample reports with photos drawn for them: uploaded, stripped and
    rendered by the real path; a reader and an aggregator then see each photo where it belongs."""
    _, key = new_office(system.database_url)
    reports = demo.sample_reports()
    ids = [demo.submit(system.ingest_url, key, report)["id"] for report in reports]
    eventually(lambda: published_ids(system, key, ids), timeout=90)
    resources = [
        requests.get(f"{system.ingest_url}/v1/articles/{i}", headers=auth(key), timeout=5).json()
        for i in ids
    ]
    photos = {}  # article id -> (media id, what the office said of the photo)
    for report, resource in zip(reports, resources, strict=True):
        drawn = photo_for(report["external_id"])
        assert drawn is not None
        image = resource["image"]
        assert image["status"] == "ready" and len(image["renditions"]) == 6
        assert (image["caption"], image["credit"], image["alt"]) == (
            drawn.caption,
            drawn.credit,
            drawn.alt,
        )
        assert all(r["bytes"] for r in image["renditions"])
        photos[resource["id"]] = (image["media"], drawn)
    media = f"{system.feed_url}/media"
    eventually(lambda: fetch(f"{media}/{photos[ids[0]][0]}/card.jpg").status_code == 200)

    # The public renditions: the drawn scene, without the camera and position it was sent with.
    main_lengths = {}
    for media_id, _ in photos.values():
        for name, size in (("card", (640, 400)), ("article", (1200, 800)), ("social", (1200, 630))):
            for extension in ("webp", "jpg"):
                response = fetch(f"{media}/{media_id}/{name}.{extension}")
                assert response.status_code == 200
                picture = Image.open(io.BytesIO(response.content))
                assert picture.size == size
                assert not picture.getexif() and b"Demo Camera" not in response.content
        main_lengths[media_id] = len(fetch(f"{media}/{media_id}/article.jpg").content)

    # The latest-news page: every card with its thumbnail and alt text.
    def cards() -> dict[str, Any]:
        response = fetch(f"{system.feed_url}/berita/")
        if response.status_code != 200:  # not composed yet
            return {}
        root = lxml.html.fromstring(response.content)
        return {card.get("data-article-id"): card for card in root.find_class("card")}

    listed = eventually(
        lambda: (found := cards()) and {str(i) for i in ids} <= set(found) and found
    )
    for article_id, (media_id, drawn) in photos.items():
        (image,) = listed[str(article_id)].xpath(
            ".//picture//img"
        )  # (libxml2 knows no void <source>)
        (source,) = listed[str(article_id)].xpath(".//picture/source")
        assert image.get("src") == f"{media}/{media_id}/card.jpg"
        assert source.get("srcset") == f"{media}/{media_id}/card.webp 640w"
        assert (image.get("width"), image.get("height")) == ("640", "400")
        assert image.get("alt") == drawn.alt and image.get("loading") == "lazy"

    # The article page: the photo at the column's width, its caption and credit, and the social
    # card for link previews; JSON-LD for search engines.
    for resource in resources:
        media_id, drawn = photos[resource["id"]]
        root = page(resource["url"])
        (image,) = root.xpath('//figure[@class="lead-image"]//img')
        assert image.get("src") == f"{media}/{media_id}/article.jpg"
        assert (image.get("width"), image.get("height")) == ("1200", "800")
        assert image.get("alt") == drawn.alt and image.get("loading") is None
        caption = root.xpath('//figure[@class="lead-image"]/figcaption')[0].text_content()
        assert drawn.caption in caption and drawn.credit in caption
        assert og(root, "image") == f"{media}/{media_id}/social.jpg"
        assert (og(root, "image:width"), og(root, "image:height")) == ("1200", "630")
        assert og(root, "image:alt") == drawn.alt
        (jsonld,) = root.xpath('//script[@type="application/ld+json"]/text()')
        assert json.loads(jsonld)["image"][0]["url"] == f"{media}/{media_id}/article.jpg"

    # The feeds and the image sitemap: the article-width JPEG, its real length and type.
    def built(path: str) -> bytes:
        response = fetch(f"{system.feed_url}/{path}")
        return response.content if response.status_code == 200 else b""

    # Every report's own URL, in every document: "published" on the API comes before the
    # debounced rebuild, and an id alone is a digit that any date in the sitemap contains.
    documents = ("feed.rss", "feed.atom", "feed.json", "sitemaps/articles-1.xml")
    urls = [resource["url"].encode() for resource in resources]
    eventually(lambda: all(url in built(path) for path in documents for url in urls))
    rss = valid_rss(built("feed.rss"))
    atom = valid_atom(built("feed.atom"))
    json_feed = valid_json_feed(built("feed.json"))
    enclosures = {entry.link: entry.enclosures[0] for entry in rss.entries}
    atom_links = {
        entry.link: next(link for link in entry.links if link.rel == "enclosure")
        for entry in atom.entries
    }
    json_images = {item["url"]: item for item in json_feed["items"]}
    for resource in resources:
        media_id, _ = photos[resource["id"]]
        url, length = f"{media}/{media_id}/article.jpg", main_lengths[media_id]
        for found in (enclosures[resource["url"]], atom_links[resource["url"]]):
            assert (found.href, found.type, int(found.length)) == (url, "image/jpeg", length)
        item = json_images[resource["url"]]
        assert item["image"] == url and item["attachments"][0]["size_in_bytes"] == length
    sitemap = valid_sitemap(built("sitemaps/articles-1.xml"))
    image_locs = sitemap.xpath("//image:loc/text()", namespaces={"image": sitemaps.IMAGE_NS})
    assert {f"{media}/{media_id}/article.jpg" for media_id, _ in photos.values()} <= set(image_locs)

    # Rebuilt from scratch, the feeds and sitemaps are the same bytes (the same ETags), and a
    # page rendered again now that its photo is made is the page rendered while it was not.
    time.sleep(REVALIDATE_SECONDS * 2)  # past the copy either feed process keeps in memory
    etags = {path: fetch(f"{system.feed_url}/{path}").headers["ETag"] for path in documents}
    article_etag = fetch(resources[0]["url"]).headers["ETag"]
    client = redis.Redis.from_url(system.redis_url)
    client.delete(BUILT_KEY)  # the next rebuild redoes everything, and says so once done
    run = "photos-" + uuid.uuid4().hex[:8]
    celery = create_celery(system.redis_url)
    celery.send_task(RERENDER, kwargs={"article_id": ids[0], "run": run, "total": 1})
    celery.send_task(REBUILD_FEEDS)
    eventually(lambda: client.exists(BUILT_KEY))
    eventually(lambda: client.get(REPROCESS_KEY.format(run=run)) == b"1")
    time.sleep(REVALIDATE_SECONDS * 2)
    assert {path: fetch(f"{system.feed_url}/{path}").headers["ETag"] for path in documents} == etags
    assert fetch(resources[0]["url"]).headers["ETag"] == article_etag


def test_a_photo_taken_down_leaves_feeds_sitemaps_and_pages(system: RunningSystem) -> None:
    """A revision with another photo, then a retraction: the photo no live report shows any
    more answers 410, and no feed, sitemap or page names it."""
    _, key = new_office(system.database_url)
    first, second = ready_photo(system, key), ready_photo(system, key)
    article_id = submit(system, key, first["id"], "Penetapan DPT Bergambar")
    eventually(lambda: status(system, key, article_id) == "published")
    first_url = f"{system.feed_url}/media/{first['id']}/"
    second_url = f"{system.feed_url}/media/{second['id']}/"
    resource_url = f"{system.ingest_url}/v1/articles/{article_id}"
    public_url = requests.get(resource_url, headers=auth(key), timeout=5).json()["url"]
    documents = ["feed.rss", "feed.atom", "feed.json", "sitemaps/articles-1.xml", "berita/"]

    def shown(prefix: str) -> dict[str, bool]:
        return {
            path: prefix in fetch(f"{system.feed_url}/{path}").text
            for path in [*documents, public_url.removeprefix(system.feed_url + "/")]
        }

    eventually(lambda: all(shown(first_url).values()) and shown(first_url))
    eventually(lambda: fetch(f"{first_url}card.jpg").status_code == 200)

    report = {**REPORT, "title": "Penetapan DPT Bergambar", "image": {"media": second["id"]}}
    current = requests.get(resource_url, headers=auth(key), timeout=5)
    revised = requests.put(
        resource_url,
        json=report,
        headers=auth(key, **{"If-Match": current.headers["ETag"]}),
        timeout=10,
    )
    assert revised.status_code == 202, revised.text
    eventually(lambda: all(shown(second_url).values()) and not any(shown(first_url).values()))
    eventually(lambda: fetch(f"{first_url}card.jpg").status_code == 410)
    assert fetch(f"{second_url}card.jpg").status_code == 200

    requests.delete(resource_url, headers=auth(key), timeout=5)
    eventually(lambda: fetch(public_url).status_code == 410)
    eventually(lambda: not any(shown(second_url)[path] for path in documents))
    renditions = [
        f"{second_url}{n}.{e}" for n in ("card", "article", "social") for e in ("webp", "jpg")
    ]
    eventually(lambda: {fetch(url).status_code for url in renditions} == {410})
