"""Render throughput (reports per second, one process on one core) and the time to serve
`/berita/` from stored snippets. `.venv/bin/python bench/render_pages.py [--photos]`

With `--photos` every report has an uploaded photo (ready, its renditions on record), which
its card, its article and its page show."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from photo_fixtures import rendition_rows
from sqlalchemy import update

from warta import demo
from warta.db import session_scope
from warta.models import Article, Revision
from warta.offices import add_office
from warta.pages import ArticleView, article_view, clean_body, render_snippets
from warta.schema import upgrade_database
from warta.settings import Settings
from warta_render.listings import compose_pages, store_composed
from warta_render.snippets import store_snippets

ARTICLES = 1000  # the listing covers at most 50 pages of 20


def photo(media_id: int) -> Any:
    """A photo of 4032x3024 as `warta.media.lead_images` gives it to the render worker."""
    from warta.media import LeadImage, renditions_of
    from warta.models import MEDIA_READY, Media

    media = Media(id=media_id, width=4032, height=3024, status=MEDIA_READY)
    media.renditions = rendition_rows(50_000)
    renditions = tuple(renditions_of(media, "https://warta.example"))
    return LeadImage(
        renditions[3].url,
        caption="Rapat pleno terbuka di aula KPU",
        credit="Humas KPU",
        alt="Peserta rapat duduk menghadap layar",
        media_id=media_id,
        status=MEDIA_READY,
        media_type="image/jpeg",
        width=1200,
        height=900,
        length=140_000,
        renditions=renditions,
    )


def sample_views(photos: bool = False) -> list[ArticleView]:
    views = []
    for number, report in enumerate(demo.sample_reports()):
        paragraphs = "".join(f"<p>{part}</p>" for part in report["body"].split("  ") if part)
        views.append(
            ArticleView(
                id=number + 1,
                url=f"https://warta.example/berita/{number + 1}-laporan",
                title=report["title"],
                excerpt=report["body"][:240],
                body_html=clean_body(paragraphs),
                language="id",
                dateline={"place": "Pasuruan", "source": "kab-pasuruan.kpu.go.id"},
                event_at=None,
                published_at=datetime(2021, 12, 29, 2, tzinfo=UTC),
                updated_at=None,
                tags=[{"slug": f"tag-{i}", "label": f"Tag {i}"} for i in range(8)],
                views=report.get("views_on_source_site", 0),
                office_slug="kab-pasuruan",
                office_name="KPU Kabupaten Pasuruan",
                image=photo(number + 1) if photos else None,
            )
        )
    return views


def render_throughput(
    settings: Settings, photos: bool, seconds: float = 5.0
) -> tuple[float, float]:
    views = sample_views(photos)
    render_snippets(views[0], settings)  # templates compiled once per process
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for view in views:
            # Cleaning the body is part of rendering a report.
            render_snippets(replace(view, body_html=clean_body(view.body_html)), settings)
            done += 1
    # Per second of wall clock, and of this process's CPU (the machine may be busy).
    return done / (time.perf_counter() - start), done / (time.process_time() - cpu)


def serve_listing(settings: Settings, photos: bool) -> list[float]:
    views = sample_views()
    with session_scope(settings.database_url) as session:
        office_key = add_office(session, "kab-pasuruan", "KPU Kabupaten Pasuruan")
        assert office_key
    with session_scope(settings.database_url) as session:
        from warta.offices import find_office

        office = find_office(session, "kab-pasuruan")
        base = datetime(2021, 12, 1, tzinfo=UTC)
        for number in range(ARTICLES):
            view = views[number % len(views)]
            published = base + timedelta(minutes=number)
            article = Article(office=office, live_revision=1, published_at=published, views=number)
            submission = {}
            if photos:
                from warta.models import MEDIA_READY, Media

                media = Media(
                    office_id=office.id,
                    status=MEDIA_READY,
                    media_type="image/jpeg",
                    width=4032,
                    height=3024,
                    length=3_800_000,
                    original_key="originals/x",
                    renditions=rendition_rows(50_000),
                )
                session.add(media)
                session.flush()
                submission = {"image": {"media": media.id, "caption": "Rapat pleno"}}
            revision = Revision(
                article=article,
                number=1,
                status="published",
                submission=submission,
                publish_at=published,
                title=view.title,
                slug="laporan",
                language="id",
                excerpt=view.excerpt,
                body_html=view.body_html,
                dateline=view.dateline,
                tags=view.tags,
            )
            session.add_all([article, revision])
            session.flush()
            snippets = render_snippets(article_view(article, revision, settings), settings)
            store_snippets(session, revision, snippets)
    compose_seconds, compose_cpu = [], []
    for _ in range(2):  # the second as under a stream: a few cards changed since the first
        start, cpu = time.perf_counter(), time.process_time()
        with session_scope(settings.database_url, writer=False) as session:
            composed = compose_pages(session, settings)
        with session_scope(settings.database_url) as session:
            store_composed(session, composed)
            session.execute(update(Article).where(Article.id <= 20).values(views=Article.views + 1))
        compose_seconds.append(time.perf_counter() - start)
        compose_cpu.append(time.process_time() - cpu)

    import warta_feed.responses
    from warta_feed.app import create_app

    client = create_app(settings).test_client()
    results = compose_seconds + compose_cpu
    for from_database in (True, False):
        timings = []
        for page in [1, 2, 3, 50] * 100:
            if from_database:  # the feed service's in-process copy forgotten: a database read
                warta_feed.responses.__dict__.get("_cache", {}).clear()
            start = time.perf_counter()
            response = client.get(f"/berita/?page={page}")
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200
        timings.sort()
        results += [statistics.median(timings), timings[int(len(timings) * 0.99)]]
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", action="store_true", help="every report with a photo")
    photos = parser.parse_args().photos
    warnings.simplefilter("ignore", DeprecationWarning)
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade_database(url)
        settings = Settings.from_env(
            {"DATABASE_URL": url, "PUBLIC_BASE_URL": "https://warta.example"}
        )
        rate, cpu_rate = render_throughput(settings, photos)
        print(
            f"render: {rate:.0f} reports/s, {cpu_rate:.0f} per CPU second"
            " (card + article fragment + page, one core)"
        )
        compose, again, compose_cpu, again_cpu, db_median, db_p99, median, p99 = serve_listing(
            settings, photos
        )
        print(
            f"compose {ARTICLES} live reports into every page: {compose:.2f} s "
            f"({compose_cpu:.2f} s CPU), again after 20 view counts changed: {again:.2f} s "
            f"({again_cpu:.2f} s CPU)"
        )
        print(
            f"serve /berita/ read from the database: median {db_median * 1000:.2f} ms,"
            f" p99 {db_p99 * 1000:.2f} ms"
        )
        print(
            f"serve /berita/ from the process's copy: median {median * 1000:.2f} ms,"
            f" p99 {p99 * 1000:.2f} ms"
        )


if __name__ == "__main__":
    main()
