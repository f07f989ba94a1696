"""Stored bytes as HTTP responses: strong ETag, Last-Modified, Cache-Control, 304s and gzip.

Each process keeps the documents it served in memory, keyed by path and checked against the
database at most every REVALIDATE_SECONDS (by their ETags alone, never their bodies): a feed
polled by thousands of aggregators costs four small queries a second, not one per request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING

from flask import Response, abort, current_app, request
from sqlalchemy import select

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from warta.db import session_scope
from warta.document_paths import GZIP_SUFFIX
from warta.metrics import HTTP_DURATION, HTTP_REQUESTS
from warta.models import Document
from warta.settings import Settings

REVALIDATE_SECONDS = 0.25
MAX_CACHED = 2_000  # documents per process; the oldest cached goes first
# Sent with every response of the feed service, the fast path's included.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def settings() -> Settings:
    settings: Settings = current_app.config["WARTA_SETTINGS"]
    return settings


def shared(settings: Settings) -> str:
    """Any cache, the edge's included, may keep a document for PUBLIC_MAX_AGE seconds (a
    minute): a new article reaches the feeds and pages that list it within that (plus the
    rebuild)."""
    return f"public, max-age={settings.public_max_age}"


@dataclass(frozen=True)
class Variant:
    body: bytes
    etag: str  # quoted
    last_modified: str  # an HTTP date
    modified_at: datetime


@dataclass
class CachedDocument:
    content_type: str
    plain: Variant
    packed: Variant | None  # gzip
    checked_at: float


_cache: dict[str, CachedDocument] = {}
_lock = threading.Lock()


def stored(
    body: bytes,
    content_type: str,
    etag: str,
    last_modified: datetime,
    cache_control: str | None = None,
) -> Response:
    """Bytes with their validators, answered 304 when the client's copy is current."""
    variant = _variant(body, etag, last_modified)
    return _respond(content_type, variant, vary=False, cache_control=cache_control)


def serve_document(path: str) -> Response:
    """A precomputed document by its path (gzip-encoded when the client accepts it and a
    rebuild stored the variant), or 404 if no rebuild has written it."""
    document = cached_document(path, settings().database_url)
    if document is None:
        abort(404)
    variant = document.plain
    if document.packed is not None and _accepts_gzip():
        variant = document.packed
    response = _respond(document.content_type, variant, vary=document.packed is not None)
    if variant is document.packed:
        response.headers["Content-Encoding"] = "gzip"
    return response


def _variant(body: bytes, etag: str, modified_at: datetime) -> Variant:
    etag = etag if etag.startswith('"') else f'"{etag}"'
    return Variant(body, etag, format_datetime(modified_at, usegmt=True), modified_at)


def _respond(
    content_type: str, variant: Variant, *, vary: bool, cache_control: str | None = None
) -> Response:
    headers = {
        "ETag": variant.etag,
        "Last-Modified": variant.last_modified,
        "Cache-Control": cache_control or shared(settings()),
    }
    if vary:
        headers["Vary"] = "Accept-Encoding"
    if not_modified(
        variant, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")
    ):
        return Response(status=304, headers=headers)
    return Response(variant.body, content_type=content_type, headers=headers)


def not_modified(
    variant: Variant, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """Whether the client's copy is this variant (GET and HEAD only reach here)."""
    # RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since only without it.
    if if_none_match is not None:
        if if_none_match == variant.etag:  # the usual case, without parsing
            return True
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or variant.etag in tags
    if if_modified_since is None:
        return False
    if if_modified_since == variant.last_modified:
        return True
    try:
        client_date = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if client_date.tzinfo is None:
        return False
    return variant.modified_at.replace(microsecond=0) <= client_date


def _accepts_gzip() -> bool:
    return accepts_gzip(request.headers.get("Accept-Encoding", ""))


def accepts_gzip(accept_encoding: str) -> bool:
    if "gzip" not in accept_encoding:
        return False
    for coding in accept_encoding.split(","):
        name, _, parameters = coding.partition(";")
        if name.strip() in ("gzip", "x-gzip"):
            quality = parameters.strip().removeprefix("q=").strip()
            return not quality or _positive(quality)
    return False


def _positive(quality: str) -> bool:
    try:
        return float(quality) > 0
    except ValueError:
        return False


def cached_document(path: str, database_url: str) -> CachedDocument | None:
    now = time.monotonic()
    document = _cache.get(path)
    if document is not None and now - document.checked_at < REVALIDATE_SECONDS:
        return document
    paths = (path, path + GZIP_SUFFIX)
    with session_scope(database_url, writer=False) as session:
        etags: dict[str, str] = {
            row.path: row.etag
            for row in session.execute(
                select(Document.path, Document.etag).where(Document.path.in_(paths))
            )
        }
        if path not in etags:
            _cache.pop(path, None)
            return None
        packed_etag = etags.get(path + GZIP_SUFFIX)
        current = (
            document is not None
            and document.plain.etag == etags[path]
            and (document.packed.etag if document.packed else None) == packed_etag
        )
        if not current:
            rows = {
                row.path: row
                for row in session.scalars(select(Document).where(Document.path.in_(paths)))
            }
            plain = rows[path]
            packed = rows.get(path + GZIP_SUFFIX)
            document = CachedDocument(
                plain.content_type,
                _variant(plain.body, plain.etag, plain.updated_at),
                _variant(packed.body, packed.etag, packed.updated_at) if packed else None,
                now,
            )
    assert document is not None
    document.checked_at = now
    with _lock:
        _cache[path] = document
        if len(_cache) > MAX_CACHED:
            _cache.pop(next(iter(_cache)), None)
    return document


class DocumentServer:
    """WSGI middleware: GETs of precomputed documents are answered from the in-process cache
    without Flask's routing and request objects (a feed poll is the hottest request there is).
    Anything else, or a document not yet built, goes on to the Flask app."""

    def __init__(
        self, app: WSGIApplication, settings: Settings, document_path: Callable[[str], str | None]
    ) -> None:
        self.app, self.database_url, self.document_path = app, settings.database_url, document_path
        self.cache_control = shared(settings)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = (
            self.document_path(environ.get("PATH_INFO", "")) if method in ("GET", "HEAD") else None
        )
        document = cached_document(path, self.database_url) if path else None
        if document is None:
            return self.app(environ, start_response)
        started = time.perf_counter()
        status, headers, body = self._answer(environ, document)
        start_response(status, headers)
        HTTP_REQUESTS.labels("feed", method, "documents", status[:3]).inc()
        HTTP_DURATION.labels("feed", "documents").observe(time.perf_counter() - started)
        return [] if method == "HEAD" else body

    def _answer(
        self, environ: WSGIEnvironment, document: CachedDocument
    ) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        variant, encoded = document.plain, False
        if document.packed is not None and accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")):
            variant, encoded = document.packed, True
        headers = [
            ("ETag", variant.etag),
            ("Last-Modified", variant.last_modified),
            ("Cache-Control", self.cache_control),
            *SECURITY_HEADERS.items(),
        ]
        if document.packed is not None:
            headers.append(("Vary", "Accept-Encoding"))
        if not_modified(
            variant, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE")
        ):
            return "304 Not Modified", headers, []
        headers.append(("Content-Type", document.content_type))
        headers.append(("Content-Length", str(len(variant.body))))
        if encoded:
            headers.append(("Content-Encoding", "gzip"))
        return "200 OK", headers, [variant.body]
