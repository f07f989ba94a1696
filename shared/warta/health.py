"""`/healthz` (the process answers) and `/readyz` (its database and Redis answer), for both
web services."""

from __future__ import annotations

import redis
from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from warta.db import get_engine
from warta.settings import Settings

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


@health.get("/readyz")
def readyz() -> ResponseReturnValue:
    checks = readiness(current_app.config["WARTA_SETTINGS"])
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def readiness(settings: Settings) -> dict[str, str]:
    """`{"database": "ok" | reason, "redis": "ok" | reason}`."""
    checks: dict[str, str] = {}
    try:
        with get_engine(settings.database_url, writer=False).connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"unavailable: {type(error).__name__}"
    try:
        client = redis.Redis.from_url(
            settings.redis_url, socket_timeout=1, socket_connect_timeout=1
        )
        client.ping()
        checks["redis"] = "ok"
    except Exception as error:
        checks["redis"] = f"unavailable: {type(error).__name__}"
    return checks
