"""Photos: renditions per second per core for a 12-megapixel phone JPEG; the peak memory of one
rendition job for a 50-megapixel JPEG (and a 25-megapixel PNG, the largest PNG accepted); the
media stores' write and read latency and throughput; uploads per second and rendition GETs per
second through the real servers (gunicorn, loaded by Debian's wrk).

The photos are made here: gradients, shapes and noise, which compress like a phone's photo
(3.8 MB for 12 megapixels at quality 90).

    .venv/bin/python bench/media.py [--part renditions|memory|stores|http|all] [--seconds 10]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ingest import POSTGRES, database_url, gunicorn
from PIL import Image, ImageDraw
from sqlalchemy import create_engine, select, text

from warta.db import session_scope
from warta.embedded_redis import free_port, redis_server_argv
from warta.media_store import DatabaseStore, FilesystemStore, MediaStore, rendition_key
from warta.models import Article, Media, MediaRendition, MediaUse, Office
from warta.offices import add_office
from warta.schema import upgrade_database

PHONE = (4032, 3024)  # 12 MP, 4:3
LARGE = (8160, 6120)  # 50 MP, as the largest phone sensors write


def photo(size: tuple[int, int]) -> Image.Image:
    width, height = size
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.linear_gradient("L").rotate(90).resize(size)
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    for n in range(60):
        x, y = (n * 7919) % width, (n * 104729) % height
        colour = ((n * 40) % 256, (n * 90) % 256, (n * 150) % 256)
        draw.ellipse((x, y, x + width // 12, y + height // 10), fill=colour)
    noise = Image.effect_noise(size, 40)
    return Image.blend(image, Image.merge("RGB", (noise, noise, noise)), 0.18)


def jpeg(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    photo(size).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def renditions_per_core(data: bytes, seconds: float) -> None:
    from warta.photos import make_renditions

    make_renditions(data)  # warm: profiles, codecs
    jobs, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        made = make_renditions(data)
        jobs += 1
    cpu = (time.process_time() - started) / jobs
    sizes = ", ".join(f"{m.name}.{m.extension} {len(m.body) // 1024} KB" for m in made)
    print(f"renditions: 12 MP phone JPEG ({len(data) / 1e6:.1f} MB), {jobs} jobs")
    print(f"  {cpu * 1000:.0f} ms of CPU per job (6 files) = {1 / cpu:.2f} jobs/s per core")
    print(f"  {sizes}")


# The peak is VmHWM, the process's own high-water mark (ru_maxrss would carry the parent's
# over the fork).
MEMORY_CHILD = """
import re, sys, time
import warta_render.renditions  # the worker's imports, as a worker has them
from warta.photos import make_renditions
def hwm():
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024
data = open(sys.argv[1], "rb").read()
before = hwm()
started = time.process_time()
made = make_renditions(data)
cpu = time.process_time() - started
print(before, hwm(), round(cpu * 1000))
"""


def peak_memory(tmp: Path) -> None:
    print("memory: one rendition job in a fresh process (VmHWM; the worker's imports loaded)")
    png = io.BytesIO()
    # A PNG of 25 MP that compresses (a chart, a scan): what a small file can hold.
    flat = Image.merge("RGB", [Image.linear_gradient("L").resize((5000, 5000))] * 3)
    flat.save(png, "PNG")
    for label, data in (
        ("50 MP JPEG", jpeg(LARGE)),
        ("12 MP JPEG", jpeg(PHONE)),
        ("25 MP PNG", png.getvalue()),
    ):
        path = tmp / "photo"
        path.write_bytes(data)
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        before, peak, cpu = (int(value) for value in out)
        print(
            f"  {label:<11} ({len(data) / 1e6:5.1f} MB): peak RSS {peak} MB "
            f"(before the job {before} MB, the job {peak - before} MB), {cpu} ms CPU"
        )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def store_figures(name: str, store: MediaStore, body: bytes, count: int) -> None:
    keys = [f"bench/{name}/{n}" for n in range(count)]
    puts = [timed(lambda key=key: store.put(key, body)) for key in keys]
    gets = [timed(lambda key=key: store.get(key)) for key in keys]
    size = len(body) / 1e6
    for verb, times in (("put", puts), ("get", gets)):
        ordered = sorted(times)
        print(
            f"  {name:<22} {verb} {len(body) // 1024:>5} KB: "
            f"p50 {statistics.median(times) * 1000:6.2f} ms"
            f"  p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:6.2f} ms"
            f"  {count * size / sum(times):7.1f} MB/s"
        )


def stores(tmp: Path, postgres_url: str | None) -> None:
    from warta.photos import make_renditions

    original = jpeg(PHONE)
    article = next(
        m for m in make_renditions(original) if (m.name, m.extension) == ("article", "jpg")
    )
    print("stores: one after another, one process, loopback")
    sqlite = f"sqlite:///{tmp / 'store.db'}"
    upgrade_database(sqlite)
    candidates: list[tuple[str, MediaStore]] = [
        ("filesystem (fsync)", FilesystemStore(tmp / "media")),
        ("database: SQLite", DatabaseStore(sqlite)),
    ]
    if postgres_url:
        candidates.append(("database: PostgreSQL", DatabaseStore(postgres_url)))
    for name, store in candidates:
        store_figures(name, store, article.body, 300)
        store_figures(name, store, original, 40)


WRK_UPLOAD = """
local file = io.open("{path}", "rb")
wrk.method = "POST"
wrk.body = file:read("*all")
file:close()
wrk.headers["Content-Type"] = "image/jpeg"
wrk.headers["Authorization"] = "Bearer {key}"
"""


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> str:
    argv = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    if script:
        argv += ["-s", str(script)]
    return subprocess.run([*argv, url], check=True, capture_output=True, text=True).stdout


def summary(out: str) -> str:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert rate and p99, out
    return (
        f"{float(rate.group(1)):8.1f} req/s  p99 {p99.group(1):>8}  "
        f"non-2xx {errors.group(1) if errors else 0}"
    )


def http(tmp: Path, seconds: int) -> None:
    url, pg_name = database_url(tmp)
    upgrade_database(url)
    with session_scope(url) as session:
        key = add_office(session, "bench", "KPU Bench")
    redis_port = free_port(0)
    redis = subprocess.Popen(
        redis_server_argv(redis_port, tmp / "redis"), stdout=subprocess.DEVNULL
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "RATE_LIMIT": "100000000/minute",
        "LOG_LEVEL": "WARNING",
        "MEDIA_STORE": "database",
    }
    backend = "PostgreSQL" if pg_name else "SQLite"
    print(f"http: gunicorn 2 workers x 4 threads, {backend}, MEDIA_STORE=database, wrk on loopback")
    try:
        path = tmp / "phone.jpg"
        path.write_bytes(jpeg(PHONE))
        script = tmp / "upload.lua"
        script.write_text(WRK_UPLOAD.format(path=path, key=key))
        port = free_port(0)
        server = gunicorn("warta_ingest.wsgi:app", port, env)
        try:
            upload_url = f"http://127.0.0.1:{port}/v1/media"
            wrk(upload_url, 2, 4, script)  # warm-up
            result = summary(wrk(upload_url, seconds, 4, script))
            print(f"  uploads, 12 MP JPEG, 4 connections: {result}")
        finally:
            server.terminate()
            server.wait(30)
        served = public_rendition(url)
        port = free_port(0)
        server = gunicorn("warta_feed.wsgi:app", port, env)
        try:
            rendition_url = f"http://127.0.0.1:{port}{served}"
            wrk(rendition_url, 2, 16)
            result = summary(wrk(rendition_url, seconds, 16))
            print(f"  rendition GETs (90 KB), 16 connections: {result}")
        finally:
            server.terminate()
            server.wait(30)
    finally:
        redis.terminate()
        redis.wait(10)
        if pg_name:
            admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()


def public_rendition(url: str) -> str:
    """An uploaded photo made public by a live article (its renditions made here)."""
    from warta.documents import strong_etag
    from warta.photos import make_renditions

    with session_scope(url) as session:
        media = session.scalars(select(Media).order_by(Media.id).limit(1)).one()
        office_id = session.scalar(select(Office.id))
        article = Article(office_id=office_id, current_revision=1, live_revision=1)
        session.add(article)
        session.flush()
        session.add(MediaUse(article_id=article.id, revision=1, media_id=media.id))
        made = make_renditions(DatabaseStore(url).get(media.original_key) or b"")
        for rendition in made:
            DatabaseStore(url).put(
                rendition_key(media.id, rendition.name, rendition.extension), rendition.body
            )
            session.add(
                MediaRendition(
                    media_id=media.id,
                    name=rendition.name,
                    extension=rendition.extension,
                    media_type=rendition.media_type,
                    width=rendition.width,
                    height=rendition.height,
                    length=len(rendition.body),
                    etag=strong_etag(rendition.body),
                )
            )
        media.status = "ready"
        return f"/media/{media.id}/article.jpg"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--part", default="all", choices=["renditions", "memory", "stores", "http", "all"]
    )
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-media-"))
    print(f"media benchmark, {os.cpu_count()} cores (shared with other work: figures swing)")
    try:
        if args.part in ("renditions", "all"):
            renditions_per_core(jpeg(PHONE), args.seconds)
        if args.part in ("memory", "all"):
            peak_memory(tmp)
        if args.part in ("stores", "all"):
            pg_url, pg_name = database_url(tmp)
            upgrade_database(pg_url)
            try:
                stores(tmp, pg_url if pg_name else None)
            finally:
                if pg_name:
                    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
                    with admin.connect() as connection:
                        connection.execute(
                            text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
                        )
                    admin.dispose()
        if args.part in ("http", "all"):
            if shutil.which("wrk") is None:
                sys.exit("needs wrk: apt-get install wrk")
            http(tmp, args.seconds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
