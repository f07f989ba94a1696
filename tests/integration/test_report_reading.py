"""What normalise and tag make of a report as real offices write it, through the real API and
real worker processes: places in the office's own region, plain titles, no relative URLs in
the feeds, and the warnings that tell the office what to check."""

from __future__ import annotations

from typing import Any

import feedparser
import requests

from tests.conftest import RunningSystem, eventually, new_office

TITLE = "Bimbingan Teknis <b>Keamanan Siber</b> bagi Operator Sirekap"
BODY = (
    "<p>Peserta bimtek berfoto bersama. (Foto: Humas KPU)</p>"
    "<p>Pasuruan, kab-pasuruan.kpu.go.id Dalam rangka persiapan Pilkada, KPU Kabupaten"
    " Pasuruan menggelar bimbingan teknis keamanan siber pada Senin (15/1/2024) pukul 09.00"
    " WIB. Hadir Polres Pasuruan, mahasiswa Universitas Brawijaya Malang, dan tamu dari KPU"
    " Provinsi Papua Pegunungan.</p>"
    '<p><img src="uploads/bimtek.jpg" alt="Bimtek"> Materi dapat diunduh di'
    ' <a href="/unduhan/materi.pdf">laman unduhan</a>.</p>'
    '<iframe src="https://www.youtube.com/embed/abc"></iframe>'
)


def _get(system: RunningSystem, key: str, article_id: int) -> dict[str, Any]:
    response = requests.get(
        f"{system.ingest_url}/v1/articles/{article_id}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    state: dict[str, Any] = response.json()
    return state


def _submit(system: RunningSystem, key: str, **report: Any) -> int:
    response = requests.post(
        f"{system.ingest_url}/v1/articles",
        json=report,
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    article_id: int = response.json()["id"]
    return article_id


def test_an_office_is_told_what_normalise_doubted_or_changed(system: RunningSystem) -> None:
    office, key = new_office(system.database_url, "kab-pasuruan-18", "KPU Pasuruan", "35.14")
    article_id = _submit(
        system,
        key,
        title=TITLE,
        body=BODY,
        body_format="html",
        published_at="2024-01-16T10:00:00+07:00",
    )

    state = eventually(
        lambda: (found := _get(system, key, article_id))["status"] == "published" and found,
        timeout=60,
    )

    assert state["title"] == "Bimbingan Teknis Keamanan Siber bagi Operator Sirekap"
    assert state["dateline"] == {"place": "Pasuruan", "source": "kab-pasuruan.kpu.go.id"}
    assert state["excerpt"].startswith("Dalam rangka persiapan Pilkada")
    # 15 January 2024 was a Monday: no doubt about the date.
    assert state["event_at"] == "2024-01-15T09:00:00+07:00"
    assert [warning["code"] for warning in state["warnings"]] == [
        "title-cleaned",
        "markup-dropped",
        "image-dropped",
        "link-dropped",
    ]
    assert all(warning["message"] for warning in state["warnings"])
    assert "uploads/bimtek.jpg" not in state["body_html"]
    assert "/unduhan/materi.pdf" not in state["body_html"]
    assert "laman unduhan" in state["body_html"]
    places = {tag["slug"] for tag in state["tags"] if tag["kind"] == "place"}
    assert "kabupaten-pasuruan" in places
    assert not places & {"papua", "kabupaten-malang", "kota-malang", "kota-pasuruan"}

    def feed_entry() -> Any:
        response = requests.get(f"{system.feed_url}/offices/{office}/feed.rss", timeout=5)
        feed = feedparser.parse(response.content) if response.status_code == 200 else None
        return feed and feed.entries and feed

    feed = eventually(feed_entry, timeout=30)
    entry = feed.entries[0]
    assert entry.title == "Bimbingan Teknis Keamanan Siber bagi Operator Sirekap"
    content = entry.content[0].value
    assert "<b>" not in entry.title and 'src="uploads' not in content and "/unduhan/" not in content


def test_a_day_name_that_disagrees_and_a_missing_date_are_warned(system: RunningSystem) -> None:
    _, key = new_office(system.database_url, region="35.07")
    mismatch = _submit(
        system,
        key,
        title="Rapat Pleno Rekapitulasi DPS",
        body="Malang, kab-malang.kpu.go.id – Senin (12/1/2024) KPU Malang menggelar rapat pleno.",
    )
    undated = _submit(
        system, key, title="Sosialisasi Pemilih Pemula", body="KPU Malang menggelar sosialisasi."
    )

    def warnings(article_id: int) -> list[dict[str, str]] | None:
        state = _get(system, key, article_id)
        return state["warnings"] if state["status"] == "published" else None

    told = eventually(lambda: warnings(mismatch), timeout=60)
    assert [warning["code"] for warning in told] == ["weekday-mismatch"]
    assert "12 Januari 2024" in told[0]["message"] and "Jumat" in told[0]["message"]
    assert [warning["code"] for warning in eventually(lambda: warnings(undated))] == [
        "no-event-date"
    ]
    tags = _get(system, key, mismatch)["tags"]
    assert "kabupaten-malang" in {tag["slug"] for tag in tags}
