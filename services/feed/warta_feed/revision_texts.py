"""What a feed entry shows of a live revision, read once per process."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from warta.articles import LEAD_IMAGE
from warta.db import in_batches
from warta.media import LeadImage as Photo
from warta.media import lead_images
from warta.models import Revision


@dataclass(frozen=True)
class RevisionText:
    """What a feed entry shows of a revision: fixed once the revision is live."""

    title: str
    slug: str
    excerpt: str
    body_html: str
    language: str | None
    categories: tuple[tuple[str, str], ...]  # (slug, label)
    # The lead image: an uploaded photo with its renditions (ready, since publishing waited for
    # it, and so fixed), or an office's own image's URL and texts.
    image: Photo | None


class RevisionTexts:
    """The texts of the revisions the feeds list, read from the database once per process:
    every rebuild lists the same newest articles in several feeds, and reading their bodies,
    tags and photos each time cost more than the rest of the rebuild. Read again when the
    revision's `progressed_at` moved (a stage wrote it since)."""

    def __init__(self, size: int = 5000) -> None:
        self.size = size
        self.texts: OrderedDict[tuple[int, int], tuple[datetime, RevisionText]] = OrderedDict()

    def get(
        self, session: Session, keys: list[tuple[int, int, datetime]], public_base_url: str
    ) -> dict[tuple[int, int], RevisionText]:
        """The text of each `(article id, revision number, progressed_at)`."""
        missing = [key[:2] for key in keys if self.texts.get(key[:2], (None,))[0] != key[2]]
        for chunk in in_batches(missing):
            rows = session.execute(
                select(
                    Revision.article_id,
                    Revision.number,
                    Revision.progressed_at,
                    Revision.title,
                    Revision.slug,
                    Revision.excerpt,
                    Revision.body_html,
                    Revision.language,
                    Revision.tags,
                    LEAD_IMAGE.label("image"),
                ).where(tuple_(Revision.article_id, Revision.number).in_(chunk))
            ).all()
            images = lead_images(session, [row.image for row in rows], public_base_url)
            for row, image in zip(rows, images, strict=True):
                assert row.title and row.slug, "a live revision went through normalise"
                text = RevisionText(
                    row.title,
                    row.slug,
                    row.excerpt or "",
                    row.body_html or "",
                    row.language,
                    tuple((tag["slug"], tag["label"]) for tag in row.tags or []),
                    image,
                )
                self.texts[(row.article_id, row.number)] = (row.progressed_at, text)
        found = {}
        for article_id, number, _ in keys:
            self.texts.move_to_end((article_id, number))
            found[(article_id, number)] = self.texts[(article_id, number)][1]
        while len(self.texts) > max(self.size, len(keys)):
            self.texts.popitem(last=False)
        return found


REVISION_TEXTS = RevisionTexts()
