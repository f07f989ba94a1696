"""The running feed service as aggregators meet it: conditional GET, gzip, content types, and
an article retracted leaving every feed and sitemap (real processes, real Redis and database)."""

from __future__ import annotations

import gzip
import time

import requests
from sqlalchemy import select

from tests.conftest import RunningSystem, eventually, new_office
from tests.unit.feed.validators import valid_atom, valid_json_feed, valid_rss, valid_sitemap
from warta.articles import retract
from warta.db import session_scope
from warta.messages import RETRACT
from warta.models import Article
from warta.outbox import add_message
from warta_feed.responses import REVALIDATE_SECONDS

TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


def test_conditional_get_gzip_and_retraction(system: RunningSystem) -> None:
    office, key = new_office(system.database_url, "kab-service", "KPU Kabupaten Service")
    auth = {"Authorization": f"Bearer {key}"}
    ids = []
    for title in ("Rapat pleno terbuka", "Berita yang ditarik kembali"):
        answer = requests.post(
            f"{system.ingest_url}/v1/articles",
            json={"title": title, "body": f"Pasuruan – {title}. Isi laporan.", "tags": ["uji"]},
            headers=auth,
            timeout=10,
        )
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["id"])
    feed = system.feed_url

    def has_both(path: str) -> bool:
        response = requests.get(feed + path, timeout=5)
        return response.status_code == 200 and all(
            title in response.content for title in (b"Rapat pleno terbuka", b"ditarik kembali")
        )

    for path in ("/feed.atom", f"/offices/{office}/feed.rss", "/tags/uji/feed.json"):
        eventually(lambda path=path: has_both(path), timeout=60)

    for kind, validate in (("rss", valid_rss), ("atom", valid_atom), ("json", valid_json_feed)):
        response = requests.get(
            f"{feed}/feed.{kind}", headers={"Accept-Encoding": "identity"}, timeout=5
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"] == TYPES[kind]
        assert response.headers["Vary"] == "Accept-Encoding"
        assert "max-age" in response.headers["Cache-Control"]
        assert "Content-Encoding" not in response.headers
        validate(response.content)
        etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
        assert etag.startswith('"')  # strong
        again = requests.get(
            f"{feed}/feed.{kind}",
            headers={"If-None-Match": etag, "Accept-Encoding": "identity"},
            timeout=5,
        )
        assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
        since = requests.get(
            f"{feed}/feed.{kind}",
            headers={"If-Modified-Since": modified, "Accept-Encoding": "identity"},
            timeout=5,
        )
        assert since.status_code == 304
        stale = requests.get(
            f"{feed}/feed.{kind}",
            headers={"If-None-Match": '"stale"', "Accept-Encoding": "identity"},
            timeout=5,
        )
        assert stale.status_code == 200
        # gzip: precomputed bytes of their own, under an ETag of their own.
        raw = requests.get(
            f"{feed}/feed.{kind}", headers={"Accept-Encoding": "gzip"}, timeout=5, stream=True
        )
        assert raw.headers["Content-Encoding"] == "gzip"
        packed = raw.raw.read(decode_content=False)
        assert gzip.decompress(packed) == response.content
        assert raw.headers["ETag"] != etag
        packed_again = requests.get(
            f"{feed}/feed.{kind}",
            timeout=5,
            headers={"Accept-Encoding": "gzip", "If-None-Match": raw.headers["ETag"]},
        )
        assert packed_again.status_code == 304

    sitemap = requests.get(f"{feed}/sitemap.xml", timeout=5)
    assert sitemap.status_code == 200 and b"sitemaps/articles-1.xml" in sitemap.content
    robots = requests.get(f"{feed}/robots.txt", timeout=5)
    assert f"Sitemap: {feed}/sitemap.xml" in robots.text
    assert requests.get(f"{feed}/feed.xml", timeout=5).status_code == 404
    assert requests.get(f"{feed}/tags/tidak-ada/feed.rss", timeout=5).status_code == 404

    # Retract the second article as ingest does: mark it, and send warta.retract via the outbox.
    gone = ids[1]
    with session_scope(system.database_url) as session:
        assert retract(session, session.get_one(Article, gone))
        add_message(session, RETRACT, {"article_id": gone})
    before = requests.get(f"{feed}/feed.atom", timeout=5).headers["ETag"]

    def left_everywhere() -> bool:
        paths = [
            "/feed.rss",
            "/feed.atom",
            "/feed.json",
            f"/offices/{office}/feed.atom",
            "/tags/uji/feed.rss",
            "/sitemaps/articles-1.xml",
            "/sitemap-news.xml",
            "/archives/1.atom",
        ]
        bodies = [requests.get(feed + path, timeout=5).content for path in paths]
        return all(f"/berita/{gone}-".encode() not in body for body in bodies)

    eventually(left_everywhere, timeout=60)
    # One feed process serves the new copy; each of the others rechecks its cached one within
    # REVALIDATE_SECONDS, and after that none may answer the old ETag with a 304.
    time.sleep(REVALIDATE_SECONDS + 0.5)
    after = requests.get(f"{feed}/feed.atom", timeout=5)
    assert after.headers["ETag"] != before
    assert [entry.title for entry in valid_atom(after.content).entries] == ["Rapat pleno terbuka"]
    # An aggregator holding the old copy gets the new one, not a 304.
    assert (
        requests.get(f"{feed}/feed.atom", headers={"If-None-Match": before}, timeout=5).status_code
        == 200
    )
    valid_sitemap(requests.get(f"{feed}/sitemaps/articles-1.xml", timeout=5).content)
    with session_scope(system.database_url, writer=False) as session:
        assert session.scalar(select(Article.retracted_at).where(Article.id == ids[0])) is None
