"""`make compose-check`: the compose deployment tried as an operator would, then torn down.

Brings the stack up (docker-compose.yml less its `ports:` blocks, with ops/compose-host-network.yml
on the host's network, as the stand-in images of ops/compose-offline need; the edge from
ops/edge-standin), adds an office, posts a report through the edge and sees it in the feed,
scales worker-enrich (normalise and tag) to 4, posts a batch of reports while it kills one
enrich worker and, later, Redis (kill -9, then started again), and checks that every accepted
report is published exactly once and every page, listing, tag feed, archive and sitemap is
current; prints how long after each fault that took. Needs docker with `docker compose`; here:
`bash ops/compose-offline/prepare.sh && source /tmp/compose-offline/env.sh` first."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
import yaml
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
OVERRIDE = ROOT / "ops" / "compose-host-network.yml"
EDGE_IMAGE = "warta-edge-standin:local"
EDGE = "http://127.0.0.1:38080"
FEED = "http://127.0.0.1:38002"  # the feed service itself: the edge caches for a minute
REDIS_PORT = 36379
DATABASE = "postgresql+psycopg://warta:warta@127.0.0.1:35432/warta"
ARCHIVE_SIZE = 100  # warta_feed.publishing
LINK = re.compile(r"/berita/(\d+)-")


class Compose:
    def __init__(self, project: str) -> None:
        base = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
        for service in base["services"].values():
            service.pop("ports", None)  # compose v1 refuses them with host networking
        base["services"].pop("flower", None)
        self.file = Path(tempfile.mkdtemp(prefix="warta-compose-")) / "docker-compose.yml"
        self.file.write_text(yaml.safe_dump(base, sort_keys=False))
        self.argv = ["docker", "compose", "-p", project, "--project-directory", str(ROOT)]
        self.argv += ["-f", str(self.file), "-f", str(OVERRIDE)]

    def __call__(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [*self.argv, *args],
            capture_output=True,
            text=True,
            check=False,
            env={**_env(), "EDGE_IMAGE": EDGE_IMAGE},
        )
        if check and done.returncode != 0:
            raise SystemExit(f"docker compose {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def listed(path: str) -> set[int]:
    answer = requests.get(f"{FEED}{path}", timeout=10)
    return {int(found) for found in LINK.findall(answer.text)} if answer.ok else set()


def stale_parts(ids: list[int], key: str) -> list[str]:
    newest, stale = max(ids), []
    article = requests.get(
        f"{EDGE}/v1/articles/{newest}", headers={"Authorization": f"Bearer {key}"}, timeout=10
    ).json()
    office = article["office"]
    tags = [tag["slug"] for tag in article.get("tags", []) if tag["source"] != "keyword"]
    if set(ids) - listed("/sitemaps/articles-1.xml"):
        stale.append("sitemap")
    for path in ("/feed.rss", "/berita/", f"/offices/{office}/feed.rss"):
        if newest not in listed(path):
            stale.append(path)
    feeds = [path for path in (f"/tags/{tag}/feed.rss" for tag in tags) if listed(path)]
    if not feeds or any(newest not in listed(path) for path in feeds):
        stale.append(f"tag feeds {feeds}")
    for block in sorted({(i - 1) // ARCHIVE_SIZE + 1 for i in ids}):
        wanted = {i for i in ids if (i - 1) // ARCHIVE_SIZE + 1 == block}
        if wanted - listed(f"/archives/{block}.rss"):
            stale.append(f"archive {block}")
    return stale


def database_counts() -> dict[str, int]:
    engine = create_engine(DATABASE)
    with engine.connect() as connection:
        counts = {
            status: count
            for status, count in connection.execute(
                text("SELECT status, count(*) FROM revisions GROUP BY status")
            )
        }
        counts["articles"] = connection.scalar(text("SELECT count(*) FROM articles")) or 0
    engine.dispose()
    return counts


class Batch:
    """Reports posted through the edge from a thread, retried with their Idempotency-Key."""

    def __init__(self, key: str, count: int, prefix: str) -> None:
        self.key, self.count, self.prefix = key, count, prefix
        self.ids: list[int] = []
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._post_all, daemon=True)
        self.thread.start()

    def _post_all(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.key}"
        for n in range(self.count):
            body = {
                "title": f"Rapat Pleno Rekapitulasi Suara Pemilu nomor {n}",
                "body": f"Pasuruan - KPU menggelar rapat pleno rekapitulasi suara ke-{n}.",
                "external_id": f"{self.prefix}-{n}",
            }
            for _ in range(240):
                try:
                    answer = session.post(
                        f"{EDGE}/v1/articles",
                        json=body,
                        headers={"Idempotency-Key": f"{self.prefix}-{n}"},
                        timeout=10,
                    )
                except requests.RequestException:
                    time.sleep(0.5)
                    continue
                if answer.status_code in (502, 503, 504):
                    time.sleep(0.5)
                    continue
                if answer.status_code == 202:
                    self.ids.append(answer.json()["id"])
                else:
                    self.errors.append(f"{answer.status_code}: {answer.text[:200]}")
                break
            else:
                self.errors.append(f"report {n} never accepted")
            time.sleep(0.02)  # an office's system, not a flood

    def join(self) -> list[int]:
        self.thread.join(600)
        if self.errors:
            raise SystemExit(f"refused reports: {self.errors[:5]}")
        return self.ids


def until(check: Any, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not (value := check()):
        if time.monotonic() - started > timeout:
            raise SystemExit(f"{what}: not within {timeout:.0f} s (last: {value!r})")
        time.sleep(0.5)
    return time.monotonic() - started


def published_count() -> int:
    try:
        return database_counts().get("published", 0)
    except Exception:
        return 0


def stopped_in_order(compose: Compose) -> None:
    """`docker compose stop`: Redis and PostgreSQL stop after every service that uses them."""
    compose("stop")
    containers = compose("ps", "-q").split()
    inspected = subprocess.run(
        ["docker", "inspect", "-f", "{{.Name}} {{.State.FinishedAt}}", *containers],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    finished = dict(line.split() for line in inspected if line.strip())
    last = {name: at for name, at in finished.items() if "_redis_" in name or "_postgres_" in name}
    others = {name: at for name, at in finished.items() if name not in last}
    if max(others.values()) > min(last.values()):  # RFC 3339 in UTC: compared as text
        raise SystemExit(f"stopped out of order: {sorted(finished.items(), key=lambda x: x[1])}")
    print(f"docker compose stop: {len(others)} services, then Redis and PostgreSQL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--project", default="wartacheck")
    parser.add_argument("--keep", action="store_true", help="leave the stack up")
    options = parser.parse_args()

    subprocess.run(
        [
            "docker",
            "build",
            "-q",
            "--network",
            "host",
            "-t",
            EDGE_IMAGE,
            str(ROOT / "ops" / "edge-standin"),
        ],
        check=True,
    )
    compose = Compose(options.project)
    compose("down", "-v", "--remove-orphans", check=False)
    try:
        started = time.monotonic()
        compose("build")
        compose("up", "-d")
        until(lambda: requests.get(f"{EDGE}/healthz", timeout=5).ok, 300, "the edge")
        print(f"stack up and healthy in {time.monotonic() - started:.0f} s (build included)")

        key = (
            compose(
                "exec",
                "-T",
                "ingest",
                "warta",
                "offices",
                "add",
                "check",
                "--name",
                "KPU Compose Check",
            )
            .strip()
            .splitlines()[-1]
        )
        first = Batch(key, 1, "first")
        (article_id,) = first.join()
        seconds = until(
            lambda: (
                article_id
                in {int(i) for i in LINK.findall(requests.get(f"{EDGE}/feed.rss", timeout=5).text)}
            ),
            120,
            "the first report in the edge's feed",
        )
        print(
            f"office added; report {article_id} posted through the edge, "
            f"in its /feed.rss {seconds:.1f} s later"
        )

        compose("up", "-d", "--scale", "worker-enrich=4")
        enrich_workers = compose("ps", "-q", "worker-enrich").split()
        print(f"worker-enrich scaled to {len(enrich_workers)}")

        batch = Batch(key, options.reports, "batch")
        until(lambda: published_count() >= 1 + options.reports // 5, 300, "a fifth of the batch")
        subprocess.run(["docker", "kill", enrich_workers[0]], check=True, capture_output=True)
        worker_killed = time.monotonic()
        done = published_count() - 1
        print(f"killed one enrich worker with {done} of {options.reports} published")

        until(lambda: published_count() >= 1 + options.reports // 2, 300, "half of the batch")
        redis_container = compose("ps", "-q", "redis").strip()
        subprocess.run(["docker", "kill", redis_container], check=True, capture_output=True)
        print(f"killed Redis (kill -9) with {published_count() - 1} published")
        time.sleep(2)
        compose("start", "redis")
        redis_back = time.monotonic()

        ids = [article_id, *batch.join()]
        accepted = time.monotonic()
        stale: list[str] = ["reports"]

        def current() -> bool:
            nonlocal stale
            stale = ["reports"] if published_count() < len(ids) else stale_parts(ids, key)
            return not stale

        until(current, 180, "everything current")
        done = time.monotonic()
        print(
            f"every report published and everything current: {done - redis_back:.1f} s after Redis "
            f"came back, {done - worker_killed:.1f} s after the enrich worker was killed, "
            f"{done - accepted:.1f} s after the last report was accepted"
        )
        sitemap = LINK.findall(requests.get(f"{FEED}/sitemaps/articles-1.xml", timeout=10).text)
        counts = database_counts()
        print(
            f"accepted {len(ids)}; in the sitemap {len(sitemap)} ({len(set(sitemap))} "
            f"distinct); revisions and articles in the database: {counts}"
        )
        once = sorted(int(i) for i in sitemap) == sorted(ids)
        if not once or counts.get("published") != len(ids) or counts["articles"] != len(ids):
            raise SystemExit("not every report published exactly once")
        stopped_in_order(compose)
        print("compose check passed")
    finally:
        if not options.keep:
            compose("down", "-v", "--remove-orphans", check=False)


if __name__ == "__main__":
    sys.exit(main())
