"""Rate limits (Flask-Limiter, counted in Redis).

Requests are counted per presented key (by its SHA-256), so each office has its own budget and
a rotated key its own; the desk's per signed-in person, under the same limit. Refused keys are
counted per client address as well (behind the edge, the address it forwards: see
warta.proxies): past `REFUSED_KEY_LIMIT`, that address gets 429 before its key is even looked
up, so random keys cost no database query each; a key that worked within the hour is not held
back by the refusals of others at its address. When Redis is away the limiter counts in memory
instead of refusing: a submission is never turned away because the broker is down."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, current_app, request, session
from flask_limiter import ApplicationLimit, Limit, Limiter
from flask_limiter.util import get_remote_address

from warta.settings import Settings


def rate_limit_key() -> str:
    if request.blueprint == "desk":
        # A signed-in person's budget is their own, as an office key's is; before signing in,
        # their address's.
        user = session.get("user")
        return f"desk-user:{user}" if isinstance(user, int) else "address:" + get_remote_address()
    key = presented_key()
    if key:
        return "key:" + hashlib.sha256(key.encode()).hexdigest()
    return "address:" + get_remote_address()


def presented_key() -> str | None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" and key.strip() else None


def _not_the_office_api() -> bool:
    return request.blueprint != "api"


ASSETS = frozenset({"desk.static", "desk.preview_css"})


def _not_written_to() -> bool:
    # The office API and the desk are limited alike; health checks and the documentation,
    # and the desk's stylesheet and script, are not.
    return request.blueprint not in ("api", "desk") or request.endpoint in ASSETS


def _refusals_not_counted() -> bool:
    if _not_the_office_api():
        return True
    key, keys = presented_key(), current_app.extensions.get("warta_keys")
    return bool(key and keys is not None and keys.vouched(key))


def _refused(response: Response) -> bool:
    return response.status_code == 401


def create_limiter(app: Flask, settings: Settings) -> Limiter:
    return Limiter(
        rate_limit_key,
        app=app,
        default_limits=[Limit(settings.rate_limit, exempt_when=_not_written_to)],
        application_limits=[
            ApplicationLimit(
                settings.refused_key_limit,
                key_function=get_remote_address,
                scope="refused-keys",
                exempt_when=_refusals_not_counted,
                deduct_when=_refused,
            )
        ],
        storage_uri=settings.redis_url,
        storage_options={"socket_timeout": 1, "socket_connect_timeout": 1},
        strategy="moving-window",
        key_prefix="warta:ratelimit",
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
