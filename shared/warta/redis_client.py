"""One Redis client per process (debounce state, counters, caches)."""

from __future__ import annotations

import functools

import redis


@functools.cache
def get_redis(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
