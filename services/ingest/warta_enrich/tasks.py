"""The ingest workers: normalise (queue `normalise`) and tag (queue `tag`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from warta.celery_app import app
from warta.messages import NORMALISE, RENDER, TAG
from warta.models import Revision
from warta.settings import get_settings
from warta.stages import STAGE_TASK_OPTIONS, Rejected, run_stage
from warta_enrich.normalisation import NormalisedReport, normalise_report
from warta_enrich.tagging import Tag, tag_report


@app.task(name=NORMALISE, **STAGE_TASK_OPTIONS)
def normalise(**message: Any) -> None:
    run_stage("normalised", message, _normalise, _store_normalised, next_task=TAG)


@app.task(name=TAG, **STAGE_TASK_OPTIONS)
def tag(**message: Any) -> None:
    run_stage("tagged", message, _tag, _store_tags, next_task=RENDER)


def _normalise(revision: Revision) -> NormalisedReport:
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
    return report


def _store_normalised(session: Session, revision: Revision, report: NormalisedReport) -> None:
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


def _tag(revision: Revision) -> list[Tag]:
    return tag_report(
        title=revision.title or "",
        text=revision.body_text or "",
        language=revision.language or "id",
        office_tags=revision.submission.get("tags", []),
        # "Pasuruan" alone is the office's own Pasuruan, kabupaten or kota.
        region=revision.article.office.region,
    )


def _store_tags(session: Session, revision: Revision, tags: list[Tag]) -> None:
    revision.tags = [_tag_record(tag) for tag in tags]


def _tag_record(tag: Tag) -> dict[str, Any]:
    record = asdict(tag)
    record["score"] = round(tag.score, 4)
    return record
