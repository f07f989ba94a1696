"""Throughput of normalise + tag on one CPU core, on reports the size of the samples.

    .venv/bin/python bench/normalise_tag.py [--seconds 5] [--runs 5]

The reports are the gold set's (tests/gold/reports.yaml); the four real ones are 2.9-4.8 kB.
Each run gives reports per second of wall-clock time and of the process's own CPU time: on a
machine shared with other work the second is the fairer figure for one worker on one core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from warta_enrich.normalisation import normalise_report
from warta_enrich.tagging import tag_report

GOLD = Path(__file__).resolve().parent.parent / "tests" / "gold" / "reports.yaml"


def process(report: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    if report.get("published_at"):
        extra["published_at"] = datetime.fromisoformat(report["published_at"])
    normalised = normalise_report(
        title=report["title"],
        body=report["body"],
        body_format=report.get("body_format", "text"),
        language=report.get("language"),
        timezone=report.get("timezone", "Asia/Jakarta"),
        **extra,
    )
    tag_report(title=normalised.title, text=normalised.text, language=normalised.language)


def rate(reports: list[dict[str, Any]], seconds: float) -> tuple[float, float]:
    """Reports per second of wall-clock time and of CPU time, over about ``seconds``."""
    done = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for report in reports:
            process(report)
        done += len(reports)
    return done / (time.perf_counter() - start), done / (time.process_time() - start_cpu)


def _figures(runs: list[float]) -> str:
    return f"{statistics.median(runs):.0f}/s (runs {', '.join(f'{run:.0f}' for run in runs)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--runs", type=int, default=5, help="runs per input; the median counts")
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
        runs = [rate(reports, args.seconds) for _ in range(args.runs)]
        wall, cpu = [run[0] for run in runs], [run[1] for run in runs]
        print(f"{name}, one core, median of {args.runs}:")
        print(f"  wall clock: {_figures(wall)}, {1000 / statistics.median(wall):.2f} ms/report")
        print(f"  CPU time:   {_figures(cpu)}, {1000 / statistics.median(cpu):.2f} ms/report")


if __name__ == "__main__":
    main()
