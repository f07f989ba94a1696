"""The ingest API's app factory."""

from __future__ import annotations

from flask import Flask

from warta.health import health
from warta.instrumentation import instrument
from warta.logs import configure_logging
from warta.metrics import PipelineCollector
from warta.settings import Settings
from warta_ingest import uploads  # noqa: F401 (its routes, /v1/media, join the api blueprint)
from warta_ingest.api import api
from warta_ingest.authentication import KeyCache
from warta_ingest.openapi import docs
from warta_ingest.problems import register_problem_handlers
from warta_ingest.ratelimits import create_limiter

# JSON around a 256 KiB body, escapes included; larger requests get 413 before they are read.
MAX_REQUEST_BYTES = 2 * 1024 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings)
    app = Flask(__name__)
    app.config.update(WARTA_SETTINGS=settings, MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["warta_keys"] = KeyCache(settings.database_url)
    register_problem_handlers(app)
    create_limiter(app, settings)
    app.register_blueprint(api)
    app.register_blueprint(health)
    instrument(app, "ingest", PipelineCollector(settings))
    app.register_blueprint(docs)
    return app
