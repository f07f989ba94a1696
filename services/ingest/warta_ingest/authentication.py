"""Who is calling: the office behind a bearer key, with a short in-process cache.

Looking the key up costs a database query per request; the cache keeps the answer for a few
seconds, keyed by the key's SHA-256 (never the key itself). A revoked key therefore stops
working within `KEY_CACHE_SECONDS` in every ingest process, and a rotated key at the exact end
of its grace period (its expiry is cached with it and checked on every request). Unknown keys
are not cached, so a new key works at once and random keys cannot fill the memory."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from warta.db import session_scope
from warta.models import utcnow
from warta.offices import active_key, hash_key

KEY_CACHE_SECONDS = 5.0
KEY_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Caller:
    office_id: int
    office_slug: str
    key_expires_at: datetime | None

    def is_active(self, now: datetime) -> bool:
        return self.key_expires_at is None or self.key_expires_at > now


class KeyCache:
    def __init__(self, database_url: str, seconds: float = KEY_CACHE_SECONDS) -> None:
        self.database_url, self.seconds = database_url, seconds
        self._entries: dict[str, tuple[float, Caller]] = {}
        self._lock = threading.Lock()

    def caller(self, key: str) -> Caller | None:
        """The office a key belongs to, if the key is known and active."""
        digest = hash_key(key)
        with self._lock:
            entry = self._entries.get(digest)
        if entry is None or entry[0] <= time.monotonic():
            entry = self._load(key, digest)
            if entry is None:
                return None
        caller = entry[1]
        return caller if caller.is_active(utcnow()) else None

    def _load(self, key: str, digest: str) -> tuple[float, Caller] | None:
        with session_scope(self.database_url, writer=False) as session:
            record = active_key(session, key)
            if record is None:
                with self._lock:
                    self._entries.pop(digest, None)
                return None
            caller = Caller(record.office_id, record.office.slug, record.expires_at)
        entry = (time.monotonic() + self.seconds, caller)
        with self._lock:
            if len(self._entries) >= KEY_CACHE_SIZE:
                self._entries.pop(next(iter(self._entries)))  # the oldest entry
            self._entries[digest] = entry
        return entry
