"""Feeds: serving speed beside a bare WSGI app, rebuild time, and rebuilds per burst.

    .venv/bin/python bench/feeds.py [--seconds 5] [--photos] [--rebuilds-only]

1. Requests per second for /feed.rss, 200 and 304 (If-None-Match), from the feed service under
   gunicorn, beside a bare WSGI app under the same gunicorn returning the same bytes and
   headers (the ceiling), measured alternately in the same run by the same keep-alive client.
2. The time to build one feed (50 entries of 3 kB, RSS + Atom + JSON Feed), and a rebuild
   after one publish (only the feeds it touched) beside a full rebuild of everything, with
   50 offices and 200 tags.
3. Rebuilds for a burst of 1,000 publishes: 1,000 feed changes committed over about two
   seconds, as going live writes them, the relay's own loop (`DueJobs.send_due`, every 0.25 s)
   sending the rebuilds, and a real celery worker on the `feeds` queue rebuilding.

`--photos`: every report has an uploaded photo (ready, its renditions on record), which each
entry carries as an enclosure and each sitemap URL as an image. `--rebuilds-only`: part 2 alone.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def bare_app(environ, start_response):  # type: ignore[no-untyped-def]
    """The ceiling: stored bytes out with the same headers, nothing else."""
    body, etag = _BARE
    headers = [("ETag", etag), ("Cache-Control", "public, max-age=60"), ("Vary", "Accept-Encoding")]
    if environ.get("HTTP_IF_NONE_MATCH") == etag:
        start_response("304 Not Modified", headers)
        return [b""]
    start_response("200 OK", [("Content-Type", "application/rss+xml; charset=utf-8"), *headers])
    return [body]


if os.environ.get("BENCH_BARE_FILE"):
    _BARE = (Path(os.environ["BENCH_BARE_FILE"]).read_bytes(), os.environ["BENCH_BARE_ETAG"])


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    from warta.embedded_redis import free_port, redis_server_argv

    port = free_port(0)
    process = subprocess.Popen(
        redis_server_argv(port, folder, append_only=False), stdout=subprocess.DEVNULL
    )
    import redis

    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    return process, url


def seed(database_url: str, offices: int, tags: int, articles: int, photos: bool = False) -> None:
    from warta.articles import go_live
    from warta.db import session_scope
    from warta.models import Article, Office, Revision

    body = "<p>" + "Rapat pleno terbuka rekapitulasi hasil penghitungan suara. " * 50 + "</p>"
    now = datetime.now(UTC)
    with session_scope(database_url) as session:
        for number in range(offices):
            session.add(Office(slug=f"kab-{number}", name=f"KPU Kabupaten {number}"))
        session.flush()
        for number in range(articles):
            article = Article(office_id=number % offices + 1)
            session.add(article)
            session.flush()
            submission: dict[str, object] = {"title": "x", "body": "x"}
            if photos:
                submission["image"] = {"media": ready_photo(session, article.office_id)}
            revision = Revision(
                article=article,
                number=1,
                status="rendered",
                submission=submission,
                publish_at=now - timedelta(minutes=articles - number),
                title=f"Berita {number}",
                slug=f"berita-{number}",
                language="id",
                excerpt="Rapat pleno terbuka.",
                body_html=body,
                tags=[
                    {"slug": f"tag-{(number * k) % tags}", "label": f"Tag {k}"} for k in (1, 7, 13)
                ],
            )
            session.add(revision)
            session.flush()
            go_live(session, revision)


def ready_photo(session, office_id: int) -> int:  # type: ignore[no-untyped-def]
    from photo_fixtures import rendition_rows

    from warta.models import MEDIA_READY, Media

    media = Media(
        office_id=office_id,
        status=MEDIA_READY,
        media_type="image/jpeg",
        width=4032,
        height=3024,
        length=3_800_000,
        original_key="originals/x",
        caption="Rapat pleno terbuka di aula KPU",
        credit="Humas KPU",
        alt="Peserta rapat duduk menghadap layar",
        renditions=rendition_rows(140_000),
    )
    session.add(media)
    session.flush()
    return int(media.id)


def rebuild(settings, **options) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """Seconds of wall clock and of this process's CPU (the machine may be busy), and how many
    documents changed."""
    from warta.db import session_scope
    from warta_feed.images import GuessingProbe
    from warta_feed.rebuilds import rebuild_documents

    started, cpu = time.perf_counter(), time.process_time()
    with session_scope(settings.database_url) as session:
        changed = rebuild_documents(session, settings, probe=GuessingProbe(), **options)
    return time.perf_counter() - started, time.process_time() - cpu, len(changed)


def rate(port: int, path: str, headers: dict[str, str], seconds: float, clients: int = 4) -> float:
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def client(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            counts[slot] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--config",
        "python:warta.web_server",
        "--workers",
        "2",
        "--no-control-socket",
        "--pythonpath",
        str(BENCH),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(argv, env=env)
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/feed.rss")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{app} did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--photos", action="store_true", help="every report with a photo")
    parser.add_argument("--rebuilds-only", action="store_true", help="rebuild times alone")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    redis_process, redis_url = start_redis(folder)
    database_url = f"sqlite:///{folder / 'warta.db'}"
    os.environ.update(DATABASE_URL=database_url, REDIS_URL=redis_url, IMAGE_PROBE="guess")
    from warta.db import session_scope
    from warta.documents import find_document
    from warta.embedded_redis import free_port
    from warta.schema import upgrade_database
    from warta.settings import Settings
    from warta_feed import feeds, jsonfeeds
    from warta_feed.changes import newest_block
    from warta_feed.feed_documents import FEED_FORMATS, FeedDocuments
    from warta_feed.feeds import Channel

    upgrade_database(database_url)
    seed(database_url, offices=50, tags=200, articles=2000, photos=options.photos)
    settings = Settings.from_env()
    processes: list[subprocess.Popen[bytes]] = [redis_process]
    try:
        # 2. Rebuild times.
        full, full_cpu, full_docs = rebuild(settings, full=True)
        with session_scope(database_url) as session:
            builder = FeedDocuments(
                session,
                settings,
                __import__("warta_feed.images").images.GuessingProbe(),
                newest_block(session),
            )
            entries = builder.entries_of(limit=50)
            channel = Channel(
                "Warta", "Berita", "https://w.example/berita/", "https://w.example/feed", "id"
            )
            # Cold: entries new to the process (a new report); warm: entries that another
            # feed or an earlier rebuild built already, as most of a rebuild's are.
            feeds.entry_bytes.cache_clear()
            jsonfeeds._item.cache_clear()
            started = time.perf_counter()
            for _, build in FEED_FORMATS.values():
                build(channel, entries)
            cold_feed = time.perf_counter() - started
            started = time.perf_counter()
            for _ in range(10):
                for _, build in FEED_FORMATS.values():
                    build(channel, entries)
            one_feed = (time.perf_counter() - started) / 10
        from warta.articles import go_live
        from warta.models import Article, Revision

        with session_scope(database_url) as session:
            article = Article(office_id=3)
            session.add(article)
            session.flush()
            revision = Revision(
                article=article,
                number=1,
                status="rendered",
                submission={"title": "x", "body": "x"},
                publish_at=datetime.now(UTC),
                title="Baru",
                slug="baru",
                language="id",
                excerpt="Baru.",
                body_html="<p>Baru</p>",
                tags=[{"slug": "tag-5", "label": "Tag 5"}],
            )
            session.add(revision)
            session.flush()
            go_live(session, revision)
        incremental, incremental_cpu, incremental_docs = rebuild(settings)
        idle, idle_cpu, _ = rebuild(settings)
        print(
            f"one feed, 50 entries, RSS + Atom + JSON Feed: {cold_feed * 1000:.0f} ms with new"
            f" entries, {one_feed * 1000:.1f} ms with entries built before"
        )
        print(
            f"full rebuild (50 offices, 200 tags, 2,001 articles): {full:.2f} s "
            f"({full_cpu:.2f} s CPU), {full_docs} documents changed"
        )
        print(
            f"rebuild after one publish (affected feeds only): {incremental:.2f} s "
            f"({incremental_cpu:.2f} s CPU), {incremental_docs} changed"
        )
        print(f"rebuild with nothing changed: {idle:.2f} s ({idle_cpu:.2f} s CPU)")
        if options.rebuilds_only:
            return

        # 1. Serving.
        with session_scope(database_url, writer=False) as session:
            document = find_document(session, "feed.rss")
            assert document is not None
            body, etag = document.body, document.etag
        bare_file = folder / "feed.rss"
        bare_file.write_bytes(body)
        env = {
            **os.environ,
            "BENCH_BARE_FILE": str(bare_file),
            "BENCH_BARE_ETAG": etag,
            "PYTHONPATH": str(BENCH),
        }
        feed_port, bare_port = free_port(0), free_port(0)
        processes.append(gunicorn("warta_feed.wsgi:app", feed_port, env))
        processes.append(gunicorn("feeds:bare_app", bare_port, env))
        identity = {"Accept-Encoding": "identity"}
        results: dict[str, list[float]] = {}
        for _round in range(2):
            for name, port in (("bare", bare_port), ("warta", feed_port)):
                for kind, headers in (
                    ("200", identity),
                    ("304", {**identity, "If-None-Match": etag}),
                ):
                    results.setdefault(f"{name} {kind}", []).append(
                        rate(port, "/feed.rss", headers, options.seconds)
                    )
        print(f"feed.rss is {len(body):,} bytes")
        for kind in ("200", "304"):
            bare, warta = max(results[f"bare {kind}"]), max(results[f"warta {kind}"])
            print(
                f"{kind}: bare WSGI {bare:,.0f}/s, feed service {warta:,.0f}/s, "
                f"ratio {warta / bare:.2f}"
            )

        # 3. A burst of 1,000 publishes.
        import redis as redis_module
        from sqlalchemy import select

        from warta.articles import note_feed_change
        from warta.celery_app import WORKER_OPTIONS, app
        from warta.coalescing import FEED_REBUILD, DueJobs
        from warta.models import FEED_CHANGES
        from warta.outbox import celery_sender
        from warta_feed.rebuilds import REBUILD_COUNT_KEY

        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "warta.celery_app",
                "worker",
                "--queues",
                "feeds",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
                "--hostname",
                f"bench-{uuid.uuid4().hex[:6]}@%h",
                *WORKER_OPTIONS,
            ],
            env=os.environ.copy(),
        )
        processes.append(worker)
        counter = redis_module.Redis.from_url(redis_url)
        stop = threading.Event()
        due = DueJobs(database_url, counter, celery_sender(app), (FEED_REBUILD,))

        def relay() -> None:  # the relay's sweep of due jobs
            while not stop.wait(0.25):
                due.send_due()

        threading.Thread(target=relay, daemon=True).start()

        def publish_one() -> None:
            with session_scope(database_url) as session:
                note_feed_change(session, 1)

        def changes_waiting() -> bool:
            with session_scope(database_url, writer=False) as session:
                return session.scalar(select(FEED_CHANGES.c.id).limit(1)) is not None

        counter.set(REBUILD_COUNT_KEY, 0)
        eventually_ready = time.monotonic() + 60
        publish_one()  # one rebuild to know that the worker is there
        while int(counter.get(REBUILD_COUNT_KEY) or 0) == 0 and time.monotonic() < eventually_ready:
            time.sleep(0.2)
        time.sleep(FEED_REBUILD.min_delay + 2)
        counter.set(REBUILD_COUNT_KEY, 0)
        started = time.monotonic()
        for _ in range(1000):
            publish_one()
            time.sleep(0.002)
        burst = time.monotonic() - started
        while changes_waiting():  # the last rebuild read the last change
            time.sleep(0.2)
        time.sleep(3)
        stop.set()
        print(
            f"1,000 publishes over {burst:.1f} s: "
            f"{int(counter.get(REBUILD_COUNT_KEY) or 0)} rebuilds"
        )
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(20)


if __name__ == "__main__":
    main()
