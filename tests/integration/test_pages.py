"""The public pages and snippets as the feed service serves them from what the render worker
stored, on a real database and a real Redis; and page views counted and flushed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from flask.testing import FlaskClient

import warta_feed.responses
from tests.conftest import make_settings, new_office
from tests.unit.render.markup_checks import (
    elements,
    head_links,
    json_ld,
    parse_fragment,
    parse_page,
    text,
)
from warta.db import session_scope
from warta.models import Article, Office, Revision
from warta.pages import article_view, render_snippets
from warta.settings import Settings
from warta_feed.app import create_app
from warta_feed.view_counts import FLUSH_PENDING_KEY, count_view, flush_views
from warta_render.listings import compose_pages, store_composed
from warta_render.snippets import store_snippets

READER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def publish(settings: Settings, office_slug: str, title: str, tags: list[str], minutes: int) -> int:
    """A report as the stages leave it: live revision, snippets rendered."""
    published = datetime(2021, 12, 29, 2, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    with session_scope(settings.database_url) as session:
        office = session.query(Office).filter_by(slug=office_slug).one()
        article = Article(office=office, live_revision=1, published_at=published, views=0)
        article.updated_at = published
        revision = Revision(
            article=article,
            number=1,
            status="published",
            submission={"title": title, "body": title},
            publish_at=published,
            title=title,
            slug=title.lower().replace(" ", "-")[:60],
            language="id",
            excerpt=f"Ringkasan {title}",
            body_html=f"<p>Pasuruan – {title}.</p>",
            dateline={"place": "Pasuruan", "source": "kab-pasuruan.kpu.go.id"},
            tags=[
                {"slug": t.lower().replace(" ", "-"), "label": t, "source": "vocabulary"}
                for t in tags
            ],
        )
        session.add_all([article, revision])
        session.flush()
        snippets = render_snippets(article_view(article, revision, settings), settings)
        store_snippets(session, revision, snippets)
        return article.id


def compose(settings: Settings) -> None:
    with session_scope(settings.database_url, writer=False) as session:
        composed = compose_pages(session, settings)
    with session_scope(settings.database_url) as session:
        store_composed(session, composed)
    # The feed service keeps served documents in memory for a second, by path alone; each test
    # here has a new database under the same paths.
    warta_feed.responses.__dict__.get("_cache", {}).clear()


@pytest.fixture
def site(database_url: str, redis_url: str) -> Iterator[tuple[Settings, FlaskClient, list[int]]]:
    settings = make_settings(database_url, redis_url, PUBLIC_BASE_URL="https://warta.example")
    new_office(database_url, "kab-pasuruan", "KPU Kabupaten Pasuruan")
    new_office(database_url, "kota-batu", "KPU Kota Batu")
    ids = [
        publish(settings, "kab-pasuruan", "Rapat Koordinasi PDPB", ["Pemilu 2024", "PDPB"], 0),
        publish(settings, "kab-pasuruan", "Webinar Keamanan Siber", ["Pemilu 2024"], 10),
        publish(settings, "kota-batu", "Sosialisasi Pemilih Pemula", ["Sosialisasi"], 20),
    ]
    compose(settings)
    # A flush counts as scheduled already: these tests flush by hand, with no worker running.
    redis.Redis.from_url(redis_url).set(FLUSH_PENDING_KEY, "1")
    yield settings, create_app(settings).test_client(), ids


def page(client: FlaskClient, path: str, agent: str = READER) -> str:
    response = client.get(path, headers={"User-Agent": agent})
    assert response.status_code == 200, (path, response.status_code)
    assert response.content_type == "text/html; charset=utf-8"
    return response.get_data(as_text=True)


def test_latest_news_page_lists_every_report_newest_first(site) -> None:  # type: ignore[no-untyped-def]
    _, client, _ = site
    root = parse_page(page(client, "/berita/"))
    titles = [text(h) for h in elements(root, "h2") if "card-title" in (h.get("class") or "")]
    assert titles == [
        "Sosialisasi Pemilih Pemula",
        "Webinar Keamanan Siber",
        "Rapat Koordinasi PDPB",
    ]
    assert text(root).count("0 kali dilihat") >= 3
    assert text(root).count("Selengkapnya") == 3


def test_tag_and_office_pages_list_theirs_and_announce_their_feeds(site) -> None:  # type: ignore[no-untyped-def]
    _, client, _ = site
    tag = parse_page(page(client, "/tags/pemilu-2024/"))
    assert "Tag: Pemilu 2024" in text(tag)
    assert "Sosialisasi Pemilih Pemula" not in text(elements(tag, "main")[0]).split("Terpopuler")[0]
    feeds = {link["href"] for link in head_links(tag, "alternate")}
    assert "https://warta.example/tags/pemilu-2024/feed.atom" in feeds
    office = parse_page(page(client, "/offices/kota-batu/"))
    assert [text(h) for h in elements(office, "h1")] == ["KPU Kota Batu"]
    assert "https://warta.example/offices/kota-batu/feed.json" in {
        link["href"] for link in head_links(office, "alternate")
    }
    assert client.get("/tags/no-such-tag/").status_code == 404


def test_article_page_and_its_snippets(site) -> None:  # type: ignore[no-untyped-def]
    _, client, ids = site
    listing = parse_page(page(client, "/berita/"))
    link = next(a.get("href") for a in elements(listing, "a") if "Selengkapnya" in text(a))
    assert link is not None
    article = parse_page(page(client, link.removeprefix("https://warta.example")))
    assert json_ld(article)["headline"] == "Sosialisasi Pemilih Pemula"
    assert "https://warta.example/offices/kota-batu/feed.rss" in {
        link["href"] for link in head_links(article, "alternate")
    }
    for kind in ("card", "article"):
        response = client.get(f"/snippets/articles/{ids[2]}/{kind}.html")
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        parse_fragment(response.get_data(as_text=True))
    for block in ("latest", "most-read"):
        parse_fragment(page(client, f"/snippets/{block}.html"))
    assert client.get("/snippets/articles/999999/card.html").status_code == 404
    css = client.get("/assets/site.css?v=1")
    assert css.content_type == "text/css; charset=utf-8"
    assert "immutable" in css.headers["Cache-Control"]


def test_retracted_report_answers_410_with_a_readable_page(site) -> None:  # type: ignore[no-untyped-def]
    settings, client, ids = site
    path = f"/berita/{ids[0]}-rapat-koordinasi-pdpb"
    assert client.get(path).status_code == 200
    with session_scope(settings.database_url) as session:
        session.get(Article, ids[0]).retracted_at = datetime.now(UTC)  # type: ignore[union-attr]
    gone = client.get(path)
    assert gone.status_code == 410
    assert "Berita ini telah ditarik" in text(parse_page(gone.get_data(as_text=True)))
    assert client.get(f"/snippets/articles/{ids[0]}/card.html").status_code == 410
    missing = client.get("/berita/999999-nothing")
    assert missing.status_code == 404
    assert "Halaman tidak ditemukan" in missing.get_data(as_text=True)


def test_a_view_counts_once_per_reader_per_hour_and_not_for_bots(site) -> None:  # type: ignore[no-untyped-def]
    settings, client, ids = site
    path = f"/berita/{ids[1]}-webinar-keamanan-siber"
    for agent in (READER, READER, PHONE, BOT, ""):
        page(client, path, agent)
    page(client, f"/berita/{ids[0]}-rapat-koordinasi-pdpb", READER)
    store = redis.Redis.from_url(settings.redis_url)
    with session_scope(settings.database_url) as session:
        assert flush_views(store, session, datetime.now(UTC)) == {ids[1]: 2, ids[0]: 1}
    with session_scope(settings.database_url) as session:
        assert flush_views(store, session, datetime.now(UTC)) == {}  # nothing counted twice
    page(client, path, PHONE)  # the same reader, the same hour
    page(client, path, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148 Safari/604.1")
    with session_scope(settings.database_url) as session:
        assert flush_views(store, session, datetime.now(UTC)) == {ids[1]: 1}
    with session_scope(settings.database_url, writer=False) as session:
        assert session.get(Article, ids[1]).views == 3  # type: ignore[union-attr]

    compose(settings)
    listing = text(parse_page(page(client, "/berita/", BOT)))
    assert "3 kali dilihat" in listing and "1 kali dilihat" in listing
    most_read = parse_fragment(page(client, "/snippets/most-read.html", BOT))
    assert [text(a) for a in elements(most_read, "a")] == [
        "Webinar Keamanan Siber",
        "Rapat Koordinasi PDPB",
        "Sosialisasi Pemilih Pemula",
    ]
    card = client.get(f"/snippets/articles/{ids[1]}/card.html").get_data(as_text=True)
    assert "3 kali dilihat" in card


def test_a_past_hour_is_flushed_once_and_forgotten(redis_url: str, sqlite_url: str) -> None:
    store = redis.Redis.from_url(redis_url)
    settings = make_settings(sqlite_url, redis_url)
    new_office(sqlite_url, "kab-pasuruan")
    article_id = publish(settings, "kab-pasuruan", "Berita", [], 0)
    earlier = datetime(2024, 2, 14, 9, 59, tzinfo=UTC)
    count_view(store, article_id, "10.0.0.1", READER, earlier)
    count_view(store, article_id, "10.0.0.1", READER, earlier + timedelta(minutes=2))  # new hour
    with session_scope(sqlite_url) as session:
        assert flush_views(store, session, earlier + timedelta(hours=2)) == {article_id: 2}
    assert store.scard("warta:views:buckets") == 0
    assert store.hlen("warta:views:flushed") == 0


def test_ids_and_pages_past_any_article_are_404(site) -> None:  # type: ignore[no-untyped-def]
    _, client, _ = site
    for path in (
        "/berita/9223372036854775808-x",
        "/berita/2147483648-x",
        "/berita/99999999999999999999999999999999999999-x",
        "/snippets/articles/9223372036854775808/card.html",
        "/snippets/articles/2147483648/article.html",
        "/berita/?page=" + "9" * 5000,
        "/berita/?page=²",
        "/tags/pemilu-2024/?page=٣",
    ):
        assert client.get(path).status_code == 404, path


def test_behind_the_edge_each_reader_counts_by_the_address_it_forwards(site) -> None:  # type: ignore[no-untyped-def]
    settings, _, ids = site
    behind = make_settings(
        settings.database_url,
        settings.redis_url,
        PUBLIC_BASE_URL="https://warta.example",
        TRUSTED_PROXIES="127.0.0.1",
    )
    client = create_app(behind).test_client()
    path = f"/berita/{ids[1]}-webinar-keamanan-siber"
    for peer, forwarded in (
        ("127.0.0.1", "203.0.113.7"),
        ("127.0.0.1", "203.0.113.8"),
        ("127.0.0.1", "203.0.113.8"),  # the same reader again
        ("192.0.2.1", "203.0.113.9"),  # not the edge: its own address counts, once
        ("192.0.2.1", "203.0.113.10"),
    ):
        response = client.get(
            path,
            headers={"User-Agent": READER, "X-Forwarded-For": forwarded},
            environ_base={"REMOTE_ADDR": peer},
        )
        assert response.status_code == 200
    store = redis.Redis.from_url(settings.redis_url)
    with session_scope(settings.database_url) as session:
        assert flush_views(store, session, datetime.now(UTC)) == {ids[1]: 3}


def test_cache_headers_say_what_a_shared_cache_may_keep(site) -> None:  # type: ignore[no-untyped-def]
    """Stored documents may be kept by any cache for a minute; the article page, which counts
    its readers, only if asked again each time; errors and health checks not at all."""
    _, client, ids = site
    for path in ("/berita/", "/snippets/latest.html", f"/snippets/articles/{ids[0]}/card.html"):
        assert client.get(path).headers["Cache-Control"] == "public, max-age=60", path
    article = client.get(f"/berita/{ids[0]}-rapat-koordinasi-pdpb", headers={"User-Agent": READER})
    assert article.headers["Cache-Control"] == "public, no-cache"
    again = client.get(
        f"/berita/{ids[0]}-rapat-koordinasi-pdpb",
        headers={"User-Agent": READER, "If-None-Match": article.headers["ETag"]},
    )
    assert again.status_code == 304 and again.headers["Cache-Control"] == "public, no-cache"
    for path in ("/berita/999999-nothing", "/healthz", "/metrics", "/nowhere"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
