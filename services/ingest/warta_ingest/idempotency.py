"""Safe retries: the first answer to a write with an `Idempotency-Key` is kept, in the same
transaction as the write, and replayed to every retry of the same request.

A key is scoped to the office and kept for `IDEMPOTENCY_WINDOW` (then the relay purges it).
The same key with another method, path or body is refused (422): it is a client bug, not a
retry. Only writes that succeeded are kept; a refused request changed nothing, so its retry is
simply judged again."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Response, jsonify
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import Headers

from warta.models import IDEMPOTENCY_WINDOW, IdempotencyRecord, utcnow
from warta_ingest.problems import Problem

REPLAYED_HEADER = "Idempotent-Replayed"
MAX_IDEMPOTENCY_KEY = 255


@dataclass
class Answer:
    """A successful write's answer: kept as JSON so it can be replayed byte for byte."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    def to_response(self, replayed: bool = False) -> Response:
        response = jsonify(self.body)
        response.status_code = self.status
        response.headers.update(self.headers)
        if replayed:
            response.headers[REPLAYED_HEADER] = "true"
        return response


def requested_key(headers: Headers) -> str | None:
    """The request's `Idempotency-Key`, if it sent one (400 if it is empty or too long)."""
    key = headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise Problem(
            400,
            "Bad Request",
            f"`Idempotency-Key` must be 1 to {MAX_IDEMPOTENCY_KEY} characters.",
            kind="invalid-idempotency-key",
        )
    return key


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def kept_answer(session: Session, office_id: int, key: str) -> IdempotencyRecord | None:
    """The record of an earlier request with this key, unless it has expired."""
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.office_id == office_id, IdempotencyRecord.key == key
        )
    )
    if record is None or record.created_at < _cutoff():
        return None
    return record


def _cutoff() -> datetime:
    return utcnow() - IDEMPOTENCY_WINDOW


def keep_answer(
    session: Session, office_id: int, key: str, fingerprint: str, answer: Answer
) -> None:
    # An expired record of the same key makes way for the new one; a live one (a concurrent
    # request that committed first) stays, and the unique constraint refuses this one.
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.office_id == office_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at < _cutoff(),
        )
    )
    session.add(
        IdempotencyRecord(
            office_id=office_id,
            key=key,
            fingerprint=fingerprint,
            status_code=answer.status,
            response={"body": answer.body, "headers": answer.headers},
        )
    )


def recorded_answer(record: IdempotencyRecord) -> Answer:
    return Answer(record.status_code, record.response["body"], record.response["headers"])
