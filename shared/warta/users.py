"""The people who write on the desk: added by an operator (`warta users add`), who sends them a
one-time link to set their password; passwords hashed with argon2id (argon2-cffi's defaults,
RFC 9106's second recommended parameters)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warta.models import ROLES, Office, User, utcnow

# Long enough to reach someone by e-mail over a weekend; used once.
PASSWORD_LINK_LIFETIME = timedelta(hours=72)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes any length; this bounds the work a request asks for

hasher = PasswordHasher()
# Checked when the e-mail names nobody, so that a wrong address costs as long as a wrong
# password and the time of the answer does not tell which addresses exist.
_DECOY_HASH = hasher.hash(secrets.token_urlsafe(16))


class UserError(ValueError):
    """An operator's request that cannot be done (an unknown office, a taken address)."""


def normal_email(email: str) -> str:
    return email.strip().lower()


def add_user(session: Session, email: str, office: Office, role: str) -> str:
    """A new person of `office`; returns the token of their link to set a password."""
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    email = normal_email(email)
    if "@" not in email or len(email) > 254:
        raise UserError(f"{email!r} is not an e-mail address")
    if find_user(session, email) is not None:
        raise UserError(f"user {email!r} exists already")
    user = User(email=email, office=office, role=role, session_generation=0)
    session.add(user)
    return new_password_token(user)


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normal_email(email)))


def new_password_token(user: User) -> str:
    """A new one-time link for `user` (the previous one stops working); returns its token."""
    token = secrets.token_urlsafe(32)
    user.password_token_hash = _token_hash(token)
    user.password_token_expires_at = utcnow() + PASSWORD_LINK_LIFETIME
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The user a set-password link is for, while it is unused and unexpired."""
    user = session.scalar(select(User).where(User.password_token_hash == _token_hash(token)))
    if user is None or user.password_token_expires_at is None:
        return None
    return user if user.password_token_expires_at > utcnow() else None


def set_password(user: User, password: str) -> None:
    """Set the password, spend the link, and end every session the user had."""
    user.password_hash = hasher.hash(password)
    user.password_token_hash = None
    user.password_token_expires_at = None
    user.session_generation += 1


def password_matches(user: User | None, password: str) -> bool:
    """Whether `password` is `user`'s; as slow for no user, or no password set, as for one."""
    stored = user.password_hash if user is not None else None
    try:
        hasher.verify(stored or _DECOY_HASH, password[:MAX_PASSWORD_LENGTH])
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def password_link(desk_url: str, token: str) -> str:
    return f"{desk_url}/kata-sandi/{token}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
