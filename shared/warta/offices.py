"""Offices and their API keys. A key is shown once; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from warta.models import Office, OfficeKey, utcnow

KEY_PREFIX = "wk_"
# Bumped in Redis once a change to keys is committed: every ingest process then forgets the
# keys it remembers (warta_ingest.authentication).
KEYS_GENERATION = "warta:keys:generation"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    # 32 random bytes: a hash lookup is then as good as a password check, and needs no salt.
    return KEY_PREFIX + secrets.token_urlsafe(32)


def add_office(
    session: Session,
    slug: str,
    name: str,
    timezone: str | None = None,
    region: str | None = None,
) -> str:
    """Create an office with a first key; returns that key (the only time it is seen).

    ``region`` is a Kemendagri code (see warta.regions.find_region for a name).
    """
    office = Office(slug=slug, name=name, timezone=timezone, region=region)
    session.add(office)
    return add_key(session, office)


def add_key(session: Session, office: Office) -> str:
    key = new_key()
    session.add(OfficeKey(office=office, key_hash=hash_key(key)))
    return key


def office_for_key(session: Session, key: str, now: datetime | None = None) -> Office | None:
    """The office a presented key belongs to, if the key exists and is active."""
    digest = hash_key(key)
    record = session.scalar(select(OfficeKey).where(OfficeKey.key_hash == digest))
    if record is None or not hmac.compare_digest(record.key_hash, digest):
        return None
    if not record.is_active(now or utcnow()):
        return None
    return record.office


def find_office(session: Session, slug: str) -> Office | None:
    return session.scalar(select(Office).where(Office.slug == slug))


def rotate_keys(session: Session, office: Office, grace: timedelta) -> str:
    """A new key; the office's other keys keep working for `grace`, then expire."""
    expires = utcnow() + grace
    for key in office.keys:
        if key.revoked_at is None and (key.expires_at is None or key.expires_at > expires):
            key.expires_at = expires
    return add_key(session, office)


def revoke_keys(session: Session, office: Office) -> int:
    now = utcnow()
    revoked = 0
    for key in office.keys:
        if key.is_active(now):
            key.revoked_at = now
            revoked += 1
    return revoked


def active_key(session: Session, key: str, now: datetime | None = None) -> OfficeKey | None:
    """The stored key (with its office) that a presented key matches, if it is active."""
    digest = hash_key(key)
    record = session.scalar(
        select(OfficeKey).where(OfficeKey.key_hash == digest).options(joinedload(OfficeKey.office))
    )
    if record is None or not hmac.compare_digest(record.key_hash, digest):
        return None
    return record if record.is_active(now or utcnow()) else None


def announce_key_change(redis: Redis) -> None:
    """Tell every ingest process that keys changed; call it once the change is committed."""
    redis.incr(KEYS_GENERATION)
