"""Photo renditions, public at `/media/<id>/<name>.<ext>` while a live article shows the photo
(warta.media.public_state): 404 before, 410 once none does.

A rendition's URL names fixed bytes (a new size is a new name), so it is served as immutable
for a year and each process keeps the bytes it served in memory; whether the photo is still
public is asked again at most every VISIBILITY_SECONDS. What is not public answers with
`no-cache`, so a photo that goes live later is not hidden by a remembered 404."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from warta.db import session_scope
from warta.media import GONE, NOT_FOUND, PUBLIC, public_state
from warta.media_store import media_store, rendition_key
from warta.models import MAX_ID, MediaRendition
from warta.photos import ENCODING_BY_EXTENSION
from warta_feed.responses import settings

log = logging.getLogger(__name__)

media = Blueprint("media", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
VISIBILITY_SECONDS = 1.0  # how late a retraction may reach a process's answers
CACHE_BYTES = 64 * 1024 * 1024  # renditions kept per process (a card is ~25 KB)


@dataclass(frozen=True)
class Served:
    media_type: str
    etag: str
    body: bytes


class Renditions:
    """The renditions a process served (least recently served out first), and when it last
    asked whether each photo is public."""

    def __init__(self, budget: int = CACHE_BYTES) -> None:
        self.budget, self.size = budget, 0
        self.served: OrderedDict[tuple[int, str, str], Served] = OrderedDict()
        self.states: dict[int, tuple[float, str]] = {}
        self.lock = threading.Lock()

    def state(self, media_id: int) -> str:
        now = time.monotonic()
        known = self.states.get(media_id)
        if known is not None and now - known[0] < VISIBILITY_SECONDS:
            return known[1]
        with session_scope(settings().database_url, writer=False) as session:
            state = public_state(session, media_id)
        with self.lock:
            if len(self.states) > 100_000:
                self.states.clear()
            self.states[media_id] = (now, state)
        return state

    def get(self, key: tuple[int, str, str]) -> Served | None:
        with self.lock:
            served = self.served.get(key)
            if served is not None:
                self.served.move_to_end(key)
        return served or self._load(key)

    def _load(self, key: tuple[int, str, str]) -> Served | None:
        media_id, name, extension = key
        with session_scope(settings().database_url, writer=False) as session:
            made = session.execute(
                select(MediaRendition.media_type, MediaRendition.etag).where(
                    MediaRendition.media_id == media_id,
                    MediaRendition.name == name,
                    MediaRendition.extension == extension,
                )
            ).one_or_none()
        if made is None:
            return None
        body = media_store(settings()).get(rendition_key(*key))
        if body is None:
            log.error("photo %s: rendition %s.%s recorded but not stored", *key)
            return None
        served = Served(made.media_type, made.etag, body)
        with self.lock:
            if key not in self.served:
                self.served[key] = served
                self.size += len(body)
            while self.size > self.budget and self.served:
                self.size -= len(self.served.popitem(last=False)[1].body)
        return served


RENDITIONS = Renditions()


@media.get("/media/<int:media_id>/<name>.<extension>")
def rendition(media_id: int, name: str, extension: str) -> ResponseReturnValue:
    if extension not in ENCODING_BY_EXTENSION or media_id > MAX_ID:
        return _unavailable(NOT_FOUND)
    state = RENDITIONS.state(media_id)
    if state != PUBLIC:
        return _unavailable(state)
    served = RENDITIONS.get((media_id, name, extension))
    if served is None:
        return _unavailable(NOT_FOUND)
    headers = {"ETag": served.etag, "Cache-Control": IMMUTABLE}
    if request.if_none_match.contains(served.etag.strip('"')):
        return Response(status=304, headers=headers)
    return Response(served.body, content_type=served.media_type, headers=headers)


def _unavailable(state: str) -> Response:
    status, text = (410, "Gone") if state == GONE else (404, "Not Found")
    return Response(
        text + "\n",
        status=status,
        content_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )
