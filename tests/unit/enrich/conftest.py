from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

GOLD = Path(__file__).resolve().parents[2] / "gold" / "reports.yaml"


@pytest.fixture(scope="session")
def gold_reports() -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    return reports


@pytest.fixture(scope="session")
def samples(gold_reports: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The four real Kabupaten Pasuruan reports, by external id."""
    return {r["id"]: r for r in gold_reports if r["id"].startswith("kab-pasuruan-")}
