"""The ingest API's app factory."""

from __future__ import annotations

import io
from typing import IO

from flask import Flask, Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property

from warta.health import health
from warta.instrumentation import instrument
from warta.logs import configure_logging
from warta.metrics import PipelineCollector
from warta.proxies import TrustedProxies, trusted_networks
from warta.settings import Settings
from warta_ingest import uploads  # noqa: F401 (its routes, /v1/media, join the api blueprint)
from warta_ingest.api import api
from warta_ingest.authentication import KeyCache
from warta_ingest.desk import csrf, init_desk
from warta_ingest.openapi import docs
from warta_ingest.problems import register_problem_handlers
from warta_ingest.ratelimits import create_limiter
from warta_ingest.schemas import MAX_REQUEST_BYTES


class BoundedRequest(Request):
    """A chunked body (no Content-Length) is read whole, up to one byte past
    `max_content_length`, before anything parses it: past the limit, 413. (Werkzeug's own
    reader stops at the limit and hands on what it read as if it were the whole body.)"""

    @cached_property
    def stream(self) -> IO[bytes]:
        limit = self.max_content_length
        if self.content_length is not None or limit is None:
            return super().stream  # 413 at once when Content-Length says too much
        if "wsgi.input_terminated" not in self.environ:
            return io.BytesIO()  # a server that cannot end a chunked body: read none of it
        body = self.environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            raise RequestEntityTooLarge()
        return io.BytesIO(body)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings)
    app = Flask(__name__)
    app.request_class = BoundedRequest
    app.config.update(WARTA_SETTINGS=settings, MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["warta_keys"] = KeyCache(settings.database_url, settings.redis_url)
    app.wsgi_app = TrustedProxies(app.wsgi_app, trusted_networks(settings.trusted_proxies))  # type: ignore[method-assign]
    register_problem_handlers(app)
    create_limiter(app, settings)
    app.register_blueprint(api)
    init_desk(app, settings)
    # CSRF tokens are for the desk's forms: the API's callers prove themselves by their key.
    csrf.exempt(api)
    app.register_blueprint(health)
    instrument(app, "ingest", PipelineCollector(settings))
    app.register_blueprint(docs)
    return app
