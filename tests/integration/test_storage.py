"""The storage layer on SQLite and PostgreSQL: migrations, keys, articles, dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from warta.db import get_engine, session_scope
from warta.models import Article, Office, Revision
from warta.offices import add_office, find_office, office_for_key, revoke_keys, rotate_keys


def test_migrations_create_every_table(database_url: str) -> None:
    tables = set(inspect(get_engine(database_url)).get_table_names())
    expected = {
        "offices",
        "office_keys",
        "articles",
        "revisions",
        "outbox",
        "snippets",
        "documents",
    }
    assert expected <= tables


def test_keys_are_stored_hashed_and_identify_their_office(database_url: str) -> None:
    with session_scope(database_url) as session:
        key = add_office(session, "kab-malang", "KPU Kabupaten Malang")
    with session_scope(database_url) as session:
        office = office_for_key(session, key)
        assert office is not None and office.slug == "kab-malang"
        stored = [k.key_hash for k in office.keys]
        assert key not in stored and len(stored[0]) == 64
        assert office_for_key(session, key + "x") is None


def test_rotated_key_works_during_grace_then_expires(database_url: str) -> None:
    with session_scope(database_url) as session:
        old = add_office(session, "kota-batu", "KPU Kota Batu")
    with session_scope(database_url) as session:
        new = rotate_keys(session, find_office(session, "kota-batu"), timedelta(hours=1))
    with session_scope(database_url) as session:
        assert office_for_key(session, old) is not None
        assert office_for_key(session, new) is not None
        later = datetime.now(UTC) + timedelta(hours=2)
        assert office_for_key(session, old, now=later) is None
        assert office_for_key(session, new, now=later) is not None


def test_revoked_keys_stop_working(database_url: str) -> None:
    with session_scope(database_url) as session:
        key = add_office(session, "kab-blitar", "KPU Kabupaten Blitar")
    with session_scope(database_url) as session:
        assert revoke_keys(session, find_office(session, "kab-blitar")) == 1
    with session_scope(database_url) as session:
        assert office_for_key(session, key) is None


def test_external_id_is_unique_per_office(database_url: str) -> None:
    with session_scope(database_url) as session:
        add_office(session, "a", "A")
        add_office(session, "b", "B")
    with session_scope(database_url) as session:
        a, b = (find_office(session, slug) for slug in ("a", "b"))
        assert a is not None and b is not None
        session.add_all(
            [
                Article(office_id=a.id, external_id="x-1"),
                Article(office_id=b.id, external_id="x-1"),  # another office may reuse it
            ]
        )
    with pytest.raises(IntegrityError), session_scope(database_url) as session:
        session.add(Article(office_id=a.id, external_id="x-1"))


def test_datetimes_come_back_aware_and_equal(database_url: str) -> None:
    wib = timezone(timedelta(hours=7))
    moment = datetime(2021, 12, 29, 9, 0, tzinfo=wib)
    with session_scope(database_url) as session:
        add_office(session, "kab-pasuruan", "KPU Kabupaten Pasuruan")
    with session_scope(database_url) as session:
        office = session.scalar(select(Office))
        assert office is not None
        article = Article(office_id=office.id)
        session.add(article)
        session.flush()
        session.add(Revision(article=article, number=1, submission={}, publish_at=moment))
    with session_scope(database_url) as session:
        revision = session.scalar(select(Revision))
        assert revision is not None
        assert revision.publish_at == moment
        assert revision.publish_at.tzinfo is not None


def test_the_migrations_build_exactly_the_models_schema(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from warta.models import Base
    from warta.schema import alembic_config

    assert len(ScriptDirectory.from_config(alembic_config(database_url)).get_heads()) == 1
    with get_engine(database_url).connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert drift == []
