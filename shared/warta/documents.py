"""Precomputed public documents: written when content changes, served as stored bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from warta.db import in_batches
from warta.models import DOCUMENTS, Document, utcnow

UPDATED = ("content_type", "body", "etag", "updated_at")
INSERTED = ("path", *UPDATED)


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def store_documents(
    session: Session,
    documents: Mapping[str, tuple[str, bytes]],
    stored: Mapping[str, str] | None = None,
    etags: Mapping[str, str] | None = None,
) -> list[str]:
    """Store each `path: (content_type, body)`; returns the paths whose bytes changed. Unchanged
    bytes keep their ETag and Last-Modified, so an aggregator's conditional GET still gets its
    304. `stored` gives the stored ETags when the caller has read them already, and `etags` the
    documents' own when it has computed them.

    The stored ETags are read in one query and only changed documents are written, with plain
    statements: loading each document (its bytes and an ORM object) only to compare its ETag
    cost more than building it."""
    given = etags or {}
    etags = {path: given.get(path) or strong_etag(body) for path, (_, body) in documents.items()}
    if stored is None:
        stored = stored_etags(session, list(documents))
    changed = [path for path, etag in etags.items() if stored.get(path) != etag]
    now = utcnow()
    rows = [
        {
            "target": path,
            "path": path,
            "content_type": documents[path][0],
            "body": documents[path][1],
            "etag": etags[path],
            "updated_at": now,
        }
        for path in changed
    ]
    # Each as one executemany: a new article shifts every listing page, hundreds at a time.
    if updates := [row for row in rows if row["path"] in stored]:
        statement = update(DOCUMENTS).where(DOCUMENTS.c.path == bindparam("target"))
        session.execute(statement.values(**{k: bindparam(k) for k in UPDATED}), updates)
    if inserts := [row for row in rows if row["path"] not in stored]:
        session.execute(insert(DOCUMENTS), [{k: row[k] for k in INSERTED} for row in inserts])
    return changed


def stored_etags(session: Session, paths: list[str]) -> dict[str, str]:
    """The ETag of each of `paths` that is stored."""
    etags: dict[str, str] = {}
    for chunk in in_batches(paths):
        rows = session.execute(
            select(DOCUMENTS.c.path, DOCUMENTS.c.etag).where(DOCUMENTS.c.path.in_(chunk))
        )
        etags.update({path: etag for path, etag in rows})
    return etags


def prune_documents(session: Session, prefix: str, keep: set[str]) -> None:
    """Remove documents under `prefix` that a rebuild no longer produces (e.g. a last page)."""
    paths = session.scalars(select(Document.path).where(Document.path.startswith(prefix)))
    stale = set(paths) - keep
    if stale:
        session.execute(delete(Document).where(Document.path.in_(stale)))


def find_document(session: Session, path: str) -> Document | None:
    return session.get(Document, path)
