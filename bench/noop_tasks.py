"""The no-op task of bench/ceiling.py, given to its worker with `--include bench.noop_tasks`."""

from __future__ import annotations

from warta.celery_app import app

NOOP = "bench.noop"


@app.task(name=NOOP)
def noop() -> None:
    """Nothing: what is left is Celery's own cost per message."""
