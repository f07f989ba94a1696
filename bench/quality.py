"""Quality of the normalise and tag stages over the gold set (tests/gold/reports.yaml).

Prints accuracy of dateline, event date and language, and precision, recall and F1 of topic,
organisation and place tags: for the reports the tagger was tuned on, for the held-out ones
(never used to tune it) and for all. Exits non-zero when event dates are below 100% or topic
F1 below 0.85 over all reports.

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
SPLITS = ("tuning", "held-out")
# Gold field for each scored tag kind.
KINDS = {"topic": "topics", "organisation": "organisations", "place": "places"}
# The commission itself is named in nearly every report: as a tag it tells a reader nothing.
UNSCORED = frozenset({"kpu"})


@dataclass
class TagCounts:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

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


@dataclass
class Scores:
    reports: int = 0
    datelines: int = 0
    dates: int = 0
    languages: int = 0
    tags: dict[str, TagCounts] = field(default_factory=lambda: {k: TagCounts() for k in KINDS})
    misses: list[str] = field(default_factory=list)

    # Topic figures, the ones the thresholds are about.
    @property
    def precision(self) -> float:
        return self.tags["topic"].precision

    @property
    def recall(self) -> float:
        return self.tags["topic"].recall

    @property
    def f1(self) -> float:
        return self.tags["topic"].f1

    def accuracy(self, count: int) -> float:
        return count / self.reports if self.reports else 0.0


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return reports


def split_of(report: dict[str, Any]) -> str:
    split: str = report.get("split", "tuning")
    return split


def _published_at(report: dict[str, Any]) -> datetime | None:
    value = report.get("published_at")
    return datetime.fromisoformat(value) if value else None


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
            published_at=_published_at(report),
        )
        tags = tag_report(
            title=result.title,
            text=result.text,
            language=result.language,
            region=report.get("region"),
        )
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

        for kind, gold_field in KINDS.items():
            if gold_field not in expected:
                continue
            found = {tag.slug for tag in tags if tag.kind == kind} - UNSCORED
            gold = set(expected[gold_field]) - UNSCORED
            counts = scores.tags[kind]
            counts.true_positives += len(found & gold)
            counts.false_positives += len(found - gold)
            counts.false_negatives += len(gold - found)
            if found != gold:
                scores.misses.append(
                    f"{name}: {gold_field} extra {sorted(found - gold)}"
                    f" missing {sorted(gold - found)}"
                )
    return scores


def _report(title: str, scores: Scores) -> None:
    print(f"{title}: {scores.reports} reports")
    print(f"  dateline accuracy:   {scores.accuracy(scores.datelines):.1%}")
    print(f"  event date accuracy: {scores.accuracy(scores.dates):.1%}")
    print(f"  language accuracy:   {scores.accuracy(scores.languages):.1%}")
    for kind, counts in scores.tags.items():
        print(
            f"  {kind + ' tags:':18s}   precision {counts.precision:.3f}"
            f"  recall {counts.recall:.3f}  F1 {counts.f1:.3f}"
        )


def main() -> int:
    gold = load_gold()
    for split in SPLITS:
        scores = score_gold([report for report in gold if split_of(report) == split])
        _report(split, scores)
        for miss in scores.misses:
            print(f"    - {miss}")
    overall = score_gold(gold)
    _report("all", overall)
    ok = overall.accuracy(overall.dates) >= MIN_DATE_ACCURACY and overall.f1 >= MIN_TOPIC_F1
    if not ok:
        print(f"FAILED: need event dates at 100% and topic F1 >= {MIN_TOPIC_F1}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
