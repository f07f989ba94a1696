"""The feed service's app factory: feeds, sitemaps and public pages."""

from __future__ import annotations

from flask import Flask, Response, request

from warta.health import health
from warta.instrumentation import instrument
from warta.logs import configure_logging
from warta.proxies import TrustedProxies, trusted_networks
from warta.settings import Settings
from warta_feed.media import media
from warta_feed.pages import pages
from warta_feed.responses import SECURITY_HEADERS
from warta_feed.syndication import syndication

# Pages run no script (the JSON-LD block is data, not script) and load only their own
# stylesheet; lead images come from the offices' https sites.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' https: data:; "
    "base-uri 'none'; form-action 'none'"
)


def add_security_headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    # Only what says it may be shared is: error pages, health checks and metrics are not
    # stored by the edge or any other cache.
    response.headers.setdefault("Cache-Control", "no-store")
    if response.mimetype == "text/html":
        policy = CONTENT_SECURITY_POLICY
        if not request.path.startswith("/snippets/"):  # snippets are for embedding
            policy += "; frame-ancestors 'self'"
        response.headers["Content-Security-Policy"] = policy
    return response


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings)
    app = Flask(__name__)
    app.config.update(WARTA_SETTINGS=settings)
    app.wsgi_app = TrustedProxies(app.wsgi_app, trusted_networks(settings.trusted_proxies))  # type: ignore[method-assign]
    app.register_blueprint(syndication)
    app.register_blueprint(pages)
    app.register_blueprint(media)
    app.register_blueprint(health)
    instrument(app, "feed")
    app.after_request(add_security_headers)
    return app
