"""Throughput of normalise + tag on one CPU core, on reports the size of the samples.

    .venv/bin/python bench/normalise_tag.py [--seconds 10]

The reports are the gold set's (tests/gold/reports.yaml); the four real ones are 2.9-4.8 kB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from warta_ingest.normalisation import normalise_report
from warta_ingest.tagging import tag_report

GOLD = Path(__file__).resolve().parent.parent / "tests" / "gold" / "reports.yaml"


def process(report: dict[str, Any]) -> None:
    normalised = normalise_report(
        title=report["title"],
        body=report["body"],
        body_format=report.get("body_format", "text"),
        language=report.get("language"),
        timezone=report.get("timezone", "Asia/Jakarta"),
    )
    tag_report(title=normalised.title, text=normalised.text, language=normalised.language)


def rate(reports: list[dict[str, Any]], seconds: float) -> float:
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for report in reports:
            process(report)
        done += len(reports)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each of 3 runs")
    args = parser.parse_args()
    # One core, so the figure is per worker process and not flattered by a second CPU.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    gold: list[dict[str, Any]] = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    samples = [report for report in gold if report["id"].startswith("kab-pasuruan-")]
    for report in gold:  # warm up: vocabulary automaton, stopwords, regexes
        process(report)

    sizes = [len(report["body"].encode()) for report in samples]
    print(f"sample reports: {len(samples)}, body {min(sizes)}-{max(sizes)} bytes")
    for name, reports in (("samples (real, 2.9-4.8 kB)", samples), ("whole gold set", gold)):
        runs = [rate(reports, args.seconds) for _ in range(3)]
        print(
            f"{name}: {statistics.median(runs):.0f} reports/s median"
            f" (runs {', '.join(f'{run:.0f}' for run in runs)}), "
            f"{1000 / statistics.median(runs):.2f} ms/report, one core"
        )


if __name__ == "__main__":
    main()
