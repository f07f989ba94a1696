"""Who is signed in to the desk: a signed session cookie (Flask's, HttpOnly, SameSite=Lax,
Secure unless DESK_SECURE_COOKIES=0, path /desk) naming the user and the session generation
it began in. Signing out, or a new password, bumps the user's generation: every session of an
older one is over, a copied cookie included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, Request, current_app, g, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from warta.db import session_scope
from warta.models import EDITOR, Secret, User
from warta.settings import Settings

SESSION_LIFETIME = timedelta(hours=12)
COOKIE_NAME = "warta_desk"
DESK_PATH = "/desk"


@dataclass(frozen=True)
class Person:
    """The signed-in user, and their office."""

    user_id: int
    email: str
    role: str
    office_id: int
    office_slug: str
    office_name: str
    timezone: str

    @property
    def is_editor(self) -> bool:
        return self.role == EDITOR


class DeskSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, with the signing key read from the database on the first desk
    request (unless SECRET_KEY set it): every process of a deployment shares the one its
    migration made, and the API's requests never wait for it."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key and _is_desk(request.path):
            app.secret_key = _stored_secret(_settings(app).database_url)
        return super().open_session(app, request)


def configure_sessions(app: Flask, settings: Settings) -> None:
    app.session_interface = DeskSessionInterface()
    if settings.secret_key:
        app.secret_key = settings.secret_key
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_PATH=DESK_PATH,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.desk_secure_cookies,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # A session is renewed as it is used, not only when it changes.
        SESSION_REFRESH_EACH_REQUEST=True,
    )


def signed_in() -> Person | None:
    """The person this request's session names, while that session is current."""
    if "desk_person" in g:
        person: Person | None = g.desk_person
        return person
    person = None
    user_id, generation = session.get("user"), session.get("generation")
    if isinstance(user_id, int) and isinstance(generation, int):
        with session_scope(_settings(current_app).database_url, writer=False) as db:
            user = db.scalar(
                select(User).where(User.id == user_id).options(joinedload(User.office))
            )
            if user is not None and user.session_generation == generation and user.password_hash:
                person = Person(
                    user.id,
                    user.email,
                    user.role,
                    user.office_id,
                    user.office.slug,
                    user.office.name,
                    user.office.timezone or _settings(current_app).timezone,
                )
    g.desk_person = person
    return person


def begin_session(user: User) -> None:
    # A new session (and CSRF token) at sign-in: a session fixed before it learns nothing.
    session.clear()
    session.permanent = True
    session["user"], session["generation"] = user.id, user.session_generation


def end_sessions(person: Person) -> None:
    """Sign out: this session, and every other the person has."""
    with session_scope(_settings(current_app).database_url) as db:
        user = db.get(User, person.user_id)
        if user is not None:
            user.session_generation += 1
    session.clear()


def _is_desk(path: str) -> bool:
    return path == DESK_PATH or path.startswith(DESK_PATH + "/")


def _stored_secret(database_url: str) -> str:
    with session_scope(database_url, writer=False) as db:
        secret = db.scalar(select(Secret.value).where(Secret.name == "desk"))
    if secret is None:
        raise RuntimeError("no desk secret: run `warta db upgrade`, or set SECRET_KEY")
    return secret


def _settings(app: Any) -> Settings:
    settings: Settings = app.config["WARTA_SETTINGS"]
    return settings
