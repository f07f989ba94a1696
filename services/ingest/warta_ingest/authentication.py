"""Who is calling: the office behind a bearer key, with a short in-process cache.

Looking the key up costs a database query per request (1.2 ms on PostgreSQL, measured); the
cache keeps the answer, keyed by the key's SHA-256 (never the key itself), for as long as the
keys' generation in Redis stays the same (one GET, 0.1 ms) and at most `KEY_CACHE_SECONDS`.
`warta keys revoke` and `rotate` bump the generation once they commit, so a revoked key stops
working at once in every ingest process; when Redis cannot be read, nothing is cached and
every request looks its key up. A rotated key's expiry is cached with it and checked on every
request. Unknown keys are not cached, so a new key works at once and random keys cannot fill
the memory (they are rate-limited per client address instead: see ratelimits.py)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

import redis

from warta.db import session_scope
from warta.models import utcnow
from warta.offices import KEYS_GENERATION, active_key, hash_key

# A backstop for changes made without bumping the generation (by hand in the database, or
# while Redis was away from the command).
KEY_CACHE_SECONDS = 5.0
KEY_CACHE_SIZE = 10_000
# A key that worked within this time is not counted with the refused keys of its address: an
# office behind the same address (a shared network) as someone sending random keys keeps
# working. It only spares the key that limit; the key is checked as always.
VOUCHED_SECONDS = 3600.0


@dataclass(frozen=True)
class Caller:
    office_id: int
    office_slug: str
    key_expires_at: datetime | None

    def is_active(self, now: datetime) -> bool:
        return self.key_expires_at is None or self.key_expires_at > now


@dataclass(frozen=True)
class _Entry:
    caller: Caller
    generation: bytes
    expires: float  # time.monotonic()


class KeyCache:
    def __init__(
        self, database_url: str, redis_url: str, seconds: float = KEY_CACHE_SECONDS
    ) -> None:
        self.database_url, self.seconds = database_url, seconds
        # Short timeouts: a Redis that does not answer must not hold up a submission.
        self.redis = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._entries: dict[str, _Entry] = {}
        self._vouched: dict[str, float] = {}  # digest -> until (time.monotonic())
        self._lock = threading.Lock()

    def vouched(self, key: str) -> bool:
        """Whether the key worked here within the last VOUCHED_SECONDS."""
        with self._lock:
            until = self._vouched.get(hash_key(key))
        return until is not None and until > time.monotonic()

    def caller(self, key: str) -> Caller | None:
        """The office a key belongs to, if the key is known and active."""
        # Read before any lookup: a change committed after this read bumps it past this value.
        generation = self._generation()
        digest = hash_key(key)
        with self._lock:
            entry = self._entries.get(digest)
        if entry is None or entry.generation != generation or entry.expires <= time.monotonic():
            entry = self._load(key, digest, generation)
            if entry is None:
                return None
        caller = entry.caller
        if not caller.is_active(utcnow()):
            return None
        with self._lock:
            if len(self._vouched) >= KEY_CACHE_SIZE and digest not in self._vouched:
                self._vouched.pop(next(iter(self._vouched)))  # the oldest
            self._vouched[digest] = time.monotonic() + VOUCHED_SECONDS
        return caller

    def _generation(self) -> bytes | None:
        try:
            value = self.redis.get(KEYS_GENERATION)
        except redis.RedisError:
            return None  # unknown: nothing cached is trusted, and nothing new is cached
        return value if isinstance(value, bytes) else b"0"

    def _load(self, key: str, digest: str, generation: bytes | None) -> _Entry | None:
        with session_scope(self.database_url, writer=False) as session:
            record = active_key(session, key)
            if record is None:
                with self._lock:
                    self._entries.pop(digest, None)
                return None
            caller = Caller(record.office_id, record.office.slug, record.expires_at)
        entry = _Entry(caller, generation or b"", time.monotonic() + self.seconds)
        if generation is None:
            return entry  # used for this request only
        with self._lock:
            if len(self._entries) >= KEY_CACHE_SIZE:
                self._entries.pop(next(iter(self._entries)))  # the oldest entry
            self._entries[digest] = entry
        return entry
