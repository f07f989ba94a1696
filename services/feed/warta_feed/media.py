"""Photo renditions, public at `/media/<id>/<name>.<ext>` while a live article shows the photo
(warta.media.public_state): 404 before, 410 once none does.

A rendition's URL names fixed bytes (a new size is a new name), so it is served as immutable
for a year: a browser or cache asks for it once. What is no longer public answers with
`no-cache`, so a photo that goes live later is not hidden by a remembered 404."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from warta.db import session_scope
from warta.media import GONE, PUBLIC, public_state
from warta.media_store import media_store, rendition_key
from warta.models import MediaRendition
from warta.photos import ENCODING_BY_EXTENSION
from warta_feed.responses import settings

log = logging.getLogger(__name__)

media = Blueprint("media", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
MAX_MEDIA_ID = 2**31 - 1


@media.get("/media/<int:media_id>/<name>.<extension>")
def rendition(media_id: int, name: str, extension: str) -> ResponseReturnValue:
    if extension not in ENCODING_BY_EXTENSION or media_id > MAX_MEDIA_ID:
        return _unavailable(404)
    with session_scope(settings().database_url, writer=False) as session:
        made = session.execute(
            select(MediaRendition.media_type, MediaRendition.etag).where(
                MediaRendition.media_id == media_id,
                MediaRendition.name == name,
                MediaRendition.extension == extension,
            )
        ).one_or_none()
        state = public_state(session, media_id) if made is not None else None
    if made is None or state != PUBLIC:
        return _unavailable(410 if state == GONE else 404)
    media_type, etag = made
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
    if request.if_none_match.contains(etag.strip('"')):
        return Response(status=304, headers=headers)
    body = media_store(settings()).get(rendition_key(media_id, name, extension))
    if body is None:
        log.error(
            "photo %s: rendition %s.%s recorded but not in the store", media_id, name, extension
        )
        return _unavailable(404)
    return Response(body, content_type=media_type, headers=headers)


def _unavailable(status: int) -> Response:
    text = "Gone" if status == 410 else "Not Found"
    return Response(
        text + "\n",
        status=status,
        content_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )
