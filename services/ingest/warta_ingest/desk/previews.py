"""A report as its public page will show it, before it is sent: normalised and tagged as the
workers will, and rendered by the public pages' own templates (warta.pages).

That import is the one place where the ingest service reaches into another service's package:
a preview drawn by templates of its own would drift from the page it stands for. Nothing is
stored; the preview costs one normalise and one tagging, in the request."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from warta.media import LeadImage
from warta.models import utcnow
from warta.pages import clean_body, render_snippets, stylesheet, view_of
from warta.settings import Settings
from warta_enrich.normalisation import NormalisedReport, normalise_report
from warta_enrich.tagging import tag_report


@dataclass(frozen=True)
class _Draft:
    """The fields of an article and its revision that the page templates read."""

    id: int
    title: str
    slug: str
    excerpt: str
    language: str
    dateline: dict[str, Any]
    event_at: str | None
    tags: list[dict[str, Any]]
    publish_at: datetime
    published_at: datetime | None = None
    updated_at: datetime | None = None
    live_revision: int | None = None
    views: int = 0


@dataclass(frozen=True)
class Preview:
    page: str  # the whole public page, for a sandboxed frame
    report: NormalisedReport
    tags: list[dict[str, Any]]


def preview_stylesheet() -> str:
    """The public pages' stylesheet, which the desk serves to its previews: the feed service
    serves it only once a first page has been composed."""
    return stylesheet()


def preview(
    submission: dict[str, Any],
    office: tuple[str, str, str | None],
    timezone: str,
    settings: Settings,
    stylesheet_url: str,
    image: LeadImage | None = None,
) -> Preview:
    """`submission` as loaded by submissions.load_submission; `office` its slug, name and
    region; `stylesheet_url` where the desk serves `preview_stylesheet`; `image` its lead
    image as a page shows it (`warta.media.lead_image`)."""
    publish_at = submission.get("published_at") or utcnow()
    report = normalise_report(
        title=submission["title"],
        body=submission["body"],
        body_format=submission.get("body_format", "text"),
        language=submission.get("language"),
        timezone=timezone,
        published_at=publish_at,
    )
    tags = [
        asdict(tag)
        for tag in tag_report(
            title=report.title,
            text=report.text,
            language=report.language,
            office_tags=submission.get("tags", []),
            region=office[2],
        )
    ]
    draft = _Draft(
        id=0,
        title=report.title or "…",
        slug=report.slug,
        excerpt=report.excerpt,
        language=report.language,
        dateline=asdict(report.dateline),
        event_at=report.event_at.isoformat() if report.event_at else None,
        tags=tags,
        publish_at=publish_at,
    )
    view = view_of(
        draft,
        draft,
        (office[0], office[1]),
        settings,
        body_html=clean_body(report.body_html),
        image=image,
    )
    page = render_snippets(view, settings)["page"]
    public_stylesheet = _stylesheet_link.search(page)
    if public_stylesheet is not None:
        page = page.replace(public_stylesheet.group(1), stylesheet_url, 1)
    return Preview(page, report, tags)


_stylesheet_link = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
