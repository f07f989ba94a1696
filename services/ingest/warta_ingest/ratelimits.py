"""Rate limits per office key (Flask-Limiter, counted in Redis).

The limit is counted per presented key (by its SHA-256), so each office has its own budget and
a rotated key its own. When Redis is away the limiter counts in memory instead of refusing:
a submission is never turned away because the broker is down."""

from __future__ import annotations

import hashlib

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from warta.settings import Settings


def rate_limit_key() -> str:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return "key:" + hashlib.sha256(key.strip().encode()).hexdigest()
    return "address:" + get_remote_address()


def create_limiter(app: Flask, settings: Settings) -> Limiter:
    return Limiter(
        rate_limit_key,
        app=app,
        default_limits=[settings.rate_limit],
        # Only the office API is limited; health checks and the documentation are not.
        default_limits_exempt_when=lambda: request.blueprint != "api",
        storage_uri=settings.redis_url,
        storage_options={"socket_timeout": 1, "socket_connect_timeout": 1},
        strategy="moving-window",
        key_prefix="warta:ratelimit",
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
