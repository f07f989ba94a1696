"""WebSub (W3C): telling the hub that feeds changed, so subscribers need not poll."""

from __future__ import annotations

import logging
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Protocol

log = logging.getLogger(__name__)


class Hub(Protocol):
    def publish(self, topic_urls: Iterable[str]) -> None:
        """Announce that the documents at `topic_urls` changed; never raises."""


class HttpHub:
    """A hub at a URL, pinged with the de-facto publish request (`hub.mode=publish`)."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url, self.timeout = url, timeout

    def publish(self, topic_urls: Iterable[str]) -> None:
        topics = list(topic_urls)
        if not topics:
            return
        form = [("hub.mode", "publish")] + [("hub.url", topic) for topic in topics]
        request = urllib.request.Request(  # noqa: S310 (the hub URL is configuration)
            self.url,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout):  # noqa: S310
                pass
        except OSError as error:
            # The feeds are already served; subscribers fall back to polling.
            log.warning("WebSub hub %s not told of %d feeds: %s", self.url, len(topics), error)


class NoHub:
    def publish(self, topic_urls: Iterable[str]) -> None:
        return None
