"""Quality of the normalise and tag stages, per field, over the gold set (tests/gold/reports.yaml)
and the field corpus (tests/gold/field_reports.yaml: reports in the forms real offices write).

For each set, and for its tuning and held-out reports apart: datelines found and
right, excerpts that start where the report proper does, event dates, languages, titles,
warnings, precision, recall and F1 of topic, organisation and place tags, place tags naming a
wrong region, and junk keyword tags (dates, document codes, vocabulary terms spelled otherwise).
Exits non-zero when the gold set's event dates are below 100% or its topic F1 below 0.85.

    .venv/bin/python bench/quality.py [--misses]
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from warta_enrich.normalisation import NormalisedReport, normalise_report
from warta_enrich.tagging import Tag, tag_report

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "reports.yaml"
FIELD = ROOT / "tests" / "gold" / "field_reports.yaml"
VOCABULARY = ROOT / "services" / "ingest" / "warta_enrich" / "vocabulary.yaml"
MIN_DATE_ACCURACY = 1.0
MIN_TOPIC_F1 = 0.85
SPLITS = ("tuning", "held-out")
# Gold field for each scored tag kind.
KINDS = {"topic": "topics", "organisation": "organisations", "place": "places"}
# The commission itself is named in nearly every report: as a tag it tells a reader nothing.
UNSCORED = frozenset({"kpu"})
# A keyword with one of these words is a date, not a subject (checked here apart from the
# tagger's own rules, so the figure is not the tagger grading itself).
_CALENDAR_WORDS = """
    januari februari pebruari maret april mei juni juli agustus september oktober november
    nopember desember senin selasa rabu kamis jumat sabtu minggu tanggal tgl pukul wib wita wit
    january february march may june july august october december monday tuesday wednesday
    thursday friday saturday sunday
"""
CALENDAR = frozenset(_CALENDAR_WORDS.split())
NEAR_DUPLICATE = 0.88
NEAR_LENGTH = 6


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
class Field:
    """A field scored on the reports whose gold has it: how many, how many right."""

    scored: int = 0
    right: int = 0

    def add(self, ok: bool) -> None:
        self.scored += 1
        self.right += ok

    def __str__(self) -> str:
        share = self.right / self.scored if self.scored else 1.0
        return f"{self.right}/{self.scored} ({share:.1%})"


@dataclass
class Scores:
    reports: int = 0
    datelines_found: Field = field(default_factory=Field)  # of reports that have one
    datelines: Field = field(default_factory=Field)
    excerpts: Field = field(default_factory=Field)
    dates: Field = field(default_factory=Field)
    languages: Field = field(default_factory=Field)
    titles: Field = field(default_factory=Field)
    warnings: Field = field(default_factory=Field)
    tags: dict[str, TagCounts] = field(default_factory=lambda: {k: TagCounts() for k in KINDS})
    wrong_regions: int = 0  # place tags naming a region the report's gold forbids
    keywords: int = 0
    junk_keywords: int = 0
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

    def accuracy(self, scored: Field) -> float:
        return scored.right / scored.scored if scored.scored else 1.0


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return reports


def split_of(report: dict[str, Any]) -> str:
    split: str = report.get("split", "tuning")
    return split


def _published_at(report: dict[str, Any]) -> datetime | None:
    value = report.get("published_at")
    return datetime.fromisoformat(value) if value else None


def run(report: dict[str, Any]) -> tuple[NormalisedReport, list[Tag]]:
    """Normalise and tag ``report`` as the workers do."""
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
    return result, tags


def _vocabulary_terms() -> list[str]:
    document = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    terms = []
    for entries in document.values():
        for entry in entries or []:
            terms += [entry["label"], *(entry.get("terms") or []), *(entry.get("cased") or [])]
    return [_letters(term) for term in terms]


def _letters(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def _junk(keyword: Tag, terms: list[str]) -> str | None:
    """Why a keyword tag is junk: a date, a document code, a vocabulary term spelled otherwise."""
    words = set(keyword.slug.split("-"))
    if words & CALENDAR:
        return "date"
    if re.search(r"\d", keyword.slug):
        return "code"
    letters = _letters(keyword.label)
    for term in terms:
        # Between short acronyms ("PPD", "PPID") a letter is a different word.
        if min(len(letters), len(term)) < NEAR_LENGTH:
            continue
        if difflib.SequenceMatcher(None, letters, term).ratio() >= NEAR_DUPLICATE:
            return f"like the vocabulary's {term!r}"
    return None


def score_gold(reports: list[dict[str, Any]]) -> Scores:
    scores = Scores()
    terms = _vocabulary_terms()
    for report in reports:
        expected = report["expected"]
        result, tags = run(report)
        scores.reports += 1
        name = report["id"]

        want_dateline = expected["dateline"]
        dateline = {"place": result.dateline.place, "source": result.dateline.source}
        if want_dateline["place"] or want_dateline["source"]:
            scores.datelines_found.add(bool(dateline["place"] or dateline["source"]))
        scores.datelines.add(dateline == want_dateline)
        if dateline != want_dateline:
            scores.misses.append(f"{name}: dateline {dateline} != {want_dateline}")

        if "excerpt_start" in expected:
            ok = result.excerpt.startswith(expected["excerpt_start"])
            scores.excerpts.add(ok)
            if not ok:
                scores.misses.append(f"{name}: excerpt {result.excerpt[:60]!r}…")

        want = expected["event_at"]
        want_at = datetime.fromisoformat(want) if want else None
        # Same instant and same written offset: 09:00+07:00 is not 10:00+08:00 for a reader.
        same = (result.event_at is None and want_at is None) or (
            result.event_at is not None
            and want_at is not None
            and result.event_at == want_at
            and result.event_at.utcoffset() == want_at.utcoffset()
        )
        scores.dates.add(same)
        if not same:
            got = result.event_at.isoformat() if result.event_at else None
            scores.misses.append(f"{name}: event_at {got} != {want}")

        scores.languages.add(result.language == expected["language"])
        if result.language != expected["language"]:
            scores.misses.append(f"{name}: language {result.language} != {expected['language']}")

        if "title" in expected:
            scores.titles.add(result.title == expected["title"])
            if result.title != expected["title"]:
                scores.misses.append(f"{name}: title {result.title!r}")

        if "warnings" in expected:
            codes = [warning.code for warning in result.warnings]
            scores.warnings.add(codes == expected["warnings"])
            if codes != expected["warnings"]:
                scores.misses.append(f"{name}: warnings {codes} != {expected['warnings']}")

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
        wrong = {tag.slug for tag in tags if tag.kind == "place"} & set(
            expected.get("forbidden", ())
        )
        scores.wrong_regions += len(wrong)
        if wrong:
            scores.misses.append(f"{name}: WRONG REGION {sorted(wrong)}")

        for keyword in (tag for tag in tags if tag.kind == "keyword"):
            scores.keywords += 1
            why = _junk(keyword, terms)
            if why:
                scores.junk_keywords += 1
                scores.misses.append(f"{name}: junk keyword {keyword.slug} ({why})")
    return scores


def _report(title: str, scores: Scores) -> None:
    print(f"{title}: {scores.reports} reports")
    print(f"  datelines found:     {scores.datelines_found} of those that have one")
    print(f"  datelines right:     {scores.datelines}")
    print(f"  excerpt starts:      {scores.excerpts}")
    print(f"  event dates:         {scores.dates}")
    print(f"  languages:           {scores.languages}")
    print(f"  titles:              {scores.titles}")
    print(f"  warnings:            {scores.warnings}")
    for kind, counts in scores.tags.items():
        print(
            f"  {kind + ' tags:':18s}   precision {counts.precision:.3f}"
            f"  recall {counts.recall:.3f}  F1 {counts.f1:.3f}"
        )
    print(f"  wrong-region places: {scores.wrong_regions}")
    print(f"  junk keywords:       {scores.junk_keywords} of {scores.keywords}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args()
    gold = load_gold()
    for split in SPLITS:
        scores = score_gold([report for report in gold if split_of(report) == split])
        _report(f"gold set, {split}", scores)
        for miss in scores.misses if args.misses else []:
            print(f"    - {miss}")
    overall = score_gold(gold)
    _report("gold set, all", overall)
    field_reports = load_gold(FIELD)
    for split in SPLITS:
        scores = score_gold([report for report in field_reports if split_of(report) == split])
        _report(f"field corpus, {split}", scores)
        for miss in scores.misses if args.misses else []:
            print(f"    - {miss}")
    _report("field corpus, all", score_gold(field_reports))
    ok = overall.accuracy(overall.dates) >= MIN_DATE_ACCURACY and overall.f1 >= MIN_TOPIC_F1
    if not ok:
        print(f"FAILED: need the gold set's event dates at 100% and topic F1 >= {MIN_TOPIC_F1}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
