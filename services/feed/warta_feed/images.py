"""Lead images: how long and of what type, asked of the image's own server.

An RSS enclosure must state its length in bytes and its type; we ask the image's server with a
HEAD request (never downloading the image) through the guarded fetcher (warta.remote_fetch:
https only, public addresses only, on every redirect too) and remember the answer in Redis, so
a rebuild asks about each image once, not every second. Where the server does not answer, or
the URL is not one the fetcher goes to, the type is guessed from the URL and the length is
left unknown (RSS then says 0, Atom and JSON Feed omit it)."""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
from dataclasses import dataclass
from typing import Any, Protocol

from redis import Redis

from warta.remote_fetch import Failed, Refused, RemoteFetcher

log = logging.getLogger(__name__)

CACHE_PREFIX = "warta:images:"
KNOWN_TTL = 30 * 24 * 3600
UNKNOWN_TTL = 3600  # a server that did not answer is asked again, but not on every rebuild


@dataclass(frozen=True)
class ImageFacts:
    length: int | None
    media_type: str | None


class ImageProbe(Protocol):
    def facts(self, url: str) -> ImageFacts:
        """What is known about the image at `url`; never raises."""


def guessed_facts(url: str) -> ImageFacts:
    media_type, _ = mimetypes.guess_type(url.split("?", 1)[0])
    return ImageFacts(None, media_type if media_type and media_type.startswith("image/") else None)


class HeadProbe:
    """The real one: a HEAD request to the image's server, within 3 s, redirects included."""

    def __init__(self, fetcher: RemoteFetcher | None = None) -> None:
        self.fetcher = fetcher or RemoteFetcher(timeout=3.0, max_bytes=0)

    def facts(self, url: str) -> ImageFacts:
        try:
            response = self.fetcher.head(url)
        except Refused as error:
            log.warning("lead image %s: not asked (%s)", url, error)
            return guessed_facts(url)
        except Failed as error:
            log.info("lead image %s: no answer (%s)", url, error)
            return guessed_facts(url)
        if response.status != 200:
            log.info("lead image %s: answered %s", url, response.status)
            return guessed_facts(url)
        length = response.headers.get("Content-Length")
        media_type = response.headers.get_content_type()
        guess = guessed_facts(url)
        return ImageFacts(
            int(length) if length and length.isdigit() else None,
            media_type if media_type.startswith("image/") else guess.media_type,
        )


class GuessingProbe:
    """Asks nobody: the type from the URL, the length unknown (for machines kept offline)."""

    def facts(self, url: str) -> ImageFacts:
        return guessed_facts(url)


class CachedProbe:
    """Remembers another probe's answers in Redis."""

    def __init__(self, probe: ImageProbe, redis: Redis) -> None:
        self.probe, self.redis = probe, redis

    def facts(self, url: str) -> ImageFacts:
        key = CACHE_PREFIX + hashlib.sha256(url.encode()).hexdigest()[:32]
        cached: Any = self.redis.get(key)
        if cached is not None:
            return ImageFacts(**json.loads(cached))
        facts = self.probe.facts(url)
        ttl = KNOWN_TTL if facts.length is not None else UNKNOWN_TTL
        self.redis.set(key, json.dumps(facts.__dict__), ex=ttl)
        return facts


PROBES: dict[str, type[HeadProbe] | type[GuessingProbe]] = {
    "head": HeadProbe,
    "guess": GuessingProbe,
}


def image_probe(kind: str, redis: Redis) -> ImageProbe:
    """The probe that configuration names (settings.image_probe), remembered in Redis."""
    try:
        probe = PROBES[kind]()
    except KeyError:
        raise ValueError(f"IMAGE_PROBE must be one of {', '.join(PROBES)}, not {kind!r}") from None
    return CachedProbe(probe, redis)
