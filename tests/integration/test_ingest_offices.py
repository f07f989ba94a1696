"""`warta offices` and `warta keys`, run with click's CliRunner on a real database, and the
keys they print tried against the ingest API."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from tests.conftest import make_settings
from warta.cli import main
from warta.db import session_scope
from warta.models import Office, OfficeKey
from warta_ingest.app import create_app


@pytest.fixture
def warta(database_url: str, redis_url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"DATABASE_URL": database_url, "REDIS_URL": redis_url})

    def run(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(main, list(args))
        assert (result.exit_code == 0) is ok, result.output
        return result

    return run


def works(database_url: str, key: str) -> bool:
    # A fresh app each time: no key cache between the command and the check.
    client = create_app(make_settings(database_url, "redis://127.0.0.1:1/0")).test_client()
    status = client.get("/v1/articles", headers={"Authorization": f"Bearer {key}"}).status_code
    assert status in (200, 401)
    return status == 200


def test_an_added_office_gets_a_random_key_shown_once_and_stored_hashed(
    warta, database_url: str
) -> None:
    first = warta("offices", "add", "kab-pasuruan", "--name", "KPU Kabupaten Pasuruan")
    second = warta("offices", "add", "kota-malang", "--name", "KPU Kota Malang")
    key, other = first.output.splitlines()[-1], second.output.splitlines()[-1]
    assert key.startswith("wk_") and len(key) > 40 and key != other
    assert works(database_url, key)
    with session_scope(database_url) as session:
        stored = session.scalars(select(OfficeKey.key_hash)).all()
    assert key not in stored and all(len(digest) == 64 for digest in stored)
    listing = warta("offices", "list").output
    assert "kab-pasuruan" in listing and "keys=1" in listing and "articles=0" in listing
    assert key not in listing
    duplicate = warta("offices", "add", "kab-pasuruan", "--name", "Again", ok=False)
    assert "exists already" in duplicate.output


def test_a_rotated_key_works_for_the_grace_period_only(warta, database_url: str) -> None:
    old = warta("offices", "add", "kab-pasuruan", "--name", "KPU").output.splitlines()[-1]
    new = warta("keys", "rotate", "kab-pasuruan", "--grace", "1").output.splitlines()[-1]
    assert works(database_url, old) and works(database_url, new)
    newest = warta("keys", "rotate", "kab-pasuruan", "--grace", "0").output.splitlines()[-1]
    assert not works(database_url, old) and not works(database_url, new)
    assert works(database_url, newest)


def test_revoking_stops_every_key_of_the_office(warta, database_url: str) -> None:
    key = warta("offices", "add", "kab-pasuruan", "--name", "KPU").output.splitlines()[-1]
    warta("offices", "add", "kota-malang", "--name", "KPU Kota Malang")
    assert "revoked 1 key(s)" in warta("keys", "revoke", "kab-pasuruan").output
    assert not works(database_url, key)
    assert "keys=0" in warta("offices", "list").output.splitlines()[0]
    assert "no office" in warta("keys", "revoke", "nowhere", ok=False).output


def test_an_office_knows_the_region_it_serves(warta, database_url: str) -> None:
    added = warta("offices", "add", "kab-pasuruan", "--name", "KPU", "--region", "Kab. Pasuruan")
    warta("offices", "add", "jatim", "--name", "KPU Jawa Timur", "--region", "35")
    warta("offices", "add", "kpu-ri", "--name", "KPU RI")

    assert "(Kabupaten Pasuruan, 35.14)" in added.output
    with session_scope(database_url) as session:
        rows = session.execute(select(Office.slug, Office.region))
        stored = {slug: region for slug, region in rows}
    assert stored == {"kab-pasuruan": "35.14", "jatim": "35", "kpu-ri": None}
    assert "region=35.14" in warta("offices", "list").output
    # A name two regions share, or none has, is refused before anything is stored.
    shared = warta("offices", "add", "pasuruan", "--name", "KPU", "--region", "Pasuruan", ok=False)
    assert "could be Kabupaten Pasuruan (35.14), Kota Pasuruan (35.75)" in shared.output
    unknown = warta("offices", "add", "x", "--name", "KPU", "--region", "Atlantis", ok=False)
    assert "--region" in unknown.output
    listed = [line.split()[0] for line in warta("offices", "list").output.splitlines()]
    assert listed == ["jatim", "kab-pasuruan", "kpu-ri"]


def test_an_existing_office_is_given_its_region(warta, database_url: str) -> None:
    warta("offices", "add", "kota-malang", "--name", "KPU Kota Malang")

    told = warta("offices", "set-region", "kota-malang", "Kota Malang")

    assert "office kota-malang serves Kota Malang (35.73)" in told.output
    assert "region=35.73" in warta("offices", "list").output
    assert "could be" in warta("offices", "set-region", "kota-malang", "Malang", ok=False).output
    assert "no office" in warta("offices", "set-region", "nowhere", "35", ok=False).output
