"""The feed documents: what the site, each office, each tag and each archive block lists."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warta import document_paths as paths
from warta.articles import live_columns
from warta.documents import stored_etags
from warta.media import LeadImage as Photo
from warta.models import Article, Office, Revision
from warta.settings import Settings
from warta.tags import is_section
from warta.urls import article_url
from warta_feed.changes import ARCHIVE_SIZE, Scope
from warta_feed.compression import store_with_gzip
from warta_feed.feeds import Channel, FeedEntry, LeadImage, build_atom, build_rss
from warta_feed.images import ImageProbe
from warta_feed.jsonfeeds import build_json_feed
from warta_feed.revision_texts import REVISION_TEXTS

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
JSON_FEED = "application/feed+json; charset=utf-8"
FEED_FORMATS = {
    "rss": (RSS, build_rss),
    "atom": (ATOM, build_atom),
    "json": (JSON_FEED, build_json_feed),
}


class FeedDocuments:
    """The feeds of one rebuild, each in RSS, Atom and JSON Feed: the site's, the offices',
    the tags' and the RFC 5005 archives."""

    def __init__(
        self, session: Session, settings: Settings, probe: ImageProbe, last_block: int
    ) -> None:
        self.session, self.settings, self.probe = session, settings, probe
        self.base = settings.public_base_url
        # Entries built once per rebuild, though an article appears in several feeds.
        self.entries: dict[tuple[int, int], FeedEntry] = {}
        self.last_block = last_block

    def channel(
        self, path: str, title: str, description: str, page: str = f"{paths.SITE_LISTING}/"
    ) -> Channel:
        settings = self.settings
        return Channel(
            title=title,
            description=description,
            site_url=f"{self.base}/{page}",
            feed_url=f"{self.base}/{path}",
            language=settings.site_language,
            hub_url=settings.websub_hub_url,
        )

    def store_feed(self, path: str, channel: Channel, entries: list[FeedEntry]) -> list[str]:
        documents = {
            paths.feed_document(path, kind): (content_type, build(channel, entries))
            for kind, (content_type, build) in FEED_FORMATS.items()
        }
        return store_with_gzip(self.session, documents)

    def entries_of(self, *criteria: Any, limit: int | None = None) -> list[FeedEntry]:
        """The live articles that meet `criteria`, newest first, as feed entries. Only what
        can change is read each time; a revision's texts come from `REVISION_TEXTS`."""
        rows = self.session.execute(
            live_columns(
                Article.id,
                Article.guid,
                Article.published_at,
                Article.updated_at,
                Office.name,
                Revision.number,
                Revision.progressed_at,
            )
            .join(Article.office)
            .where(*criteria)
            .order_by(Article.published_at.desc(), Article.id.desc())
            .limit(limit)
        ).all()
        keys = [(row.id, row.number, row.progressed_at) for row in rows]
        texts = REVISION_TEXTS.get(self.session, keys, self.base)
        entries = []
        for article_id, guid, published, updated, office, number, _ in rows:
            key = (article_id, number)
            if key not in self.entries:
                if len(self.entries) > 10_000:  # a full rebuild of a large archive
                    self.entries.clear()
                text = texts[key]
                assert published is not None, "a live article has been published"
                self.entries[key] = FeedEntry(
                    guid=guid,
                    url=article_url(self.base, article_id, text.slug),
                    title=text.title,
                    summary=text.excerpt,
                    content_html=text.body_html,
                    author=office,
                    published=published,
                    updated=updated or published,
                    language=text.language,
                    categories=text.categories,
                    image=self.lead_image(text.image),
                )
            entries.append(self.entries[key])
        return entries

    def lead_image(self, photo: Photo | None) -> LeadImage | None:
        """The entry's image: an uploaded photo's article-width JPEG, whose length and size are
        on record; an office's own image as its server described it (`probe`)."""
        if photo is None:
            return None
        image = LeadImage(
            photo.url,
            photo.caption,
            photo.credit,
            photo.length,
            photo.media_type,
            photo.alt,
            photo.width,
            photo.height,
        )
        if photo.media_id is None:
            facts = self.probe.facts(photo.url)
            image = replace(image, length=facts.length, media_type=facts.media_type)
        return image

    def feeds(self, scope: Scope) -> list[str]:
        site, size = self.settings.site_name, self.settings.feed_size
        channel = self.channel(paths.SITE_FEED, site, f"Berita terbaru dari {site}")
        if self.last_block:
            channel = _with_archives(channel, prev=f"{self.base}/archives/{self.last_block}")
        changed = self.store_feed(paths.SITE_FEED, channel, self.entries_of(limit=size))
        offices = select(Office)
        if not scope.full:
            offices = offices.where(Office.id.in_(scope.office_ids))
        for office in self.session.scalars(offices).all():
            path = paths.office_feed(office.slug)
            channel = self.channel(
                path,
                f"{office.name} — {site}",
                f"Berita dari {office.name}",
                f"offices/{office.slug}/",
            )
            entries = self.entries_of(Article.office_id == office.id, limit=size)
            changed += self.store_feed(path, channel, entries)
        return changed

    def tag_feeds(self, tags: set[str]) -> list[str]:
        """Tags live in a JSON column, which no index reaches on every database: one pass over
        the live articles, newest first, fills every tag's feed and stops once all are full."""
        site, size = self.settings.site_name, self.settings.feed_size
        members: dict[str, list[int]] = {tag: [] for tag in tags}
        labels: dict[str, str] = {}
        open_tags = set(tags)
        rows = self.session.execute(
            live_columns(Article.id, Revision.tags)
            .order_by(Article.published_at.desc(), Article.id.desc())
            # Small fetches: the pass usually ends within the newest few hundred, and each
            # row fetched has its tags decoded.
            .execution_options(yield_per=250)
        )
        for article_id, revision_tags in rows:
            for tag in revision_tags or []:
                slug = tag["slug"]
                if slug in open_tags and is_section(tag):
                    members[slug].append(article_id)
                    labels.setdefault(slug, tag["label"])
                    if len(members[slug]) == size:
                        open_tags.discard(slug)
            if not open_tags:
                break
        rows.close()
        changed = []
        for slug, ids in sorted(members.items()):
            label = labels.get(slug, slug)
            path = paths.tag_feed(slug)
            channel = self.channel(
                path, f"{label} — {site}", f"Berita bertopik {label}", f"tags/{slug}/"
            )
            entries = self.entries_of(Article.id.in_(ids)) if ids else []
            changed += self.store_feed(path, channel, entries)
        return changed

    def new_archive(self) -> list[str]:
        """The newest archive block when it has no document yet, since the site's feed links it
        (the block before it gains its next-archive link in the job that follows)."""
        if not self.last_block or stored_etags(
            self.session, [paths.feed_document(paths.archive_feed(self.last_block), "rss")]
        ):
            return []
        return self.archive(self.last_block)

    def archives(self, blocks: set[int]) -> list[str]:
        """RFC 5005 archives: block n holds the articles with ids (n-1)*100+1 to n*100, so a
        block, once its ids are all taken, changes only with a revision or a retraction."""
        blocks = set(blocks)
        if self.last_block in blocks:
            # An article went into the newest block, which may be new: the block before it
            # then gains its next-archive link (unchanged bytes are not written again).
            blocks.add(self.last_block - 1)
        return [
            path
            for block in sorted(b for b in blocks if 1 <= b <= self.last_block)
            for path in self.archive(block)
        ]

    def archive(self, block: int) -> list[str]:
        first, last = (block - 1) * ARCHIVE_SIZE + 1, block * ARCHIVE_SIZE
        channel = _with_archives(
            self.channel(paths.archive_feed(block), self.settings.site_name, f"Arsip {block}"),
            current=f"{self.base}/feed",
            prev=f"{self.base}/archives/{block - 1}" if block > 1 else None,
            next=f"{self.base}/archives/{block + 1}" if block < self.last_block else None,
        )
        entries = self.entries_of(Article.id.between(first, last))
        return self.store_feed(paths.archive_feed(block), channel, entries)


def _with_archives(
    channel: Channel, *, prev: str | None, current: str | None = None, next: str | None = None
) -> Channel:
    return replace(channel, prev_archive_url=prev, current_url=current, next_archive_url=next)
