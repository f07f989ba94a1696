"""Through the real processes: a reader's view reaches the cards after a flush, `warta
reprocess --stage render` renders again, and a retracted report's page answers 410."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import update

from tests.conftest import RunningSystem, eventually, new_office
from warta.db import session_scope
from warta.models import Snippet

READER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
TITLE = "KPU Kabupaten Pasuruan Laksanakan Rapat Koordinasi PDPB Triwulan IV"


@pytest.fixture(scope="module", autouse=True)
def quick_flush() -> Iterator[None]:
    """Views flushed a second after the first one, so the test need not wait a minute."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VIEWS_FLUSH_SECONDS", "1")
        yield


@pytest.fixture(scope="module")
def report(system: RunningSystem) -> tuple[int, dict[str, str]]:
    _, key = new_office(system.database_url, "kab-pasuruan", "KPU Kabupaten Pasuruan")
    auth = {"Authorization": f"Bearer {key}"}
    body = "Pasuruan, kab-pasuruan.kpu.go.id - Selasa (28-12-2021) KPU melaksanakan rapat."
    answer = requests.post(
        f"{system.ingest_url}/v1/articles",
        json={"title": TITLE, "body": body},
        headers=auth,
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    article_id = answer.json()["id"]
    eventually(lambda: TITLE in listing(system), timeout=90)
    return article_id, auth


def listing(system: RunningSystem) -> str:
    page = requests.get(f"{system.feed_url}/berita/", timeout=5)
    return page.text if page.status_code == 200 else ""


def article_url(system: RunningSystem, article_id: int, auth: dict[str, str]) -> str:
    state = requests.get(f"{system.ingest_url}/v1/articles/{article_id}", headers=auth, timeout=5)
    url: str = state.json()["url"]
    return url


def test_a_readers_view_reaches_the_card(system: RunningSystem, report) -> None:  # type: ignore[no-untyped-def]
    article_id, auth = report
    url = article_url(system, article_id, auth)
    assert "0 kali dilihat" in listing(system)
    for agent in (READER, READER, "Googlebot/2.1 (+http://www.google.com/bot.html)"):
        assert requests.get(url, headers={"User-Agent": agent}, timeout=5).status_code == 200
    eventually(lambda: "1 kali dilihat" in listing(system), timeout=60)
    card = requests.get(f"{system.feed_url}/snippets/articles/{article_id}/card.html", timeout=5)
    assert "1 kali dilihat" in card.text


def test_reprocess_renders_every_published_report_again(system: RunningSystem, report) -> None:  # type: ignore[no-untyped-def]
    article_id, auth = report
    url = article_url(system, article_id, auth)
    with session_scope(system.database_url) as session:
        session.execute(
            update(Snippet)
            .where(Snippet.article_id == article_id, Snippet.kind == "page")
            .values(html="<!DOCTYPE html><title>old</title><p>old template</p>", etag='"old"')
        )
    assert "old template" in requests.get(url, timeout=5).text  # served until replaced
    env = {**os.environ, "DATABASE_URL": system.database_url, "REDIS_URL": system.redis_url}
    done = subprocess.run(
        [sys.executable, "-m", "warta.cli", "reprocess", "--stage", "render", "--timeout", "120"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "re-rendered 1 reports" in done.stdout
    page = requests.get(url, timeout=5)
    assert page.status_code == 200 and TITLE in page.text and "old template" not in page.text


def test_retracted_report_answers_410(system: RunningSystem, report) -> None:  # type: ignore[no-untyped-def]
    article_id, auth = report
    url = article_url(system, article_id, auth)
    answer = requests.delete(
        f"{system.ingest_url}/v1/articles/{article_id}", headers=auth, timeout=5
    )
    assert answer.status_code == 202, answer.text
    eventually(lambda: requests.get(url, timeout=5).status_code == 410)
    gone = requests.get(url, timeout=5)
    assert "text/html" in gone.headers["Content-Type"]
    assert "Berita ini telah ditarik" in gone.text
    eventually(lambda: TITLE not in listing(system), timeout=60)
