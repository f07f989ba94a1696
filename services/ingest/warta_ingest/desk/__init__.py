"""The office desk (`/desk/`): a web app, in Indonesian, for offices with nobody to call the
API. It writes through submissions.py and uploads.py, as the API does."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from warta.photos import MAX_BYTES
from warta.settings import Settings
from warta_ingest.desk.login_attempts import LoginAttempts
from warta_ingest.desk.sessions import configure_sessions
from warta_ingest.desk.views import desk
from warta_ingest.schemas import MAX_REQUEST_BYTES

TRANSLATIONS = Path(__file__).with_name("translations")
# A report's form with its photo: the photo's limit, and the API's for the rest.
MAX_FORM_BYTES = MAX_BYTES + MAX_REQUEST_BYTES
# The views whose forms may carry a photo.
PHOTO_FORMS = frozenset({"desk.write", "desk.edit"})

csrf = CSRFProtect()


def init_desk(app: Flask, settings: Settings) -> None:
    configure_sessions(app, settings)
    app.config.update(
        BABEL_DEFAULT_LOCALE="id",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS),
        # A form is good while its session lasts; not an hour (Flask-WTF's default), which
        # would lose a report written slowly.
        WTF_CSRF_TIME_LIMIT=None,
    )
    Babel(app, locale_selector=lambda: "id")
    app.extensions["warta_login_attempts"] = LoginAttempts(settings.redis_url)
    # Before CSRFProtect reads the form: a report's form may carry a photo.
    app.before_request(_photo_form_limit)
    app.register_blueprint(desk)
    csrf.init_app(app)


def _photo_form_limit() -> None:
    if request.endpoint in PHOTO_FORMS:
        request.max_content_length = MAX_FORM_BYTES
