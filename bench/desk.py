"""The office desk's pages under 20 signed-in people at once: the reports list, a report with
its revisions, the write form and the edit form. Target: p99 under 50 ms.

Three loads, each page alone:

- people: 20 threads, each one person's session (10 editors, 10 reporters) on a keep-alive
  connection, asking for the page, reading it, pausing `--think` seconds (0.5: a brisk
  person), again, for `--seconds`; the latency of every answer, as the person waits for it.
  This is the target's load.
- saturation: wrk (Debian's) with 20 connections and no pause, every request carrying one of
  the 20 sessions in turn: how many pages a second the service can give. Its latency is
  mostly queueing (20 requests in flight / the rate), not the cost of a page.
- one person asking page after page: what a page costs, waits and all, with nothing queued.

The ingest service runs under gunicorn as in production (warta.web_server, 2 workers) on the
machine's PostgreSQL (a fresh database; SQLite when none answers), holding `--reports`
reports of one office that went through the stages (normalised, tagged, published), a third
of them with a second revision.

    .venv/bin/python bench/desk.py [--seconds 10] [--reports 300] [--think 0.5]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

import requests
from ingest import POSTGRES, database_url, gunicorn
from sqlalchemy import create_engine, select, text

from warta.db import session_scope
from warta.embedded_redis import free_port, redis_server_argv
from warta.models import EDITOR, REPORTER, Article, Revision, User, utcnow
from warta.offices import add_office
from warta.schema import upgrade_database
from warta.users import set_password
from warta_enrich.normalisation import normalise_report
from warta_enrich.tagging import tag_report
from warta_ingest.submissions import Writer, submit

PEOPLE = 20
PASSWORD = "bench-desk-password"  # noqa: S105 (the bench's own people, in a throwaway database)
BODY = (
    "Pasuruan – KPU Kabupaten Pasuruan menggelar rapat pleno terbuka rekapitulasi daftar "
    "pemilih berkelanjutan pada Rabu (29/12/2021) pukul 09.00 WIB di aula kantor. "
) * 6
WRK_SCRIPT = """
local cookies = {{{cookies}}}
local paths = {{{paths}}}
local n = 0
request = function()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  local cookie = cookies[(math.floor(n / #paths) % #cookies) + 1]
  return wrk.format("GET", path, {{["Cookie"] = "warta_desk=" .. cookie}})
end
"""


def seed(url: str, reports: int) -> tuple[list[str], list[int]]:
    """The office, its people and its reports; returns the people's e-mails and the ids."""
    report = normalise_report(title="Rapat Pleno Rekapitulasi DPB", body=BODY)
    tags = [asdict(tag) for tag in tag_report(title=report.title, text=report.text, language="id")]
    with session_scope(url) as session:
        add_office(session, "kab-pasuruan", "KPU Kabupaten Pasuruan", region="35.14")
    with session_scope(url) as session:
        office_id = session.scalar(text("SELECT id FROM offices"))
        emails = []
        for n in range(PEOPLE):
            role = EDITOR if n % 2 == 0 else REPORTER
            user = User(
                email=f"{role}{n}@kab-pasuruan.test",
                office_id=office_id,
                role=role,
                session_generation=0,
            )
            set_password(user, PASSWORD)
            session.add(user)
            emails.append(user.email)
        session.flush()
        users = list(session.scalars(select(User).order_by(User.id)))
        for n in range(reports):
            user = users[n % PEOPLE]
            writer = Writer(office_id, user.id, user.role)
            submission = {"title": f"Rapat Pleno Rekapitulasi DPB nomor {n}", "body": BODY}
            submit(session, writer, submission)
            if n % 3 == 0:
                submit(session, writer, {**submission, "external_id": None, "title": "Revisi"})
        now = utcnow()
        for revision in session.scalars(select(Revision)):
            revision.status, revision.title, revision.slug = "published", "Rapat Pleno", "rapat"
            revision.excerpt, revision.body_html = report.excerpt, report.body_html
            revision.dateline = asdict(report.dateline)
            revision.event_at = report.event_at.isoformat() if report.event_at else None
            revision.word_count, revision.tags, revision.warnings = report.word_count, tags, []
        for article in session.scalars(select(Article)):
            article.live_revision, article.published_at = 1, now
        ids = list(session.scalars(select(Article.id).order_by(Article.id)))
    return emails, ids


def signed_in(base: str, email: str) -> str:
    session = requests.Session()
    page = session.get(f"{base}/desk/masuk", timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert token is not None, page.text
    answer = session.post(
        f"{base}/desk/masuk",
        data={"csrf_token": token.group(1), "email": email, "password": PASSWORD},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    return str(session.cookies["warta_desk"])


def wrk(base: str, cookies: list[str], paths: list[str], seconds: int, tmp: Path) -> dict:  # type: ignore[type-arg]
    script = tmp / "desk.lua"
    script.write_text(
        WRK_SCRIPT.format(
            cookies=", ".join(f'"{cookie}"' for cookie in cookies),
            paths=", ".join(f'"{path}"' for path in paths),
        )
    )
    command = ["wrk", "-t", "2", "-c", str(PEOPLE), "-d", f"{seconds}s", "--latency"]
    command += ["-s", str(script), base]
    out = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    found = {
        share: re.search(rf"{share}%\s+([\d.]+)(us|ms|s)", out) for share in ("50", "90", "99")
    }
    latency = {share: float(m.group(1)) * scale[m.group(2)] for share, m in found.items() if m}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": rate, **latency, "errors": int(non_2xx.group(1)) if non_2xx else 0}


def people(
    base: str, cookies: list[str], paths: list[str], seconds: float, think: float
) -> dict[str, float]:
    """Each cookie a person on their own connection, a page then a pause, for `seconds`."""
    waits: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def person(number: int, cookie: str) -> None:
        nonlocal errors
        session = requests.Session()
        session.cookies.set("warta_desk", cookie, path="/desk")
        n = number
        time.sleep(think * number / len(cookies))  # arrivals spread over the first pause
        while time.monotonic() < deadline:
            start = time.perf_counter()
            answer = session.get(base + paths[n % len(paths)], timeout=30)
            answer.content  # noqa: B018 (read whole, as a browser would)
            waited = time.perf_counter() - start
            with lock:
                waits.append(waited)
                errors += answer.status_code != 200
            n += 1
            time.sleep(think)

    threads = [
        threading.Thread(target=person, args=(n, cookie)) for n, cookie in enumerate(cookies)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    waits.sort()

    def share(q: float) -> float:
        return waits[min(len(waits) - 1, int(q * len(waits)))] * 1000

    return {
        "rate": len(waits) / seconds,
        "50": share(0.50),
        "90": share(0.90),
        "99": share(0.99),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--think", type=float, default=0.5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("needs wrk: apt-get install wrk")
    load_before = os.getloadavg()[0]  # a shared machine: say how busy it was
    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-desk-"))
    url, pg_name = database_url(tmp)
    upgrade_database(url)
    emails, ids = seed(url, args.reports)
    redis_port = free_port(0)
    redis = subprocess.Popen(
        redis_server_argv(redis_port, tmp / "redis"), stdout=subprocess.DEVNULL
    )
    port = free_port(0)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "RATE_LIMIT": "100000000/minute",
        "LOG_LEVEL": "WARNING",
        "DESK_SECURE_COOKIES": "0",
        "INGEST_PORT": str(port),
    }
    base = f"http://127.0.0.1:{port}"
    server = gunicorn("warta_ingest.wsgi:app", port, env)
    results = {}
    try:
        cookies = [signed_in(base, email) for email in emails]
        # Each person's own reports (a reporter sees only theirs): every 20th, from their first.
        own = [ids[n::PEOPLE][:5] for n in range(PEOPLE)]
        pages = {
            "reports list": ["/desk/"],
            "a report": [f"/desk/laporan/{article}" for article in ids[-50:]],
            "write form": ["/desk/tulis"],
            "edit form": [f"/desk/laporan/{article}/ubah" for article in own[0]],
        }
        # Warm-up: every page, as 20 people, until each worker holds its database connections
        # (the first seconds of a cold service are its connections being opened).
        every_page = [path for paths in pages.values() for path in paths[:3]]
        people(base, cookies[::2] * 2, every_page, 5, args.think)
        for name, paths in pages.items():
            # Editors (even) open any report, and the edit form of the first one's; reporters
            # the list of their own and the write form.
            readers = cookies[::2] if name in ("a report", "edit form") else cookies
            ten_or_twenty = (readers * 2)[:PEOPLE]
            results[name] = (
                people(base, ten_or_twenty, paths, args.seconds, args.think),
                wrk(base, readers, paths, args.seconds, tmp),
                people(base, readers[:1], paths, args.seconds / 2, 0.0),
            )
    finally:
        server.terminate()
        server.wait(30)
        redis.terminate()
        redis.wait(10)
    backend = "PostgreSQL" if pg_name else "SQLite"
    print(
        f"desk benchmark: {args.seconds}s per page and load, {PEOPLE} signed-in people, "
        f"loopback, gunicorn (warta.web_server) 2 workers, {backend}, {args.reports} reports; "
        f"load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}"
    )
    loads = (
        f"{PEOPLE} people, a page every {args.think:g} s each",
        f"saturation: wrk, {PEOPLE} connections, no pause",
        "one person, page after page (what a page costs)",
    )
    for number, title in enumerate(loads):
        print(f"  {title}")
        for name, measured in results.items():
            result = measured[number]
            print(
                f"    {name:<14} {result['rate']:6.0f} req/s   p50 {result['50']:6.1f} ms   "
                f"p90 {result['90']:6.1f} ms   p99 {result['99']:6.1f} ms   "
                f"non-200 {result['errors']:.0f}"
            )
    if pg_name:
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        admin.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
