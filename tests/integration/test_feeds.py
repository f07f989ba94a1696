"""Rebuilding feeds and sitemaps against a real database and Redis: GUIDs, updates,
retractions, per-office and per-tag feeds, archives, lead images and the WebSub ping."""

from __future__ import annotations

import gzip
import http.server
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from lxml import html
from sqlalchemy import select

from tests.conftest import HttpsServer, Listener, make_settings, new_office
from tests.unit.feed.validators import (
    valid_atom,
    valid_json_feed,
    valid_news_sitemap,
    valid_rss,
    valid_sitemap,
    valid_sitemap_index,
)
from warta.articles import go_live
from warta.articles import retract as retract_article
from warta.db import session_scope
from warta.documents import find_document
from warta.models import MEDIA_READY, Article, Media, MediaRendition, Office, Revision, utcnow
from warta.redis_client import get_redis
from warta.remote_fetch import RemoteFetcher
from warta.settings import Settings
from warta_feed import changes, feeds, jsonfeeds, revision_texts, sitemaps
from warta_feed.images import CachedProbe, GuessingProbe, HeadProbe
from warta_feed.rebuilds import rebuild_documents, rebuild_tag_feeds_and_archives

IMAGE = b"\xff\xd8\xff\xe0" + b"jpeg" * 1000  # 4,004 bytes


class LocalServer:
    """An HTTP server of the test's own: the WebSub hub."""

    def __init__(self) -> None:
        self.posts: list[dict[str, list[str]]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                server.posts.append(parse_qs(self.rfile.read(length).decode()))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.close()


@pytest.fixture
def settings(database_url: str, redis_url: str) -> Settings:
    return make_settings(database_url, redis_url, PUBLIC_BASE_URL="https://warta.example")


def publish(
    settings: Settings,
    office: str,
    title: str,
    *,
    tags: tuple[str, ...] = ("pemilu",),
    keywords: tuple[str, ...] = (),
    image: Mapping[str, object] | None = None,
    article_id: int | None = None,
    hours_ago: float = 1,
) -> int:
    """A revision through its stages and live, as the workers leave it."""
    with session_scope(settings.database_url) as session:
        if article_id is None:
            office_id = session.scalar(select(Office.id).where(Office.slug == office))
            article = Article(office_id=office_id)
            session.add(article)
            session.flush()
            number = 1
        else:
            article = session.get_one(Article, article_id)
            number = article.current_revision + 1
            article.current_revision = number
        submission = {"title": title, "body": title}
        if image:
            submission["image"] = dict(image)  # type: ignore[assignment]
        revision = Revision(
            article=article,
            number=number,
            status="rendered",
            submission=submission,
            publish_at=utcnow() - timedelta(hours=hours_ago),
            title=title,
            slug=f"berita-{uuid.uuid4().hex[:6]}",
            language="id",
            excerpt=title,
            body_html=f"<p>{title}</p>",
            tags=[{"slug": tag, "label": tag.title(), "source": "vocabulary"} for tag in tags]
            + [{"slug": word, "label": word, "source": "keyword"} for word in keywords],
        )
        session.add(revision)
        session.flush()
        go_live(session, revision)
        return article.id


KINDS = ("rss", "atom", "json")  # every feed in each format, in the order a rebuild writes them


def rebuild(settings: Settings, **options: object) -> list[str]:
    """What the worker does: the main rebuild, then the tag feeds and archives it recorded, each
    committed."""
    options.setdefault("probe", GuessingProbe())
    with session_scope(settings.database_url) as session:
        changed = rebuild_documents(session, settings, **options)  # type: ignore[arg-type]
    options.pop("full", None)
    with session_scope(settings.database_url) as session:
        return changed + rebuild_tag_feeds_and_archives(session, settings, **options)  # type: ignore[arg-type]


def document(settings: Settings, path: str) -> bytes:
    with session_scope(settings.database_url, writer=False) as session:
        found = find_document(session, path)
        assert found is not None, path
        return found.body


def retract(settings: Settings, article_id: int) -> None:
    with session_scope(settings.database_url) as session:
        assert retract_article(session, session.get_one(Article, article_id))


def test_every_feed_and_sitemap_is_built_and_valid(settings: Settings) -> None:
    new_office(settings.database_url, "kab-pasuruan", "KPU Kabupaten Pasuruan")
    new_office(settings.database_url, "kota-malang", "KPU Kota Malang")
    first = publish(
        settings, "kab-pasuruan", "Rapat pleno", tags=("pemilu", "rapat-pleno"), keywords=("ruang",)
    )
    publish(settings, "kota-malang", "Sosialisasi pemilih", tags=("pemilu",), hours_ago=0.5)
    rebuild(settings)
    for path, count in (
        ("feed", 2),
        ("offices/kab-pasuruan/feed", 1),
        ("tags/pemilu/feed", 2),
        ("tags/rapat-pleno/feed", 1),
        ("archives/1", 2),
    ):
        rss = valid_rss(document(settings, f"{path}.rss"))
        atom = valid_atom(document(settings, f"{path}.atom"))
        json_feed = valid_json_feed(document(settings, f"{path}.json"))
        assert len(rss.entries) == len(atom.entries) == len(json_feed["items"]) == count, path
        assert gzip.decompress(document(settings, f"{path}.rss.gz")) == document(
            settings, f"{path}.rss"
        )
    with session_scope(settings.database_url, writer=False) as session:
        # A statistical keyword describes a report; it is no section with feeds of its own.
        assert find_document(session, "tags/ruang/feed.rss") is None
    feed = valid_atom(document(settings, "feed.atom"))
    assert [entry.title for entry in feed.entries] == ["Sosialisasi pemilih", "Rapat pleno"]
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["prev-archive"] == "https://warta.example/archives/1.atom"
    office = valid_atom(document(settings, "offices/kab-pasuruan/feed.atom"))
    assert office.entries[0].author == "KPU Kabupaten Pasuruan"
    assert office.feed.link == "https://warta.example/offices/kab-pasuruan/"
    index = valid_sitemap_index(document(settings, "sitemap.xml"))
    locs = [element[0].text for element in index]
    assert "https://warta.example/sitemaps/articles-1.xml" in locs
    sitemap = valid_sitemap(document(settings, "sitemaps/articles-1.xml"))
    assert len(sitemap) == 2 and f"/berita/{first}-" in sitemap[0][0].text
    news = valid_news_sitemap(document(settings, "sitemap-news.xml"))
    assert len(news) == 2


def test_a_new_report_rewrites_only_the_newest_article_sitemap(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sitemaps, "SITEMAP_SIZE", 2)  # 1,000 ids each in production
    new_office(settings.database_url, "kab-pasuruan")
    ids = [publish(settings, "kab-pasuruan", f"Laporan {n}") for n in range(5)]
    rebuild(settings)
    index = [element[0].text for element in valid_sitemap_index(document(settings, "sitemap.xml"))]
    base = "https://warta.example"
    assert index == [f"{base}/sitemap-news.xml"] + [
        f"{base}/sitemaps/articles-{n}.xml" for n in (1, 2, 3)
    ]
    listed = [
        len(valid_sitemap(document(settings, f"sitemaps/articles-{n}.xml"))) for n in (1, 2, 3)
    ]
    assert listed == [2, 2, 1]

    newest = publish(settings, "kab-pasuruan", "Laporan baru")
    changed = rebuild(settings)
    assert [path for path in changed if path.startswith("sitemaps/")] == ["sitemaps/articles-3.xml"]
    assert f"/berita/{newest}-".encode() in document(settings, "sitemaps/articles-3.xml")

    publish(settings, "kab-pasuruan", "Laporan 0, diperbaiki", article_id=ids[0])
    changed = rebuild(settings)
    assert [path for path in changed if path.startswith("sitemaps/")] == ["sitemaps/articles-1.xml"]


def test_revision_keeps_the_guid_and_moves_updated(settings: Settings) -> None:
    new_office(settings.database_url, "kab-pasuruan")
    article_id = publish(settings, "kab-pasuruan", "Judul lama")
    rebuild(settings)
    before = valid_atom(document(settings, "feed.atom")).entries[0]
    sitemap_before = valid_sitemap(document(settings, "sitemaps/articles-1.xml"))
    publish(settings, "kab-pasuruan", "Judul baru", article_id=article_id)
    rebuild(settings)
    after = valid_atom(document(settings, "feed.atom")).entries
    assert len(after) == 1
    assert after[0].id == before.id and after[0].title == "Judul baru"
    assert after[0].published == before.published
    assert after[0].updated_parsed > before.updated_parsed
    assert valid_rss(document(settings, "feed.rss")).entries[0].id == before.id
    # The sitemaps show the revision too: its new address and date, and its new title.
    sitemap = valid_sitemap(document(settings, "sitemaps/articles-1.xml"))
    assert sitemap[0][0].text != sitemap_before[0][0].text
    assert sitemap[0][1].text > sitemap_before[0][1].text
    news = document(settings, "sitemap-news.xml")
    valid_news_sitemap(news)
    assert b"Judul baru" in news and b"Judul lama" not in news


def test_a_retraction_leaves_every_feed_and_sitemap(settings: Settings) -> None:
    new_office(settings.database_url, "kab-pasuruan")
    kept = publish(settings, "kab-pasuruan", "Tetap", tags=("pemilu",))
    gone = publish(settings, "kab-pasuruan", "Ditarik", tags=("pemilu", "hoaks"))
    rebuild(settings)
    assert b"Ditarik" in document(settings, "tags/hoaks/feed.rss")
    retract(settings, gone)
    rebuild(settings)
    paths = [
        f"{feed}.{kind}"
        for feed in (
            "feed",
            "offices/kab-pasuruan/feed",
            "tags/pemilu/feed",
            "tags/hoaks/feed",
            "archives/1",
        )
        for kind in ("rss", "atom", "json")
    ]
    for path in [*paths, "sitemaps/articles-1.xml", "sitemap-news.xml"]:
        body = document(settings, path)
        assert b"Ditarik" not in body and f"/berita/{gone}-".encode() not in body, path
    assert f"/berita/{kept}-".encode() in document(settings, "sitemaps/articles-1.xml")
    assert valid_rss(document(settings, "tags/hoaks/feed.rss")).entries == []


def test_a_rebuild_without_changes_changes_no_bytes(settings: Settings) -> None:
    new_office(settings.database_url, "kab-pasuruan")
    new_office(settings.database_url, "kota-malang")
    publish(settings, "kab-pasuruan", "Satu", tags=("pemilu",))
    publish(settings, "kota-malang", "Dua", tags=("logistik",))
    assert "feed.rss" in rebuild(settings)
    assert rebuild(settings) == []
    assert rebuild(settings, full=True) == []
    # A publish in one office touches that office's and that tag's feeds, not the others.
    publish(settings, "kota-malang", "Tiga", tags=("logistik",))
    changed = rebuild(settings)
    assert "offices/kota-malang/feed.rss" in changed and "tags/logistik/feed.rss" in changed
    assert "offices/kab-pasuruan/feed.rss" not in changed and "tags/pemilu/feed.rss" not in changed


def test_a_change_stamped_long_ago_still_reaches_its_feeds(settings: Settings) -> None:
    # A revision whose commit came late, or whose worker's clock was behind: the rebuild after
    # it must find it however old its stamps, since it reads the change log, not a clock.
    new_office(settings.database_url, "kab-pasuruan")
    publish(settings, "kab-pasuruan", "Awal", tags=("pemilu",))
    rebuild(settings)
    late = publish(settings, "kab-pasuruan", "Terlambat", tags=("sengketa",), hours_ago=30)
    with session_scope(settings.database_url) as session:
        session.get_one(Article, late).changed_at = utcnow() - timedelta(hours=30)
    assert "tags/sengketa/feed.rss" in rebuild(settings)
    assert b"Terlambat" in document(settings, "tags/sengketa/feed.rss")
    assert f"/berita/{late}-".encode() in document(settings, "sitemaps/articles-1.xml")


def test_changes_beyond_one_rebuild_wait_for_the_next(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_office(settings.database_url, "kab-pasuruan")
    publish(settings, "kab-pasuruan", "Awal", tags=("pemilu",))
    rebuild(settings)
    monkeypatch.setattr(changes, "MAX_CHANGES", 1)
    publish(settings, "kab-pasuruan", "Pertama", tags=("logistik",))
    publish(settings, "kab-pasuruan", "Kedua", tags=("sengketa",))
    first = rebuild(settings)
    assert "tags/logistik/feed.rss" in first and "tags/sengketa/feed.rss" not in first
    assert "tags/sengketa/feed.rss" in rebuild(settings)
    assert b"Kedua" in document(settings, "tags/sengketa/feed.rss")
    assert rebuild(settings) == []


def test_lead_image_is_an_enclosure_with_its_real_length(
    settings: Settings, tmp_path: Path
) -> None:
    def image(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        handler.send_header("Content-Length", str(len(IMAGE)))
        handler.end_headers()

    with closing(HttpsServer(tmp_path, {"/foto/rapat.jpg": image})) as host:
        new_office(settings.database_url, "kab-pasuruan")
        image_url = f"{host.url}/foto/rapat.jpg"
        publish(
            settings,
            "kab-pasuruan",
            "Bergambar",
            image={"url": image_url, "caption": "Rapat pleno", "credit": "KPU"},
        )
        # As the worker wires it: asked once, remembered for the tag feeds and every rebuild
        # after; the guarded fetcher is told that the test's host stands in for a public one.
        fetcher = RemoteFetcher(
            allowed=lambda address: str(address) == "127.0.0.1", ssl_context=host.client_context()
        )
        rebuild(settings, probe=CachedProbe(HeadProbe(fetcher), get_redis(settings.redis_url)))
    rss = valid_rss(document(settings, "feed.rss")).entries[0]
    assert rss.enclosures[0].href == image_url
    assert rss.enclosures[0].length == str(len(IMAGE))
    assert rss.enclosures[0].type == "image/jpeg"
    assert "<figcaption>Rapat pleno — KPU</figcaption>" in rss.content[0].value
    item = valid_json_feed(document(settings, "feed.json"))["items"][0]
    assert item["image"] == image_url and item["attachments"][0]["size_in_bytes"] == len(IMAGE)
    assert b"<image:loc>" + image_url.encode() in document(settings, "sitemaps/articles-1.xml")
    assert host.requests == [("HEAD", "/foto/rapat.jpg")]


def test_a_lead_image_on_an_inside_address_is_never_asked(settings: Settings) -> None:
    """An office key must not make the server probe hosts only it can reach: the rebuild, with
    the probe that configuration names (IMAGE_PROBE=head), opens no connection to them, and
    the enclosure's type comes from the URL."""
    new_office(settings.database_url, "kab-pasuruan")
    with closing(Listener()) as listener:
        for host in ("127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433"):
            image = {"url": f"https://{host}:{listener.port}/a.jpg"}
            publish(settings, "kab-pasuruan", f"Gambar {host}", image=image)
        assert settings.image_probe == "head"
        rebuild(settings, probe=None, full=True)
        assert listener.connections() == 0
    enclosures = [
        entry.enclosures[0] for entry in valid_rss(document(settings, "feed.rss")).entries
    ]
    assert len(enclosures) == 4
    assert {(e.type, e.length) for e in enclosures} == {("image/jpeg", "0")}


def test_the_hub_is_told_after_each_rebuild_that_changed_feeds(
    database_url: str, redis_url: str, local_server: LocalServer
) -> None:
    settings = make_settings(
        database_url,
        redis_url,
        PUBLIC_BASE_URL="https://warta.example",
        WEBSUB_HUB_URL=f"{local_server.url}/hub",
    )
    new_office(database_url, "kab-pasuruan")
    publish(settings, "kab-pasuruan", "Satu")
    rebuild(settings)
    # One ping for the main rebuild, one for the tag feeds that follow it (archives are not
    # feeds a subscriber follows).
    assert len(local_server.posts) == 2
    main, tags = local_server.posts
    assert main["hub.mode"] == tags["hub.mode"] == ["publish"]
    assert "https://warta.example/feed.atom" in main["hub.url"]
    assert "https://warta.example/offices/kab-pasuruan/feed.rss" in main["hub.url"]
    assert tags["hub.url"] == [f"https://warta.example/tags/pemilu/feed.{kind}" for kind in KINDS]
    atom = valid_atom(document(settings, "feed.atom"))
    assert {link.rel: link.href for link in atom.feed.links}["hub"] == f"{local_server.url}/hub"
    rebuild(settings)  # nothing changed: nothing to tell
    assert len(local_server.posts) == 2


def test_archives_page_back_through_everything(settings: Settings) -> None:
    new_office(settings.database_url, "kab-pasuruan")
    settings = make_settings(
        settings.database_url,
        settings.redis_url,
        FEED_SIZE="5",
        PUBLIC_BASE_URL="https://warta.example",
    )
    ids = [publish(settings, "kab-pasuruan", f"Berita {n}", hours_ago=300 - n) for n in range(205)]
    rebuild(settings)
    seen: set[str] = set()
    feed = valid_atom(document(settings, "feed.atom"))
    assert len(feed.entries) == 5
    seen.update(entry.title for entry in feed.entries)
    pages = 0
    while prev := {link.rel: link.href for link in feed.feed.links}.get("prev-archive"):
        path = prev.removeprefix("https://warta.example/")
        body = document(settings, path)
        feed = valid_atom(body)
        assert b"<fh:archive" in body
        seen.update(entry.title for entry in feed.entries)
        pages += 1
    assert pages == 3 and len(seen) == len(ids)


def test_the_tag_feeds_and_archives_follow_the_main_rebuild(settings: Settings) -> None:
    """The site's feed and the sitemap list a new report as soon as the main rebuild commits;
    its tag's feed and its archive follow with the next job, which finds them recorded even if
    the worker died in between."""
    new_office(settings.database_url, "kab-pasuruan")
    publish(settings, "kab-pasuruan", "Awal", tags=("pemilu", "logistik"))
    with session_scope(settings.database_url) as session:
        rebuild_documents(session, settings, probe=GuessingProbe())
    # The site's feed links its newest archive: a new one is written at once.
    assert b"Awal" in document(settings, "archives/1.rss")
    rebuild(settings)
    new = publish(settings, "kab-pasuruan", "Baru", tags=("pemilu",))
    with session_scope(settings.database_url) as session:
        assert "feed.rss" in rebuild_documents(session, settings, probe=GuessingProbe())
    assert b"Baru" in document(settings, "feed.rss")
    assert f"/berita/{new}-".encode() in document(settings, "sitemaps/articles-1.xml")
    assert b"Baru" not in document(settings, "tags/pemilu/feed.rss")
    assert b"Baru" not in document(settings, "archives/1.rss")
    # The worker died here. The main rebuild has nothing left to do; the next job has.
    with session_scope(settings.database_url) as session:
        assert rebuild_documents(session, settings, probe=GuessingProbe()) == []
    with session_scope(settings.database_url) as session:
        changed = rebuild_tag_feeds_and_archives(session, settings, probe=GuessingProbe())
    assert changed == [
        f"{path}.{kind}" for path in ("tags/pemilu/feed", "archives/1") for kind in KINDS
    ]
    assert b"Baru" in document(settings, "tags/pemilu/feed.rss")
    assert b"Baru" in document(settings, "archives/1.rss")
    assert b"Baru" not in document(settings, "tags/logistik/feed.rss")
    assert rebuild(settings) == []


def test_plain_text_reaches_rss_readers_as_text_not_markup(settings: Settings) -> None:
    """RSS readers render <description> as HTML: a report's plain text (its excerpt) and a
    tag's label are escaped for HTML before they go in, so after the XML parse a reader
    shows the words `<script>…` and runs nothing."""
    from lxml import etree

    words = '<script>alert("x")</script> <b>tebal</b>'
    new_office(settings.database_url, "kab-pasuruan")
    article_id = publish(settings, "kab-pasuruan", f"Rapat {words}", tags=("pemilu",))
    with session_scope(settings.database_url) as session:
        revision = session.scalars(select(Revision).where(Revision.article_id == article_id)).one()
        revision.tags = [{"slug": "pemilu", "label": f"Pemilu {words}", "source": "vocabulary"}]
    rebuild(settings, full=True)

    def as_html_reader_shows(markup: str) -> str:
        fragment = html.fragment_fromstring(markup, create_parent="div")
        assert fragment.xpath("//script | //b") == [], markup
        return str(fragment.text_content())

    for path in ("feed.rss", "tags/pemilu/feed.rss"):
        channel = etree.fromstring(document(settings, path)).find("channel")
        assert channel is not None
        item = channel.find("item")
        assert item is not None
        assert as_html_reader_shows(item.findtext("description", "")) == f"Rapat {words}"
        description = as_html_reader_shows(channel.findtext("description", ""))
        if path.startswith("tags/"):
            assert description == f"Berita bertopik Pemilu {words}"
    # Atom says what its text is: the summary is HTML, escaped the same way; the subtitle is
    # plain text, as written.
    atom = etree.fromstring(document(settings, "tags/pemilu/feed.atom"))
    namespace = {"a": "http://www.w3.org/2005/Atom"}
    summary = atom.find("a:entry/a:summary", namespace)
    assert summary is not None and summary.get("type") == "html"
    assert as_html_reader_shows(summary.text or "") == f"Rapat {words}"
    subtitle = atom.find("a:subtitle", namespace)
    assert subtitle is not None and subtitle.get("type") in (None, "text")
    assert subtitle.text == f"Berita bertopik Pemilu {words}"


def ready_photo(settings: Settings, office: str, **texts: str) -> int:
    """An uploaded photo as the media worker leaves it: ready, its renditions on record."""
    with session_scope(settings.database_url) as session:
        media = Media(
            office_id=session.scalar(select(Office.id).where(Office.slug == office)),
            media_type="image/jpeg",
            width=4032,
            height=3024,
            length=3_800_000,
            original_key="originals/foto",
            status=MEDIA_READY,
            **texts,
        )
        media.renditions = [
            MediaRendition(
                name=name,
                extension=extension,
                media_type=f"image/{'jpeg' if extension == 'jpg' else extension}",
                width=width,
                height=height,
                length=PHOTO_LENGTHS[(name, extension)],
                etag=f'"{name}.{extension}"',
            )
            for name, width, height in (
                ("card", 640, 400),
                ("article", 1200, 900),
                ("social", 1200, 630),
            )
            for extension in ("webp", "jpg")
        ]
        session.add(media)
        session.flush()
        return media.id


PHOTO_LENGTHS = {
    ("card", "webp"): 21_000,
    ("card", "jpg"): 48_000,
    ("article", "webp"): 61_000,
    ("article", "jpg"): 143_210,
    ("social", "webp"): 40_000,
    ("social", "jpg"): 99_000,
}
FEEDS_OF_KAB_PASURUAN = ("feed", "offices/kab-pasuruan/feed", "tags/pemilu/feed", "archives/1")


def forget_what_the_process_built() -> None:
    """As a new worker process starts: nothing built before is remembered."""
    revision_texts.REVISION_TEXTS.texts.clear()
    feeds.entry_bytes.cache_clear()
    jsonfeeds._item.cache_clear()
    sitemaps._url_element.cache_clear()


def test_an_uploaded_photo_reaches_every_feed_and_the_image_sitemap(settings: Settings) -> None:
    new_office(settings.database_url, "kab-pasuruan")
    media_id = ready_photo(settings, "kab-pasuruan", caption="Dari unggahan", alt="Aula KPU")
    image = {"media": media_id, "caption": "Rapat pleno <terbuka>", "credit": "Humas KPU"}
    with_photo = publish(settings, "kab-pasuruan", "Bergambar", image=image)
    publish(settings, "kab-pasuruan", "Tanpa gambar", hours_ago=2)
    rebuild(settings)
    url = f"https://warta.example/media/{media_id}/article.jpg"
    length = PHOTO_LENGTHS[("article", "jpg")]
    for path in FEEDS_OF_KAB_PASURUAN:
        rss = valid_rss(document(settings, f"{path}.rss"))
        photo_entry, plain_entry = rss.entries
        (enclosure,) = photo_entry.enclosures
        assert (enclosure.href, enclosure.length, enclosure.type) == (
            url,
            str(length),
            "image/jpeg",
        )
        assert plain_entry.enclosures == []
        # A reader without the page sees the photo on top of the body, at its size, with alt.
        content = html.fragment_fromstring(photo_entry.content[0].value, create_parent="div")
        (img,) = content.iter("img")
        assert dict(img.attrib) == {"src": url, "width": "1200", "height": "900", "alt": "Aula KPU"}
        assert content.findtext("figure/figcaption") == "Rapat pleno <terbuka> — Humas KPU"
        atom = valid_atom(document(settings, f"{path}.atom"))
        (link,) = [link for link in atom.entries[0].links if link.rel == "enclosure"]
        assert (link.href, link.length, link.type) == (url, str(length), "image/jpeg")
        json_feed = valid_json_feed(document(settings, f"{path}.json"))
        item = json_feed["items"][0]
        assert item["image"] == url
        assert item["attachments"] == [
            {
                "url": url,
                "mime_type": "image/jpeg",
                "title": "Rapat pleno <terbuka>",
                "size_in_bytes": length,
            }
        ]
        assert "image" not in json_feed["items"][1]
    sitemap = valid_sitemap(document(settings, "sitemaps/articles-1.xml"))
    images = {
        str(entry.findtext(f"{{{sitemaps.SITEMAP_NS}}}loc")): entry.findtext(
            f"{{{sitemaps.IMAGE_NS}}}image/{{{sitemaps.IMAGE_NS}}}loc"
        )
        for entry in sitemap
    }
    assert [image for loc, image in images.items() if f"/berita/{with_photo}-" in loc] == [url]
    assert len(images) == 2 and None in images.values()  # the other report has none
    # The same bytes when rebuilt from scratch, by a process that remembers nothing.
    forget_what_the_process_built()
    assert rebuild(settings, full=True) == []


def test_a_new_photo_replaces_the_old_and_a_retraction_takes_it_away(settings: Settings) -> None:
    new_office(settings.database_url, "kab-pasuruan")
    first = ready_photo(settings, "kab-pasuruan", alt="Foto pertama")
    second = ready_photo(settings, "kab-pasuruan", alt="Foto kedua")
    publish(settings, "kab-pasuruan", "Tetap", hours_ago=2)  # keeps every document there
    article_id = publish(settings, "kab-pasuruan", "Berita", image={"media": first})
    rebuild(settings)
    paths = [f"{feed}.{kind}" for feed in FEEDS_OF_KAB_PASURUAN for kind in KINDS]
    paths.append("sitemaps/articles-1.xml")
    old, new = (f"/media/{media_id}/".encode() for media_id in (first, second))
    assert all(old in document(settings, path) for path in paths)

    publish(settings, "kab-pasuruan", "Berita", image={"media": second}, article_id=article_id)
    rebuild(settings)
    for path in paths:
        body = document(settings, path)
        assert new in body and old not in body, path

    retract(settings, article_id)
    rebuild(settings)
    for path in paths:
        assert b"/media/" not in document(settings, path), path
