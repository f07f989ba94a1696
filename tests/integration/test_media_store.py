"""The media stores, each against the real thing: a folder, and the database (SQLite and
PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import create_postgres_database, drop_postgres_database, make_settings
from warta.media_store import DatabaseStore, FilesystemStore, MediaStore, media_store
from warta.schema import upgrade_database


@pytest.fixture(params=["filesystem", "sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_available: bool
) -> Iterator[MediaStore]:
    if request.param == "filesystem":
        yield FilesystemStore(tmp_path / "media")
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'warta.db'}"
        upgrade_database(url)
        yield DatabaseStore(url)
        return
    url = create_postgres_database()
    upgrade_database(url)
    yield DatabaseStore(url)
    drop_postgres_database(url)


def test_bytes_come_back_as_they_were_put(store: MediaStore) -> None:
    body = os.urandom(3 * 1024 * 1024) + b"\0\xff"
    store.put("originals/ab12", body)
    store.put("renditions/7/card.webp", b"RIFF small")
    assert store.get("originals/ab12") == body
    assert store.get("renditions/7/card.webp") == b"RIFF small"
    assert store.get("renditions/7/card.jpg") is None


def test_a_key_written_again_holds_the_new_bytes(store: MediaStore) -> None:
    store.put("renditions/1/article.jpg", b"first")
    store.put("renditions/1/article.jpg", b"second")
    assert store.get("renditions/1/article.jpg") == b"second"


def test_a_file_is_renamed_into_place_whole(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    store.put("originals/x", b"a photo")
    assert sorted(p.name for p in (tmp_path / "originals").iterdir()) == ["x"]


def test_configuration_chooses_the_store(tmp_path: Path) -> None:
    chosen = media_store(make_settings("sqlite://", "redis://x", MEDIA_DIR=str(tmp_path)))
    assert isinstance(chosen, FilesystemStore) and chosen.root == tmp_path
    database = media_store(make_settings("sqlite://", "redis://x", MEDIA_STORE="database"))
    assert isinstance(database, DatabaseStore)
    with pytest.raises(ValueError, match="MEDIA_STORE"):
        media_store(make_settings("sqlite://", "redis://x", MEDIA_STORE="s3"))
