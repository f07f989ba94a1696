"""Demo reports: the four real reports of KPU Kabupaten Pasuruan's "Berita Terkini" page, each
with a photo drawn for it (warta.demo.pictures) and uploaded as an office uploads one."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from warta.demo.pictures import DemoPhoto, photo_for

SAMPLES = Path(__file__).with_name("kab-pasuruan-berita-terkini.json")
# Slug, name and region (Kabupaten Pasuruan, Jawa Timur: see warta.regions).
DEMO_OFFICE = ("kab-pasuruan", "KPU Kabupaten Pasuruan", "35.14")
# The demo office's editor on the desk (`warta up` gives them a new password each run).
DEMO_EDITOR = "editor@kab-pasuruan.test"
# What a submission may carry; the samples hold more (the office, the source site's views).
SUBMISSION_FIELDS = ("title", "body", "body_format", "external_id", "language", "tags")


def sample_reports(path: Path = SAMPLES) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return reports


def submission(report: dict[str, Any]) -> dict[str, Any]:
    return {key: report[key] for key in SUBMISSION_FIELDS if key in report}


def submit(
    ingest_url: str, key: str, report: dict[str, Any], timeout: float = 10
) -> dict[str, Any]:
    """Upload the report's photo, then POST the report naming it; returns the report's 202
    answer (raises with the problem document otherwise)."""
    body = submission(report)
    photo = photo_for(str(report.get("external_id", "")))
    if photo is not None:
        body["image"] = {"media": upload(ingest_url, key, photo, timeout)["id"]}
    return _post(ingest_url, key, "/v1/articles", json.dumps(body).encode(), timeout)


def upload(ingest_url: str, key: str, photo: DemoPhoto, timeout: float = 10) -> dict[str, Any]:
    """POST the photo to /v1/media with its texts; returns the 201 answer. Sent again (another
    `warta up` in the same folder, within a day), the same photo is the same upload."""
    data = photo.jpeg()
    texts = urllib.parse.urlencode(
        {"caption": photo.caption, "credit": photo.credit, "alt": photo.alt}
    )
    retry_key = "demo-photo-" + hashlib.sha256(data).hexdigest()[:32]
    headers = {"Content-Type": "image/jpeg", "Idempotency-Key": retry_key}
    return _post(ingest_url, key, f"/v1/media?{texts}", data, timeout, headers)


def _post(
    ingest_url: str,
    key: str,
    path: str,
    data: bytes,
    timeout: float,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 (an http URL of our own)
        f"{ingest_url}{path}",
        data=data,
        headers={
            "Content-Type": "application/json",
            **(headers or {}),
            "Authorization": f"Bearer {key}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer: dict[str, Any] = json.load(response)
            return answer
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{error.code}: {error.read().decode(errors='replace')}") from None
