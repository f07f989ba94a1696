"""What the rest of the system reads about photos (warta.media), on SQLite and PostgreSQL: the
lead image with its renditions (what pages, feeds and sitemaps show), whether a photo is
public, and the sweep that asks again for a lost rendition job."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import new_office
from warta.db import session_scope
from warta.media import GONE, NOT_FOUND, PUBLIC, lead_images, public_state
from warta.models import (
    MEDIA_READY,
    Article,
    Media,
    MediaRendition,
    MediaUse,
    Office,
    Revision,
    utcnow,
)

BASE = "https://warta.example"


def add_photo(session: object, office_id: int, *, ready: bool, **texts: str) -> Media:
    media = Media(
        office_id=office_id,
        media_type="image/jpeg",
        width=4032,
        height=3024,
        length=3_800_000,
        original_key="originals/x",
        **texts,
    )
    if ready:
        media.status = MEDIA_READY
        media.renditions = [
            MediaRendition(
                name=name,
                extension=extension,
                media_type=kind,
                width=w,
                height=h,
                length=1000 + n,
                etag=f'"{n}"',
            )
            for n, (name, w, h) in enumerate(
                (("card", 640, 400), ("article", 1200, 900), ("social", 1200, 630))
            )
            for extension, kind in (("jpg", "image/jpeg"), ("webp", "image/webp"))
        ]
    session.add(media)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return media


def office_id(session: object, database_url: str) -> int:
    slug, _ = new_office(database_url)
    found: int = session.scalar(select(Office.id).where(Office.slug == slug))  # type: ignore[attr-defined]
    return found


def test_lead_images_give_every_consumer_what_it_needs(database_url: str) -> None:
    with session_scope(database_url) as session:
        office = office_id(session, database_url)
        ready = add_photo(session, office, ready=True, caption="Dari unggahan", alt="Aula KPU")
        waiting = add_photo(session, office, ready=False)
        images = [
            {"media": ready.id, "caption": "Rapat pleno", "credit": "Humas"},
            {"media": waiting.id},
            {"url": "https://kab-pasuruan.kpu.go.id/a.jpg", "caption": "Milik kantor"},
            None,
            {"media": 987654},
        ]
        photo, planned, hosted, nothing, unknown = lead_images(session, images, BASE)
    assert nothing is None and unknown is None
    assert photo is not None and planned is not None and hosted is not None
    # The article's texts win; the upload's fill in what it left out.
    assert (photo.caption, photo.credit, photo.alt) == ("Rapat pleno", "Humas", "Aula KPU")
    assert (photo.media_id, photo.status) == (ready.id, "ready")
    # One URL where one is wanted (feeds, sitemaps): the article-width JPEG, with its facts.
    assert photo.url == f"{BASE}/media/{ready.id}/article.jpg"
    assert (photo.media_type, photo.width, photo.height, photo.length) == (
        "image/jpeg",
        1200,
        900,
        1001,
    )
    social = photo.rendition("social", "jpg")
    assert social is not None and (social.url, social.width, social.height) == (
        f"{BASE}/media/{ready.id}/social.jpg",
        1200,
        630,
    )
    assert [(r.name, r.extension) for r in photo.renditions] == [
        (name, extension) for name in ("card", "article", "social") for extension in ("webp", "jpg")
    ]
    assert photo.srcset("webp") == (
        f"{BASE}/media/{ready.id}/card.webp 640w, {BASE}/media/{ready.id}/article.webp 1200w"
    )
    # Not made yet: the renditions it will have, their lengths unknown.
    assert planned.status == "processing" and planned.length is None
    assert [(r.name, r.width, r.height) for r in planned.renditions][::2] == [
        ("card", 640, 400),
        ("article", 1200, 900),
        ("social", 1200, 630),
    ]
    # An office's own image: its URL and texts; the rest is for its server to say.
    assert (hosted.url, hosted.caption, hosted.media_id, hosted.media_type, hosted.renditions) == (
        "https://kab-pasuruan.kpu.go.id/a.jpg",
        "Milik kantor",
        None,
        None,
        (),
    )


def test_a_photo_is_public_while_a_live_article_shows_it(database_url: str) -> None:
    with session_scope(database_url) as session:
        office = office_id(session, database_url)
        media = add_photo(session, office, ready=True)
        articles = [Article(office_id=office, current_revision=1) for _ in range(2)]
        session.add_all(articles)
        session.flush()
        for article in articles:
            session.add(
                Revision(article_id=article.id, number=1, submission={}, publish_at=utcnow())
            )
            session.add(MediaUse(article_id=article.id, revision=1, media_id=media.id))
        media_id, ids = media.id, [a.id for a in articles]

    def state() -> str:
        with session_scope(database_url) as session:
            return public_state(session, media_id)

    def update(article_id: int, **values: object) -> None:
        with session_scope(database_url) as session:
            article = session.get(Article, article_id)
            revision = session.scalars(
                select(Revision).where(Revision.article_id == article_id)
            ).one()
            for name, value in values.items():
                setattr(article, name, value)
            revision.status = "published" if article and article.live_revision else revision.status

    assert state() == NOT_FOUND  # uploaded and named, not yet live
    update(ids[0], live_revision=1)
    update(ids[1], live_revision=1)
    assert state() == PUBLIC
    update(ids[0], retracted_at=utcnow())
    assert state() == PUBLIC  # the other article still shows it
    update(ids[1], retracted_at=utcnow())
    assert state() == GONE
