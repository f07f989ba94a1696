"""Precomputed public documents: written when content changes, served as stored bytes."""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from warta.models import Document, utcnow


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def store_document(session: Session, path: str, content_type: str, body: bytes) -> bool:
    """Store `body` at `path`; returns whether it changed. Unchanged bytes keep their ETag and
    Last-Modified, so an aggregator's conditional GET still gets its 304."""
    etag = strong_etag(body)
    document = session.get(Document, path)
    if document is not None and document.etag == etag:
        return False
    if document is None:
        session.add(Document(path=path, content_type=content_type, body=body, etag=etag))
    else:
        document.content_type, document.body, document.etag = content_type, body, etag
        document.updated_at = utcnow()
    return True


def prune_documents(session: Session, prefix: str, keep: set[str]) -> None:
    """Remove documents under `prefix` that a rebuild no longer produces (e.g. a last page)."""
    paths = session.scalars(select(Document.path).where(Document.path.startswith(prefix)))
    stale = set(paths) - keep
    if stale:
        session.execute(delete(Document).where(Document.path.in_(stale)))


def find_document(session: Session, path: str) -> Document | None:
    return session.get(Document, path)
