"""A field office submits the four sample reports over HTTP; an aggregator finds them in the
feeds and a reader on the latest-news page, all through real processes."""

from __future__ import annotations

import json
from importlib import resources

import feedparser
import requests

from tests.conftest import RunningSystem, eventually, new_office

SAMPLES = json.loads(
    resources.files("warta.demo").joinpath("kab-pasuruan-berita-terkini.json").read_text("utf-8")
)
FIELDS = ("title", "body", "body_format", "external_id")


def test_sample_reports_reach_feeds_and_pages(system: RunningSystem) -> None:
    _, key = new_office(system.database_url, "kab-pasuruan", "KPU Kabupaten Pasuruan")
    auth = {"Authorization": f"Bearer {key}"}
    ids = []
    for report in SAMPLES:
        answer = requests.post(
            f"{system.ingest_url}/v1/articles",
            json={field: report[field] for field in FIELDS},
            headers=auth,
            timeout=10,
        )
        assert answer.status_code == 202, answer.text
        assert answer.json()["status"] == "received"
        ids.append(answer.json()["id"])

    def all_published() -> bool:
        states = [
            requests.get(f"{system.ingest_url}/v1/articles/{i}", headers=auth, timeout=5).json()
            for i in ids
        ]
        return all(state["status"] == "published" for state in states)

    eventually(all_published, timeout=60)

    titles = {report["title"] for report in SAMPLES}

    def feed_titles(path: str) -> set[str]:
        response = requests.get(system.feed_url + path, timeout=5)
        if response.status_code == 404:  # not built yet
            return set()
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        return {entry.title for entry in feed.entries}

    eventually(lambda: titles <= feed_titles("/feed.rss"), timeout=30)
    eventually(lambda: titles <= feed_titles("/feed.atom"), timeout=30)

    def listing() -> str:
        page = requests.get(f"{system.feed_url}/berita/", timeout=5)
        return page.text if page.status_code == 200 else ""

    page = eventually(lambda: (html := listing()) and all(t in html for t in titles) and html)
    assert page.count("Selengkapnya") >= 4
    assert "kali dilihat" in page

    article = requests.get(f"{system.ingest_url}/v1/articles/{ids[0]}", headers=auth, timeout=5)
    state = article.json()
    assert state["dateline"] == {"place": "Pasuruan", "source": "kab-pasuruan.kpu.go.id"}
    assert state["event_at"] == "2021-12-29T09:00:00+07:00"
    assert any(tag["source"] == "vocabulary" for tag in state["tags"])
    public = requests.get(state["url"], timeout=5)
    assert public.status_code == 200
    assert SAMPLES[0]["title"] in public.text
