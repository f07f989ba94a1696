"""Photo uploads: `POST /v1/media` and `GET /v1/media/<id>`, routes of the office API.

An upload is read within its limit (at most 20 MiB and one byte, whatever the transfer
encoding), judged (warta.photos: header first, then one decode), and only then kept: its
bytes in the media store, its record and the message that asks for its renditions in one
transaction. A refused upload leaves nothing behind."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from warta.db import session_scope
from warta.media_store import media_store, original_key
from warta.messages import MAKE_RENDITIONS
from warta.models import MAX_ID, Media
from warta.outbox import add_message
from warta.photos import MAX_BYTES, UNSPECIFIC_TYPES, Inspected, Refused, inspect
from warta.settings import Settings
from warta_ingest.api import api, settings
from warta_ingest.idempotency import Answer, request_fingerprint, requested_key
from warta_ingest.problems import Problem, invalid
from warta_ingest.resources import media_resource
from warta_ingest.schemas import ImageTextsSchema
from warta_ingest.submissions import commit, field_errors, replayed_answer

texts_schema = ImageTextsSchema()

# Room in a multipart body for its boundaries, part headers and text fields.
MULTIPART_OVERHEAD = 64 * 1024
READ_CHUNK = 64 * 1024
# Why warta.photos refused an upload, as an HTTP status.
REFUSAL_STATUS = {
    "not-an-image": 415,
    "not-accepted": 415,
    "animated": 415,
    "type-mismatch": 415,
    "too-many-pixels": 413,
    "undecodable": 422,
}
TITLES = {413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content"}


@api.post("/media")
def upload_media() -> ResponseReturnValue:
    """One photo: the raw body (its Content-Type), or the multipart field `file`; `caption`,
    `credit` and `alt` as form fields or in the query."""
    data, declared_type, texts = _read_upload()
    # The upload as understood, not the bytes on the wire: a retried multipart request has a
    # new boundary but is the same upload.
    fingerprint = request_fingerprint(
        "POST", "/v1/media", json.dumps(texts, sort_keys=True).encode() + b"\n" + data
    )
    key = requested_key(request.headers)
    # A retry is answered before its photo is judged and stored again.
    if key is not None and (
        replay := replayed_answer(settings().database_url, g.office_id, key, fingerprint)
    ):
        return replay.to_response(replayed=True)
    photo = keep_photo(settings(), data, declared_type)

    def write(session: Session) -> Answer:
        media = add_media(session, g.office_id, photo, texts)
        link = f"/v1/media/{media.id}"
        return Answer(201, media_resource(media, settings().public_base_url), {"Location": link})

    answer, replayed = commit(settings().database_url, g.office_id, write, key, fingerprint)
    return answer.to_response(replayed=replayed)


@dataclass(frozen=True)
class Photo:
    """An upload judged an acceptable photo, its bytes kept in the media store."""

    inspected: Inspected
    length: int
    stored_as: str


def keep_photo(settings: Settings, data: bytes, declared_type: str) -> Photo:
    """Judge an upload (415, 413 or 422 when it is no acceptable photo) and keep its bytes in
    the media store (by their SHA-256: a retry writes the same). The API and the desk both
    upload through here and `add_media`."""
    if len(data) > MAX_BYTES:
        raise _too_large()
    try:
        inspected = inspect(data, declared_type)
    except Refused as refusal:
        status = REFUSAL_STATUS[refusal.reason]
        raise Problem(status, TITLES[status], str(refusal), kind=refusal.reason) from None
    stored_as = original_key(hashlib.sha256(data).hexdigest())
    media_store(settings).put(stored_as, data)
    return Photo(inspected, len(data), stored_as)


def add_media(session: Session, office_id: int, photo: Photo, texts: dict[str, str]) -> Media:
    """The photo's record, and the message that asks for its renditions, in `session`."""
    media = Media(
        office_id=office_id,
        media_type=photo.inspected.media_type,
        width=photo.inspected.width,
        height=photo.inspected.height,
        length=photo.length,
        original_key=photo.stored_as,
        caption=texts.get("caption"),
        credit=texts.get("credit"),
        alt=texts.get("alt"),
    )
    session.add(media)
    session.flush()
    add_message(session, MAKE_RENDITIONS, {"media_id": media.id})
    return media


@api.get("/media/<int:media_id>")
def get_media(media_id: int) -> ResponseReturnValue:
    with session_scope(settings().database_url, writer=False) as session:
        media = session.get(Media, media_id) if media_id <= MAX_ID else None
        if media is None or media.office_id != g.office_id:
            # Another office's photo is as unknown as a missing one.
            raise Problem(
                404, "Not Found", f"No media {media_id} for this office.", kind="not-found"
            )
        body = media_resource(media, settings().public_base_url)
    return jsonify(body)


def _read_upload() -> tuple[bytes, str, dict[str, str]]:
    """The image's bytes, its declared type and the texts sent with it."""
    try:
        if request.mimetype == "multipart/form-data":
            data, declared_type, fields = _read_multipart()
        else:
            data, declared_type, fields = _read_raw(), request.mimetype, request.args
    except RequestEntityTooLarge:
        raise _too_large() from None
    if len(data) > MAX_BYTES:
        raise _too_large()
    if not data:
        raise Problem(
            400,
            "Bad Request",
            "Send the image as the body, or as the multipart field `file`.",
            kind="missing-image",
        )
    try:
        texts: dict[str, str] = texts_schema.load(fields.to_dict())
    except ValidationError as error:
        raise invalid(field_errors(error)) from None
    return data, declared_type, texts


def _read_raw() -> bytes:
    declared = request.mimetype
    if declared not in UNSPECIFIC_TYPES and not declared.startswith("image/"):
        raise Problem(
            415,
            "Unsupported Media Type",
            "Send the photo as image/jpeg, image/png or image/webp (or as the field `file` "
            "of multipart/form-data).",
            kind="unsupported-media-type",
        )
    # One byte past the limit tells a body that is too large; a chunked body (no length)
    # is cut there too, never read to its end.
    request.max_content_length = MAX_BYTES + 1
    stream, chunks, read = request.stream, [], 0
    while read <= MAX_BYTES:
        chunk = stream.read(min(READ_CHUNK, MAX_BYTES + 1 - read))
        if not chunk:
            break
        chunks.append(chunk)
        read += len(chunk)
    return b"".join(chunks)


def _read_multipart() -> tuple[bytes, str, MultiDict[str, Any]]:
    request.max_content_length = MAX_BYTES + MULTIPART_OVERHEAD
    upload = request.files.get("file")
    unknown = sorted(set(request.files) - {"file"})
    if unknown:
        raise invalid({name: ["Unknown field."] for name in unknown})
    if upload is None:
        return b"", "", request.form
    fields: MultiDict[str, Any] = MultiDict(request.args)
    fields.update(request.form)
    return upload.stream.read(MAX_BYTES + 1), upload.mimetype, fields


def _too_large() -> Problem:
    return Problem(
        413,
        "Content Too Large",
        f"A photo may be at most {MAX_BYTES // (1024 * 1024)} MiB.",
        kind="too-large",
    )
