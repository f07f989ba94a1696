"""Quality of the normalise and tag stages over the gold set (tests/gold/reports.yaml).

Prints accuracy of dateline, event date and language, and precision, recall and F1 of topic
tags; exits non-zero when dates are below 100% or topic F1 below 0.85.

    .venv/bin/python bench/quality.py
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from warta_ingest.normalisation import normalise_report
from warta_ingest.tagging import tag_report

GOLD = Path(__file__).resolve().parent.parent / "tests" / "gold" / "reports.yaml"
MIN_DATE_ACCURACY = 1.0
MIN_TOPIC_F1 = 0.85


@dataclass
class Scores:
    reports: int = 0
    datelines: int = 0
    dates: int = 0
    languages: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def accuracy(self, count: int) -> float:
        return count / self.reports if self.reports else 0.0


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return reports


def score_gold(reports: list[dict[str, Any]]) -> Scores:
    scores = Scores()
    for report in reports:
        expected = report["expected"]
        result = normalise_report(
            title=report["title"],
            body=report["body"],
            body_format=report.get("body_format", "text"),
            language=report.get("language"),
            timezone=report.get("timezone", "Asia/Jakarta"),
        )
        tags = tag_report(title=result.title, text=result.text, language=result.language)
        scores.reports += 1
        name = report["id"]

        dateline = {"place": result.dateline.place, "source": result.dateline.source}
        if dateline == expected["dateline"]:
            scores.datelines += 1
        else:
            scores.misses.append(f"{name}: dateline {dateline} != {expected['dateline']}")

        want = expected["event_at"]
        want_at = datetime.fromisoformat(want) if want else None
        # Same instant and same written offset: 09:00+07:00 is not 10:00+08:00 for a reader.
        same = (result.event_at is None and want_at is None) or (
            result.event_at is not None
            and want_at is not None
            and result.event_at == want_at
            and result.event_at.utcoffset() == want_at.utcoffset()
        )
        if same:
            scores.dates += 1
        else:
            got = result.event_at.isoformat() if result.event_at else None
            scores.misses.append(f"{name}: event_at {got} != {want}")

        if result.language == expected["language"]:
            scores.languages += 1
        else:
            scores.misses.append(f"{name}: language {result.language} != {expected['language']}")

        topics = {tag.slug for tag in tags if tag.kind == "topic"}
        gold_topics = set(expected["topics"])
        scores.true_positives += len(topics & gold_topics)
        scores.false_positives += len(topics - gold_topics)
        scores.false_negatives += len(gold_topics - topics)
        if topics != gold_topics:
            scores.misses.append(
                f"{name}: topics extra {sorted(topics - gold_topics)}"
                f" missing {sorted(gold_topics - topics)}"
            )
    return scores


def main() -> int:
    scores = score_gold(load_gold())
    print(f"gold reports:        {scores.reports}")
    print(f"dateline accuracy:   {scores.accuracy(scores.datelines):.1%}")
    print(f"event date accuracy: {scores.accuracy(scores.dates):.1%}")
    print(f"language accuracy:   {scores.accuracy(scores.languages):.1%}")
    print(
        f"topic tags:          precision {scores.precision:.3f}  recall {scores.recall:.3f}"
        f"  F1 {scores.f1:.3f}"
    )
    for miss in scores.misses:
        print(f"  - {miss}")
    ok = scores.accuracy(scores.dates) >= MIN_DATE_ACCURACY and scores.f1 >= MIN_TOPIC_F1
    if not ok:
        print(f"FAILED: need event dates at 100% and topic F1 >= {MIN_TOPIC_F1}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
