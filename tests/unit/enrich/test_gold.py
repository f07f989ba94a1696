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


def test_gold_set_is_big_enough_and_partly_held_out(gold_reports: list[dict[str, Any]]) -> None:
    quality = _quality()
    held_out = [report for report in gold_reports if quality.split_of(report) == "held-out"]

    assert len(gold_reports) >= 24
    assert len(held_out) >= 8
    assert {report.get("body_format", "text") for report in gold_reports} == {
        "text",
        "html",
        "markdown",
    }
    # Held out from offices in all three of Indonesia's time zones.
    assert {report.get("timezone", "Asia/Jakarta") for report in held_out} == {
        "Asia/Jakarta",
        "Asia/Makassar",
        "Asia/Jayapura",
    }


def test_gold_thresholds(gold_reports: list[dict[str, Any]]) -> None:
    quality = _quality()
    scores = quality.score_gold(gold_reports)

    assert scores.accuracy(scores.dates) == 1.0, scores.misses
    assert scores.accuracy(scores.datelines) == 1.0, scores.misses
    assert scores.accuracy(scores.languages) == 1.0, scores.misses
    assert scores.f1 >= quality.MIN_TOPIC_F1


def test_held_out_dates_are_all_right(gold_reports: list[dict[str, Any]]) -> None:
    quality = _quality()
    held_out = [report for report in gold_reports if quality.split_of(report) == "held-out"]

    scores = quality.score_gold(held_out)

    assert scores.accuracy(scores.dates) == 1.0, scores.misses


# The aims of issue 18 for the reports kept apart from the project: 14 of 15 datelines, 20 of 21
# event dates, no place tag naming a wrong region. The field corpus is held to them.
MIN_FIELD_ACCURACY = 0.95


def test_field_corpus_is_big_and_varied() -> None:
    quality = _quality()
    corpus = quality.load_gold(quality.FIELD)

    assert len(corpus) >= 60
    assert len({report["office"] for report in corpus}) >= 40
    assert {report.get("body_format", "text") for report in corpus} == {"text", "html", "markdown"}
    assert {report.get("timezone", "Asia/Jakarta") for report in corpus} == {
        "Asia/Jakarta",
        "Asia/Makassar",
        "Asia/Jayapura",
    }


def test_field_corpus_thresholds() -> None:
    quality = _quality()
    scores = quality.score_gold(quality.load_gold(quality.FIELD))

    assert scores.accuracy(scores.datelines) >= MIN_FIELD_ACCURACY, scores.misses
    assert scores.accuracy(scores.datelines_found) >= MIN_FIELD_ACCURACY, scores.misses
    assert scores.accuracy(scores.excerpts) >= MIN_FIELD_ACCURACY, scores.misses
    assert scores.accuracy(scores.dates) >= MIN_FIELD_ACCURACY, scores.misses
    assert scores.wrong_regions == 0, scores.misses
    assert scores.junk_keywords == 0, scores.misses
    assert scores.accuracy(scores.titles) == 1.0, scores.misses
    assert scores.accuracy(scores.warnings) == 1.0, scores.misses
    assert scores.accuracy(scores.languages) == 1.0, scores.misses
