"""Uploaded photos as the rest of the system sees them: a revision's lead image with its
renditions, whether a photo is public, and the photos whose rendition job was lost.

A photo's renditions are public only while a live article shows it: a photo uploaded and not
(yet) used by a published report is not found (404), and once no live article shows it any
more (retracted, or replaced by a new revision's photo) it is gone (410)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from warta.db import in_batches
from warta.models import (
    MEDIA_READY,
    Article,
    Media,
    MediaRendition,
    MediaUse,
    Revision,
)
from warta.photos import ENCODINGS, SPECS, plan
from warta.pipeline import Status

log = logging.getLogger(__name__)

PUBLIC, GONE, NOT_FOUND = "public", "gone", "not-found"
# The rendition that stands for the photo where a single URL is wanted (feeds, sitemaps).
MAIN_RENDITION = ("article", "jpg")


@dataclass(frozen=True)
class Rendition:
    name: str  # card, article, social (warta.photos.SPECS)
    extension: str  # webp, jpg
    media_type: str
    width: int
    height: int
    url: str  # absolute
    length: int | None  # bytes; None until made


@dataclass(frozen=True)
class LeadImage:
    """A revision's lead image, with what every consumer needs: pages (srcset, width and
    height, alt), og:image and JSON-LD, feeds (enclosure type and length), the image sitemap.

    For an uploaded photo `url` is its article-width JPEG and `renditions` lists every
    rendition; for an image the office hosts itself (`{url: ...}`) only the URL and the texts
    are known (`media_type`, `length` and the sizes are None: ask its server)."""

    url: str
    caption: str
    credit: str
    alt: str
    media_id: int | None = None
    status: str | None = None  # the photo's: processing, ready, failed
    media_type: str | None = None
    width: int | None = None
    height: int | None = None
    length: int | None = None
    renditions: tuple[Rendition, ...] = ()

    def rendition(self, name: str, extension: str = "jpg") -> Rendition | None:
        return next(
            (r for r in self.renditions if r.name == name and r.extension == extension), None
        )

    def srcset(self, extension: str, names: Sequence[str] = ("card", "article")) -> str:
        """`url 640w, url 1200w` of the named renditions in one encoding (each width once)."""
        chosen: dict[int, str] = {}
        for rendition in self.renditions:
            if rendition.extension == extension and rendition.name in names:
                chosen.setdefault(rendition.width, rendition.url)
        return ", ".join(f"{url} {width}w" for width, url in sorted(chosen.items()))


def rendition_url(public_base_url: str, media_id: int, name: str, extension: str) -> str:
    return f"{public_base_url}/media/{media_id}/{name}.{extension}"


def lead_media_id(image: Any) -> int | None:
    """The uploaded photo a submitted `image` names, if it names one."""
    if isinstance(image, dict) and isinstance(image.get("media"), int):
        return int(image["media"])
    return None


def lead_image(session: Session, image: Any, public_base_url: str) -> LeadImage | None:
    """A revision's lead image from its submitted `image` (see `lead_images`)."""
    return lead_images(session, [image], public_base_url)[0]


def lead_images(
    session: Session, images: Sequence[Any], public_base_url: str
) -> list[LeadImage | None]:
    """The lead image of each submitted `image` (`revision.submission.get("image")`, or the
    `warta.articles.LEAD_IMAGE` column), in order; None where there is none. Two queries for
    any number of images."""
    ids = sorted({media_id for image in images if (media_id := lead_media_id(image))})
    photos: dict[int, StoredPhoto] = {}
    for chunk in in_batches(ids):
        made: dict[int, list[Any]] = defaultdict(list)
        for rendition in session.execute(
            select(*RENDITION_COLUMNS).where(MediaRendition.media_id.in_(chunk))
        ):
            made[rendition.media_id].append(rendition)
        for row in session.execute(select(*PHOTO_COLUMNS).where(Media.id.in_(chunk))):
            photos[row.id] = StoredPhoto(*row, renditions=made[row.id])
    leads: list[LeadImage | None] = []
    for image in images:
        media_id = lead_media_id(image)
        if media_id is not None:
            media = photos.get(media_id)
            leads.append(_photo(media, image, public_base_url) if media else None)
        elif isinstance(image, dict) and isinstance(image.get("url"), str):
            leads.append(
                LeadImage(
                    url=image["url"],
                    caption=str(image.get("caption") or ""),
                    credit=str(image.get("credit") or ""),
                    alt=str(image.get("alt") or ""),
                )
            )
        else:
            leads.append(None)
    return leads


# What `lead_images` reads of a photo and its renditions: plain rows (pages and feeds read a
# thousand photos at a time, and ORM objects took five times as long).
PHOTO_COLUMNS = (
    Media.id,
    Media.status,
    Media.width,
    Media.height,
    Media.caption,
    Media.credit,
    Media.alt,
)
RENDITION_COLUMNS = (
    MediaRendition.media_id,
    MediaRendition.name,
    MediaRendition.extension,
    MediaRendition.media_type,
    MediaRendition.width,
    MediaRendition.height,
    MediaRendition.length,
)


@dataclass(frozen=True)
class StoredPhoto:
    """A photo's record as `lead_images` reads it (the fields of `Media` it needs)."""

    id: int
    status: str
    width: int
    height: int
    caption: str | None
    credit: str | None
    alt: str | None
    renditions: list[Any]  # rows of RENDITION_COLUMNS


def _photo(media: StoredPhoto, image: dict[str, Any], public_base_url: str) -> LeadImage:
    renditions = renditions_of(media, public_base_url)
    main = next(r for r in renditions if (r.name, r.extension) == MAIN_RENDITION)

    def text(field: str) -> str:
        # The article's own caption, credit or alt, else the one given with the upload.
        value = image[field] if field in image else getattr(media, field)
        return str(value or "")

    return LeadImage(
        url=main.url,
        caption=text("caption"),
        credit=text("credit"),
        alt=text("alt"),
        media_id=media.id,
        status=media.status,
        media_type=main.media_type,
        width=main.width,
        height=main.height,
        length=main.length,
        renditions=tuple(renditions),
    )


def renditions_of(media: Media | StoredPhoto, public_base_url: str) -> list[Rendition]:
    """The made renditions of a ready photo; otherwise those it will have (lengths unknown)."""
    if media.status == MEDIA_READY and media.renditions:
        return [
            Rendition(
                r.name,
                r.extension,
                r.media_type,
                r.width,
                r.height,
                rendition_url(public_base_url, media.id, r.name, r.extension),
                r.length,
            )
            for r in _in_spec_order(media)
        ]
    return [
        Rendition(
            planned.name,
            encoding.extension,
            encoding.media_type,
            planned.width,
            planned.height,
            rendition_url(public_base_url, media.id, planned.name, encoding.extension),
            None,
        )
        for planned in plan(media.width, media.height)
        for encoding in ENCODINGS
    ]


def _in_spec_order(media: Media | StoredPhoto) -> list[Any]:
    names = [spec.name for spec in SPECS]
    extensions = [encoding.extension for encoding in ENCODINGS]
    known = [r for r in media.renditions if r.name in names and r.extension in extensions]
    return sorted(known, key=lambda r: (names.index(r.name), extensions.index(r.extension)))


def public_state(session: Session, media_id: int) -> str:
    """PUBLIC while a live article shows the photo; GONE once none does but a published
    revision did (retracted, or its photo replaced); NOT_FOUND otherwise."""
    live = exists().where(
        MediaUse.media_id == media_id,
        Article.id == MediaUse.article_id,
        Article.live_revision == MediaUse.revision,
        Article.retracted_at.is_(None),
    )
    shown = exists().where(
        MediaUse.media_id == media_id,
        Revision.article_id == MediaUse.article_id,
        Revision.number == MediaUse.revision,
        Revision.status == Status.PUBLISHED,
    )
    is_live, was_shown = session.execute(select(live, shown)).one()
    if is_live:
        return PUBLIC
    return GONE if was_shown else NOT_FOUND


def lead_photo_status(session: Session, revision: Revision) -> str | None:
    """The status of the revision's uploaded lead photo (None if it has none). The photo's row
    stays locked until the transaction ends, so a rendition job finishing meanwhile sees this
    transaction's outcome (see `warta_render.renditions`)."""
    media_id = lead_media_id(revision.submission.get("image"))
    if media_id is None:
        return None
    status: str | None = session.scalar(
        select(Media.status).where(Media.id == media_id).with_for_update(read=True)
    )
    return status
