"""The enrich worker (queue `enrich`): normalise and tag a revision in one step, one
transaction per batch. Messages sent to the two stages it joined (`warta.normalise`,
`warta.tag`, on queues `normalise` and `tag`) before an upgrade are taken the same way."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from warta.celery_app import app
from warta.models import Revision
from warta.pipeline import ENRICH, NORMALISE, STAGE_OF_TASK, TAG
from warta.settings import get_settings
from warta.stages import STAGE_TASK_OPTIONS, Rejected, run_stage
from warta_enrich.normalisation import NormalisedReport, normalise_report
from warta_enrich.tagging import Tag, tag_report

STAGE = STAGE_OF_TASK[ENRICH]


@dataclass(frozen=True)
class Enriched:
    report: NormalisedReport
    tags: list[Tag]


@app.task(name=ENRICH, **STAGE_TASK_OPTIONS)
def enrich(**message: Any) -> None:
    run_stage(STAGE, message, _enrich, _store)


@app.task(name=NORMALISE, **STAGE_TASK_OPTIONS)
def normalise(**message: Any) -> None:
    """A message queued before the upgrade for the former normalise stage."""
    run_stage(STAGE, message, _enrich, _store)


@app.task(name=TAG, **STAGE_TASK_OPTIONS)
def tag(**message: Any) -> None:
    """A message queued before the upgrade for the former tag stage."""
    run_stage(STAGE, message, _enrich, _store)


def _enrich(revision: Revision) -> Enriched:
    submission = revision.submission
    report = normalise_report(
        title=submission["title"],
        body=submission["body"],
        body_format=submission.get("body_format", "text"),
        language=submission.get("language"),
        timezone=revision.article.office.timezone or get_settings().timezone,
        # "hari ini", "kemarin" and dates without a year are read against it.
        published_at=revision.publish_at,
        # No office's own site is known to read relative URLs against: they are dropped.
        base_url=None,
    )
    if not report.title:
        raise Rejected("the title is empty once cleaned")
    tags = tag_report(
        title=report.title,
        text=report.text,
        language=report.language,
        office_tags=submission.get("tags", []),
        # "Pasuruan" alone is the office's own Pasuruan, kabupaten or kota.
        region=revision.article.office.region,
    )
    return Enriched(report, tags)


def _store(session: Session, revision: Revision, enriched: Enriched) -> None:
    report = enriched.report
    revision.title, revision.slug, revision.language = report.title, report.slug, report.language
    revision.excerpt, revision.body_html, revision.body_text = (
        report.excerpt,
        report.body_html,
        report.text,
    )
    revision.word_count, revision.reading_minutes = report.word_count, report.reading_minutes
    revision.dateline = asdict(report.dateline)
    revision.event_at = report.event_at.isoformat() if report.event_at else None
    revision.warnings = [asdict(warning) for warning in report.warnings]
    revision.tags = [_tag_record(tag) for tag in enriched.tags]


def _tag_record(tag: Tag) -> dict[str, Any]:
    record = asdict(tag)
    record["score"] = round(tag.score, 4)
    return record
