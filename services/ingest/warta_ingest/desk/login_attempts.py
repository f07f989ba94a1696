"""Failed sign-ins on the desk, counted in Redis (like the API's rate limits): past
`ACCOUNT_FAILURES` for one address, or `CLIENT_FAILURES` from one client, sign-in is locked
for `LOCKOUT_SECONDS` from the last failure, whatever password comes next. Counters are keyed
by SHA-256, so Redis holds no e-mail address.

When Redis cannot be read, nobody is let in: a password guesser must not gain from a Redis
outage (the API still takes submissions; only the desk's sign-in waits)."""

from __future__ import annotations

import hashlib
from typing import cast

import redis

ACCOUNT_FAILURES = 5
# One office's people share an address behind its router: a looser limit per client.
CLIENT_FAILURES = 20
LOCKOUT_SECONDS = 15 * 60
PREFIX = "warta:desk:failed-logins:"


class LoginAttemptsUnavailable(Exception):
    """Redis could not be asked: no sign-in is judged."""


class LoginAttempts:
    def __init__(self, redis_url: str) -> None:
        # Short timeouts: a Redis that does not answer must not hold the page up.
        self.redis = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)

    def locked(self, email: str, client: str) -> bool:
        """Whether sign-in is locked for this account or this client."""
        try:
            counts = cast(list[bytes | None], self.redis.mget(_account(email), _client(client)))
        except redis.RedisError as error:
            raise LoginAttemptsUnavailable(str(error)) from None
        account, address = (int(count or 0) for count in counts)
        return account >= ACCOUNT_FAILURES or address >= CLIENT_FAILURES

    def failed(self, email: str, client: str) -> None:
        try:
            with self.redis.pipeline() as pipe:
                for key in (_account(email), _client(client)):
                    pipe.incr(key)
                    pipe.expire(key, LOCKOUT_SECONDS)
                pipe.execute()
        except redis.RedisError as error:
            raise LoginAttemptsUnavailable(str(error)) from None

    def succeeded(self, email: str) -> None:
        # The client's count stays: a guesser who knows one password gains no more tries.
        try:
            self.redis.delete(_account(email))
        except redis.RedisError as error:
            raise LoginAttemptsUnavailable(str(error)) from None


def _account(email: str) -> str:
    return PREFIX + "account:" + hashlib.sha256(email.encode()).hexdigest()


def _client(address: str) -> str:
    return PREFIX + "client:" + hashlib.sha256(address.encode()).hexdigest()
