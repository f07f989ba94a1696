"""The gold set (tests/gold/reports.yaml) meets the thresholds bench/quality.py enforces."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

QUALITY = Path(__file__).resolve().parents[3] / "bench" / "quality.py"


def _quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location("warta_bench_quality", QUALITY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is being built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_gold_set_is_big_enough(gold_reports: list[dict[str, Any]]) -> None:
    assert len(gold_reports) >= 16
    assert {report.get("body_format", "text") for report in gold_reports} == {
        "text",
        "html",
        "markdown",
    }


def test_gold_thresholds(gold_reports: list[dict[str, Any]]) -> None:
    quality = _quality()
    scores = quality.score_gold(gold_reports)

    assert scores.misses == [m for m in scores.misses if "topics" in m], scores.misses
    assert scores.accuracy(scores.dates) == 1.0
    assert scores.accuracy(scores.datelines) == 1.0
    assert scores.accuracy(scores.languages) == 1.0
    assert scores.f1 >= quality.MIN_TOPIC_F1
