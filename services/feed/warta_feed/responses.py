"""Stored bytes as HTTP responses: strong ETag, Last-Modified, Cache-Control and 304s."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, current_app, request

from warta.db import session_scope
from warta.documents import find_document
from warta.settings import Settings


def settings() -> Settings:
    settings: Settings = current_app.config["WARTA_SETTINGS"]
    return settings


def stored(body: bytes, content_type: str, etag: str, last_modified: datetime) -> Response:
    response = Response(body, content_type=content_type)
    response.set_etag(etag.strip('"'))
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response.make_conditional(request)


def serve_document(path: str) -> Response:
    """A precomputed document by its path, or 404 if no rebuild has written it."""
    with session_scope(settings().database_url, writer=False) as session:
        document = find_document(session, path)
        if document is None:
            abort(404)
        return stored(document.body, document.content_type, document.etag, document.updated_at)
