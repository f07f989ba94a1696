"""What a hostile body costs the ingest API to refuse: 100,000 unknown fields, 100,000 unknown
fields in `image`, 100,000 tags. The answer's size and the time to it, through Flask's test
client (no HTTP server, no network), on SQLite.

    .venv/bin/python bench/refusals.py
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from warta.db import session_scope
from warta.offices import add_office
from warta.schema import upgrade_database
from warta.settings import Settings
from warta_ingest.app import create_app

BODIES = {
    "100,000 unknown fields": {f"f{n}": 1 for n in range(100_000)},
    "100,000 unknown fields in image": {"image": {f"f{n}": 1 for n in range(100_000)}},
    "100,000 empty tags": {"tags": [""] * 100_000},
}


def main() -> None:
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'warta.db'}"
    upgrade_database(url)
    with session_scope(url) as session:
        key = add_office(session, "bench", "KPU Bench")
    settings = Settings.from_env({"DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:1/0"})
    client = create_app(settings).test_client()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    for name, extra in BODIES.items():
        body = json.dumps({"title": "Rapat", "body": "Isi.", **extra})
        times = []
        for _ in range(5):
            started = time.perf_counter()
            answer = client.post("/v1/articles", data=body, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:<32} body {len(body):>9,} bytes: {answer.status_code}, answer "
            f"{len(answer.data):>9,} bytes, {min(times):6.0f} ms (best of 5)"
        )


if __name__ == "__main__":
    main()
