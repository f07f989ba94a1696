"""The database's floor under the ingest benchmark: what one accepted submission writes (the
article, its revision and its outbox row, three INSERTs and a commit), with nothing else, from
2 processes x 4 threads (eight commits in flight; ingest itself now runs gevent workers, whose
greenlets wait on the database the same way). No HTTP, no Flask, no validation, no limit.

    .venv/bin/python bench/ingest_floor.py [--seconds 10]

Compare it with the bare Flask endpoint of bench/ingest.py: a commit per request caps the full
path at this rate, whatever the rest of the request costs."""

from __future__ import annotations

import argparse
import multiprocessing
import threading
import time
import uuid
from multiprocessing.sharedctypes import Synchronized

from sqlalchemy import create_engine, insert, select, text

from warta.db import get_engine, session_scope
from warta.messages import revision_message
from warta.models import ARTICLES, OUTBOX, REVISIONS, Office, utcnow
from warta.offices import add_office
from warta.pipeline import ENRICH
from warta.schema import upgrade_database

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SUBMISSION = {
    "title": "KPU Kabupaten Pasuruan Laksanakan Rapat Koordinasi PDPB Triwulan IV",
    "body": "Pasuruan - Rabu (29/12/2021) pukul 09.00 WIB, rapat koordinasi. " * 8,
    "tags": ["pemilih", "pdpb"],
}


def submissions(
    url: str, office_id: int, start_at: float, stop_at: float, done: Synchronized[int]
) -> None:
    def loop() -> None:
        count = 0
        time.sleep(max(0.0, start_at - time.time()))  # both processes are up by then
        while time.time() < stop_at:
            with session_scope(url) as session:
                article_id = session.execute(
                    insert(ARTICLES).values(office_id=office_id).returning(ARTICLES.c.id)
                ).scalar_one()
                session.execute(
                    insert(REVISIONS).values(
                        article_id=article_id,
                        number=1,
                        status="received",
                        submission=SUBMISSION,
                        publish_at=utcnow(),
                    )
                )
                session.execute(
                    insert(OUTBOX).values(task=ENRICH, payload=revision_message(article_id, 1))
                )
            count += 1
        with done.get_lock():
            done.value += count

    threads = [threading.Thread(target=loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    get_engine(url).dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"warta_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade_database(url)
        with session_scope(url) as session:
            add_office(session, "floor", "KPU Floor")
            office_id = session.scalar(select(Office.id))
        get_engine(url).dispose()
        # Spawned, not forked: a child must not share the parent's database sockets.
        context = multiprocessing.get_context("spawn")
        done: Synchronized[int] = context.Value("l", 0)  # type: ignore[assignment]
        start_at = time.time() + 3  # the children's start-up
        stop_at = start_at + args.seconds
        processes = [
            context.Process(target=submissions, args=(url, office_id, start_at, stop_at, done))
            for _ in range(2)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        print(
            f"database floor: {done.value / args.seconds:.0f} submissions/s "
            f"(3 INSERTs and a commit each, 2 processes x 4 threads, {args.seconds:g} s)"
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
