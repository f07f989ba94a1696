"""The article resource as `GET /v1/articles/<id>` shows it, and the media resource as
`POST /v1/media` and `GET /v1/media/<id>` show it."""

from __future__ import annotations

from typing import Any

from warta.media import LeadImage, Rendition, renditions_of
from warta.models import Article, Media, Revision
from warta.pipeline import Status
from warta.urls import article_url


def article_status(article: Article, revision: Revision) -> str:
    return Status.RETRACTED if article.retracted_at is not None else revision.status


def article_resource(
    article: Article,
    revision: Revision,
    live: Revision | None,
    public_base_url: str,
    image: LeadImage | None = None,
) -> dict[str, Any]:
    """`revision` is the newest one submitted; `live` is the one the public sees, if any;
    `image` is the revision's lead image (`warta.media.lead_images`)."""
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
        "image": image_resource(revision.submission.get("image"), image),
        "revised_by": reviser_resource(revision),
        "views": article.views,
        "url": public_url,
        "links": {"self": self_link, **({"public": public_url} if public_url else {})},
    }


def reviser_resource(revision: Revision) -> dict[str, Any] | None:
    """Who made the revision on the desk; None when the office's key did."""
    user = revision.reviser
    return {"id": user.id, "email": user.email} if user is not None else None


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def image_resource(submitted: Any, image: LeadImage | None) -> dict[str, Any] | None:
    """The lead image as the office submitted it; an uploaded photo's with the caption, credit
    and alt that the public sees (the article's own, else those of the upload), its state and
    its renditions."""
    if not isinstance(submitted, dict):
        return None
    if image is None or image.media_id is None:
        return dict(submitted)
    return {
        **submitted,
        "caption": image.caption,
        "credit": image.credit,
        "alt": image.alt,
        "status": image.status,
        "renditions": [_rendition(rendition) for rendition in image.renditions],
    }


def media_resource(media: Media, public_base_url: str) -> dict[str, Any]:
    """(Its renditions are read: call it in the session that loaded `media`.)"""
    renditions = renditions_of(media, public_base_url)
    return {
        "id": media.id,
        "status": media.status,
        "error": media.error,
        "type": media.media_type,
        "width": media.width,
        "height": media.height,
        "bytes": media.length,
        "caption": media.caption,
        "credit": media.credit,
        "alt": media.alt,
        "renditions": [_rendition(rendition) for rendition in renditions],
        "links": {"self": f"/v1/media/{media.id}"},
    }


def _rendition(rendition: Rendition) -> dict[str, Any]:
    return {
        "name": rendition.name,
        "width": rendition.width,
        "height": rendition.height,
        "type": rendition.media_type,
        "url": rendition.url,
        "bytes": rendition.length,
    }
