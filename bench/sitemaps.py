"""Sitemap generation for a million articles: time and peak memory.

    .venv/bin/python bench/sitemaps.py [--articles 1000000]

Fills a fresh SQLite database with live articles (a tenth with a lead image), then runs the
rebuild's sitemap step over all of them, as the first rebuild after a deploy does (every
article sitemap of 1,000 ids, the news sitemap and the index), in a child process so its
peak RSS is its own. The baseline, in the same run, is the child process doing nothing but
opening the same database (Python, SQLAlchemy and the models imported)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from warta.db import session_scope
from warta.models import Article, Office, Revision
from warta.schema import upgrade_database


def fill(database_url: str, count: int) -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with session_scope(database_url) as session:
        session.add(Office(id=1, slug="kab-pasuruan", name="KPU Kabupaten Pasuruan"))
        session.flush()
        for first in range(1, count + 1, 50_000):
            ids = range(first, min(first + 50_000, count + 1))
            times = {i: start + timedelta(minutes=i) for i in ids}
            session.execute(
                insert(Article),
                [
                    {
                        "id": i,
                        "guid": f"urn:uuid:{i:032x}",
                        "office_id": 1,
                        "current_revision": 1,
                        "live_revision": 1,
                        "published_at": times[i],
                        "updated_at": times[i],
                        "changed_at": times[i],
                    }
                    for i in ids
                ],
            )
            session.execute(
                insert(Revision),
                [
                    {
                        "article_id": i,
                        "number": 1,
                        "status": "published",
                        "publish_at": times[i],
                        "title": f"Berita {i}",
                        "slug": f"berita-nomor-{i}",
                        "language": "id",
                        "submission": {"title": f"Berita {i}", "body": "…"}
                        | (
                            {"image": {"url": f"https://kpu.example/foto/{i}.jpg"}}
                            if i % 10 == 0
                            else {}
                        ),
                    }
                    for i in ids
                ],
            )


def peak_rss_mb() -> float:
    # VmHWM starts afresh at exec (ru_maxrss would carry the forking parent's peak).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(database_url: str, baseline: bool) -> None:
    from warta.settings import Settings
    from warta_feed.changes import Scope, newest_block
    from warta_feed.sitemap_documents import SitemapDocuments

    settings = Settings.from_env(
        {"DATABASE_URL": database_url, "PUBLIC_BASE_URL": "https://warta.example"}
    )
    started = time.perf_counter()
    changed: list[str] = []
    with session_scope(database_url) as session:
        sitemaps = SitemapDocuments(session, settings, newest_block(session))
        if not baseline:
            changed = sitemaps.sitemaps(Scope(full=True))
    seconds = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "documents": len(changed)}))


def measure(database_url: str, baseline: bool) -> dict[str, float]:
    argv = [sys.executable, __file__, "--child", database_url] + (
        ["--baseline"] if baseline else []
    )
    result = subprocess.run(argv, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--child")
    parser.add_argument("--baseline", action="store_true")
    options = parser.parse_args()
    if options.child:
        child(options.child, options.baseline)
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'warta.db'}"
        upgrade_database(url)
        started = time.perf_counter()
        fill(url, options.articles)
        print(f"filled {options.articles:,} articles in {time.perf_counter() - started:.0f} s")
        base = measure(url, baseline=True)
        run = measure(url, baseline=False)
        print(f"baseline (imports + open database): peak RSS {base['peak_mb']:.0f} MB")
        print(
            f"sitemaps for {options.articles:,} articles: {run['seconds']:.1f} s, "
            f"peak RSS {run['peak_mb']:.0f} MB, {run['documents']:.0f} documents written"
        )


if __name__ == "__main__":
    main()
