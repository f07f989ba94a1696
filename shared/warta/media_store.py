"""Where the bytes of photos live: the uploads as sent (private) and their renditions (public
once a live article shows them). One small interface, one class per backend, chosen by
MEDIA_STORE:

- `filesystem`: files under MEDIA_DIR. The local run's default; on one host only (or on a
  folder every host mounts).
- `database`: a table in the DATABASE_URL's database, which every host reaches already: no
  other service to run, back up or secure, and its bytes commit like everything else. Docker
  compose uses it (docs/operations.md has the measurements behind the choice).

Keys are made by Warta, never by a client (`originals/<sha256>`, `renditions/<id>/<file>`).
A write of a key that exists replaces it with the same bytes (every key names fixed bytes)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from warta.db import session_scope
from warta.models import MediaBlob
from warta.settings import Settings


class MediaStore(Protocol):
    def put(self, key: str, body: bytes) -> None:
        """Keep `body` under `key`, durably, before returning."""

    def get(self, key: str) -> bytes | None:
        """The bytes under `key`, or None."""


class FilesystemStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, key: str, body: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed into place: a reader never sees half a file, and a crash
        # leaves the old bytes or the new ones.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".put-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(body)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except FileNotFoundError:
            return None


class DatabaseStore:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def put(self, key: str, body: bytes) -> None:
        try:
            with session_scope(self.database_url) as session:
                session.execute(insert(MediaBlob).values(key=key, body=body))
        except IntegrityError:  # written before (a retry), or by a concurrent request
            with session_scope(self.database_url) as session:
                session.execute(update(MediaBlob).where(MediaBlob.key == key).values(body=body))

    def get(self, key: str) -> bytes | None:
        with session_scope(self.database_url, writer=False) as session:
            body: bytes | None = session.scalar(select(MediaBlob.body).where(MediaBlob.key == key))
        return body


def media_store(settings: Settings) -> MediaStore:
    """The store that configuration names (MEDIA_STORE, MEDIA_DIR)."""
    if settings.media_store == "filesystem":
        return FilesystemStore(Path(settings.media_dir))
    if settings.media_store == "database":
        return DatabaseStore(settings.database_url)
    raise ValueError(f"MEDIA_STORE must be filesystem or database, not {settings.media_store!r}")


def original_key(sha256: str) -> str:
    return f"originals/{sha256}"


def rendition_key(media_id: int, name: str, extension: str) -> str:
    return f"renditions/{media_id}/{name}.{extension}"
