"""The feed service's app factory: feeds, sitemaps and public pages."""

from __future__ import annotations

from flask import Flask

from warta.health import health
from warta.instrumentation import instrument
from warta.logs import configure_logging
from warta.settings import Settings
from warta_feed.pages import pages
from warta_feed.syndication import syndication


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings)
    app = Flask(__name__)
    app.config.update(WARTA_SETTINGS=settings)
    app.register_blueprint(syndication)
    app.register_blueprint(pages)
    app.register_blueprint(health)
    instrument(app, "feed")
    return app
