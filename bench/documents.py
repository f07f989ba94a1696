"""Every public document and snippet built from one fixed fixture, as a digest per path: run it
before and after a change that should not change what readers and aggregators get, and compare.

    .venv/bin/python bench/documents.py > /tmp/before.txt      # on the old commit
    .venv/bin/python bench/documents.py > /tmp/after.txt       # on the new one
    diff /tmp/before.txt /tmp/after.txt && echo identical

The fixture is the gold set (tests/gold/reports.yaml and field_reports.yaml, 108 reports) from
eight offices, normalised and tagged by the enrich code, published an hour apart in 2024, then
rendered and built as the workers build them: snippets, listings, feeds, tag feeds, archives
and sitemaps. Two documents depend on the hour they are built, not on the articles: the
sitemap index (each sitemap's lastmod is when it was written) and its gzip; they are listed
without a digest."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
import yaml
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
FIRST_PUBLICATION = datetime(2024, 2, 14, 1, 0, tzinfo=UTC)
BUILT_WHEN_WRITTEN = {"sitemap.xml", "sitemap.xml.gz"}


def reports() -> list[dict[str, object]]:
    loaded: list[dict[str, object]] = []
    for name in ("reports.yaml", "field_reports.yaml"):
        loaded += yaml.safe_load((ROOT / "tests" / "gold" / name).read_text(encoding="utf-8"))
    return loaded


def build(database_url: str, redis_url: str) -> dict[str, bytes]:
    from warta.articles import go_live
    from warta.db import session_scope
    from warta.models import Article, Document, Office, Revision, Snippet
    from warta.pages import article_view, render_snippets
    from warta.pipeline import Status
    from warta.schema import upgrade_database
    from warta.settings import Settings
    from warta_enrich.normalisation import normalise_report
    from warta_enrich.tagging import tag_report
    from warta_feed.images import GuessingProbe
    from warta_feed.rebuilds import rebuild_documents, rebuild_tag_feeds_and_archives
    from warta_render.listings import compose_pages, store_composed
    from warta_render.snippets import add_snippets

    upgrade_database(database_url)
    settings = Settings.from_env({"DATABASE_URL": database_url, "REDIS_URL": redis_url})
    with session_scope(database_url) as session:
        offices = [Office(slug=f"kpu-{n}", name=f"KPU Kabupaten {n}") for n in range(8)]
        session.add_all(offices)
        for number, report in enumerate(reports()):
            publish_at = FIRST_PUBLICATION + timedelta(hours=number)
            normalised = normalise_report(
                title=str(report["title"]),
                body=str(report["body"]),
                body_format=str(report.get("body_format", "text")),
                language=None,
                timezone=settings.timezone,
                published_at=publish_at,
                base_url=None,
            )
            tags = tag_report(
                title=normalised.title,
                text=normalised.text,
                language=normalised.language,
                office_tags=[],
                region=None,
            )
            article = Article(
                office=offices[number % len(offices)],
                views=number * 7 % 50,
                guid=uuid.uuid5(uuid.NAMESPACE_URL, f"warta-bench-{number}").urn,
            )
            revision = Revision(
                article=article,
                number=1,
                status=Status.RENDERED,
                submission={"title": report["title"], "body": report["body"]},
                publish_at=publish_at,
                progressed_at=publish_at,
                title=normalised.title,
                slug=normalised.slug,
                language=normalised.language,
                excerpt=normalised.excerpt,
                body_html=normalised.body_html,
                body_text=normalised.text,
                word_count=normalised.word_count,
                reading_minutes=normalised.reading_minutes,
                tags=[{**vars(tag), "score": round(tag.score, 4)} for tag in tags],
            )
            session.add_all([article, revision])
            session.flush()
            add_snippets(
                session,
                revision,
                render_snippets(article_view(article, revision, settings), settings),
            )
            go_live(session, revision)
    with session_scope(database_url) as session:
        store_composed(session, compose_pages(session, settings))
    with session_scope(database_url) as session:
        rebuild_documents(session, settings, probe=GuessingProbe(), full=True)
    with session_scope(database_url) as session:
        rebuild_tag_feeds_and_archives(session, settings, probe=GuessingProbe())
    with session_scope(database_url, writer=False) as session:
        built = {path: body for path, body in session.execute(select(Document.path, Document.body))}
        for snippet in session.scalars(select(Snippet)):
            built[f"snippet {snippet.article_id}/{snippet.revision}/{snippet.kind}"] = (
                snippet.html.encode()
            )
    return built


def main() -> int:
    from warta.embedded_redis import free_port, redis_server_argv

    with tempfile.TemporaryDirectory() as folder:
        port = free_port(0)
        server = subprocess.Popen(
            redis_server_argv(port, Path(folder), append_only=False), stdout=subprocess.DEVNULL
        )
        try:
            redis_url = f"redis://127.0.0.1:{port}/0"
            for _ in range(100):
                try:
                    redis.Redis.from_url(redis_url).ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)
            built = build(f"sqlite:///{folder}/warta.db", redis_url)
        finally:
            server.terminate()
            server.wait()
    for path in sorted(built):
        digest = (
            "(built when written)"
            if path in BUILT_WHEN_WRITTEN
            else (hashlib.sha256(built[path]).hexdigest()[:20])
        )
        print(f"{digest}  {path}")
    print(f"{len(built)} documents and snippets", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
