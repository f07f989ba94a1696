"""The article resource as `GET /v1/articles/<id>` shows it."""

from __future__ import annotations

from typing import Any

from warta.models import RETRACTED, Article, Revision
from warta.urls import article_url


def article_status(article: Article, revision: Revision) -> str:
    return RETRACTED if article.retracted_at is not None else revision.status


def article_resource(
    article: Article, revision: Revision, live: Revision | None, public_base_url: str
) -> dict[str, Any]:
    """`revision` is the newest one submitted; `live` is the one the public sees, if any."""
    public_url = None
    if live is not None and live.slug and article.retracted_at is None:
        public_url = article_url(public_base_url, article.id, live.slug)
    self_link = f"/v1/articles/{article.id}"
    return {
        "id": article.id,
        "office": article.office.slug,
        "external_id": article.external_id,
        "revision": revision.number,
        "status": article_status(article, revision),
        "error": revision.error,
        "title": revision.title,
        "slug": revision.slug,
        "language": revision.language,
        "excerpt": revision.excerpt,
        "body_html": revision.body_html,
        "word_count": revision.word_count,
        "reading_minutes": revision.reading_minutes,
        "dateline": revision.dateline,
        "event_at": revision.event_at,
        "published_at": _iso(article.published_at or revision.publish_at),
        "updated_at": _iso(article.updated_at),
        "tags": revision.tags or [],
        "warnings": revision.warnings or [],
        "image": revision.submission.get("image"),
        "views": article.views,
        "url": public_url,
        "links": {"self": self_link, **({"public": public_url} if public_url else {})},
    }


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None
