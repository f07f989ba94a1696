"""Demo reports: the four real reports of KPU Kabupaten Pasuruan's "Berita Terkini" page."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

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
    """POST one report; returns the 202 answer (raises with the problem document otherwise)."""
    request = urllib.request.Request(  # noqa: S310 (an http URL of our own)
        f"{ingest_url}/v1/articles",
        data=json.dumps(submission(report)).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer: dict[str, Any] = json.load(response)
            return answer
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{error.code}: {error.read().decode(errors='replace')}") from None
