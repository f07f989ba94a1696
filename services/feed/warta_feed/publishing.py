"""Going live, and rebuilding the public documents (debounced) when the live set changes."""

from __future__ import annotations

import gzip
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, event, func, insert, select, tuple_
from sqlalchemy.orm import Session

from warta import document_paths as paths
from warta.articles import LEAD_IMAGE, live_columns, note_feed_change
from warta.db import in_batches
from warta.documents import prune_documents, store_documents, stored_etags, strong_etag
from warta.media import MAIN_RENDITION, lead_images, rendition_url
from warta.media import LeadImage as Photo
from warta.models import (
    ARCHIVE_CHANGES,
    FEED_CHANGES,
    TAG_CHANGES,
    Article,
    Document,
    Office,
    Revision,
    utcnow,
)
from warta.pipeline import Status
from warta.redis_client import get_redis
from warta.settings import Settings
from warta.tags import is_section
from warta.urls import article_url
from warta_feed.feeds import Channel, FeedEntry, LeadImage, build_atom, build_rss
from warta_feed.images import ImageProbe, image_probe
from warta_feed.jsonfeeds import build_json_feed
from warta_feed.sitemaps import (
    MAX_NEWS_URLS,
    NewsUrl,
    SitemapUrl,
    build_index,
    build_news_sitemap,
    build_urlset,
    id_range,
    sitemap_number,
)
from warta_feed.websub import HttpHub, Hub, NoHub

log = logging.getLogger(__name__)

REBUILD_COUNT_KEY = "warta:feeds:rebuilds"  # how many rebuilds ran, for operators

# Set once a full rebuild has been committed; without it (a new deployment, Redis wiped), the
# next rebuild redoes everything. Named for the layout of the documents: a deployment that
# changes it (":2", article sitemaps of 1,000 ids, not 50,000) rewrites them all once.
BUILT_KEY = "warta:feeds:built:2"
# The most changes one rebuild takes on; the rest wait for the next one.
MAX_CHANGES = 20_000
# RFC 5005 archive documents hold the articles of one block of ids each.
ARCHIVE_SIZE = 100
NEWS_WINDOW = timedelta(hours=48)

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
JSON_FEED = "application/feed+json; charset=utf-8"
XML = "application/xml; charset=utf-8"
FEED_FORMATS = {
    "rss": (RSS, build_rss),
    "atom": (ATOM, build_atom),
    "json": (JSON_FEED, build_json_feed),
}
# A feed of 50 real reports (89 KB): level 6 took 2.3 ms for 20.1 KB, level 4 1.2 ms for
# 20.9 KB, level 1 0.7 ms for 24.1 KB. Every rebuild compresses a few dozen documents.
GZIP_LEVEL = 4


def go_live(session: Session, revision: Revision) -> str | None:
    """Make `revision` the article's live one; returns `scheduled` if its time has not come."""
    now = utcnow()
    if revision.publish_at > now:
        return Status.SCHEDULED
    article = revision.article
    if article.retracted_at is not None:
        return None
    if article.live_revision is not None and article.live_revision >= revision.number:
        return None  # a newer revision is live already; this one only completes its stages
    article.live_revision = revision.number
    article.changed_at = now
    note_feed_change(session, article.id)
    if article.published_at is None:
        article.published_at = revision.publish_at
        article.updated_at = revision.publish_at
    else:
        article.updated_at = now
    return None


def archive_block(article_id: int) -> int:
    return (article_id - 1) // ARCHIVE_SIZE + 1


@dataclass
class Scope:
    """What one rebuild redoes: the global feed and the news sitemap always; the rest only
    where an article changed (everything when `full`). `change_ids` are the change rows read;
    `tags` and `archive_blocks` are what `rebuild_tag_feeds_and_archives` must redo after it."""

    full: bool
    office_ids: set[int] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    archive_blocks: set[int] = field(default_factory=set)
    sitemaps: set[int] = field(default_factory=set)
    change_ids: list[int] = field(default_factory=list)


def rebuild_scope(session: Session, full: bool) -> Scope:
    """The feeds and sitemaps that the changed articles (published, revised, retracted) appear
    in, before or after the change."""
    changes = session.execute(
        select(FEED_CHANGES.c.id, FEED_CHANGES.c.article_id)
        .order_by(FEED_CHANGES.c.id)
        .limit(MAX_CHANGES)
    ).all()
    scope = Scope(full=full, change_ids=[change_id for change_id, _ in changes])
    if full:
        scope.tags = _every_tag(session)
        return scope
    ids = sorted({article_id for _, article_id in changes})
    for chunk in in_batches(ids):
        for article_id, office_id in session.execute(
            select(Article.id, Article.office_id).where(Article.id.in_(chunk))
        ):
            scope.office_ids.add(office_id)
            scope.archive_blocks.add(archive_block(article_id))
            scope.sitemaps.add(sitemap_number(article_id))
        # Every revision's tags: a tag that a new revision dropped loses the article too.
        for tags in session.scalars(select(Revision.tags).where(Revision.article_id.in_(chunk))):
            scope.tags.update(tag["slug"] for tag in tags or [] if is_section(tag))
    return scope


def _every_tag(session: Session) -> set[str]:
    """The tags of every live article, and those that have a feed still (whose every article
    has gone since)."""
    tag_feeds = paths.feed_document(paths.tag_feed("%"), "rss")
    stored = session.scalars(select(Document.path).where(Document.path.like(tag_feeds)))
    tags = {path.split("/")[1] for path in stored}
    rows = session.execute(
        live_columns(Article.id, Revision.tags).execution_options(yield_per=1000)
    )
    for _, revision_tags in rows:
        tags.update(tag["slug"] for tag in revision_tags or [] if is_section(tag))
    return tags


def rebuild_documents(
    session: Session,
    settings: Settings,
    *,
    probe: ImageProbe | None = None,
    hub: Hub | None = None,
    full: bool = False,
) -> list[str]:
    """Rebuild, in the transaction of `session`, the site's and the offices' feeds and the
    sitemaps that changed since the last rebuild (all of them with `full`, or when there is no
    record of one); returns the paths whose bytes changed. Once the session commits, the
    rebuild is recorded and the WebSub hub is told.

    The tags' feeds and the archives that change too are recorded for
    `rebuild_tag_feeds_and_archives`, which the worker runs as a job of its own: a stream of
    reports on many topics touches dozens of tag feeds, the newest archive is rewritten with
    each new report, and the feeds that aggregators poll most, and the sitemaps, need not wait
    for them. Only a new newest archive is written at once, since the site's feed links it."""
    redis = get_redis(settings.redis_url)
    started = utcnow()
    scope = rebuild_scope(session, full or not redis.exists(BUILT_KEY))
    builder = _Builder(session, settings, probe or image_probe(settings.image_probe, redis))
    changed = builder.feeds(scope) + builder.new_archive() + builder.sitemaps(scope)
    if scope.full:
        scope.archive_blocks = set(range(1, builder.last_block + 1))
    if scope.tags:
        session.execute(insert(TAG_CHANGES), [{"tag": tag} for tag in sorted(scope.tags)])
    if scope.archive_blocks:
        blocks = [{"block": block} for block in sorted(scope.archive_blocks)]
        session.execute(insert(ARCHIVE_CHANGES), blocks)
    _forget_changes(session, FEED_CHANGES, scope.change_ids)
    _on_commit(session, settings, hub, changed, lambda: redis.set(BUILT_KEY, started.isoformat()))
    return changed


def rebuild_tag_feeds_and_archives(
    session: Session, settings: Settings, *, probe: ImageProbe | None = None, hub: Hub | None = None
) -> list[str]:
    """Rebuild, in the transaction of `session`, the feeds of the tags and the archive blocks
    that the main rebuilds since the last run recorded; returns the paths whose bytes changed."""
    tags = _recorded(session, TAG_CHANGES, TAG_CHANGES.c.tag)
    blocks = _recorded(session, ARCHIVE_CHANGES, ARCHIVE_CHANGES.c.block)
    if not tags and not blocks:
        return []
    redis = get_redis(settings.redis_url)
    builder = _Builder(session, settings, probe or image_probe(settings.image_probe, redis))
    changed = builder.tag_feeds(set(tags.values())) + builder.archives(set(blocks.values()))
    _forget_changes(session, TAG_CHANGES, list(tags))
    _forget_changes(session, ARCHIVE_CHANGES, list(blocks))
    _on_commit(session, settings, hub, changed)
    return changed


def _recorded(session: Session, table: Table, column: Any) -> dict[int, Any]:
    """The oldest rows of a change table, up to MAX_CHANGES: id -> what changed."""
    rows = session.execute(select(table.c.id, column).order_by(table.c.id).limit(MAX_CHANGES))
    return {change_id: changed for change_id, changed in rows}


def _forget_changes(session: Session, table: Table, change_ids: list[int]) -> None:
    # By id, not "up to the newest": a change with a smaller id may commit after this read.
    for chunk in in_batches(change_ids):
        session.execute(delete(table).where(table.c.id.in_(chunk)))


def _on_commit(
    session: Session,
    settings: Settings,
    hub: Hub | None,
    changed: list[str],
    then: Callable[[], object] = lambda: None,
) -> None:
    """Once `session` commits: run `then`, and tell the WebSub hub of the feeds that changed."""
    base = settings.public_base_url
    topics = [f"{base}/{path}" for path in changed if path.startswith(paths.FEED_PREFIXES)]
    if hub is None:
        hub = HttpHub(settings.websub_hub_url) if settings.websub_hub_url else NoHub()

    def committed(_: Session) -> None:
        then()
        hub.publish(topics)

    event.listen(session, "after_commit", committed, once=True)


def store_with_gzip(session: Session, documents: Mapping[str, tuple[str, bytes]]) -> list[str]:
    """Store each `path: (content_type, body)` and its gzip variant (mtime 0: the same bytes
    give the same gzip); returns the paths whose bytes changed. Only those are compressed."""
    stored = stored_etags(
        session, [p for path in documents for p in (path, path + paths.GZIP_SUFFIX)]
    )
    written: dict[str, tuple[str, bytes]] = {}
    etags: dict[str, str] = {}
    for path, (content_type, body) in documents.items():
        etags[path] = strong_etag(body)
        if stored.get(path) != etags[path] or path + paths.GZIP_SUFFIX not in stored:
            written[path] = (content_type, body)
            packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
            written[path + paths.GZIP_SUFFIX] = (content_type, packed)
    changed = store_documents(session, written, stored, etags)
    return [path for path in documents if path in changed]


class _Builder:
    def __init__(self, session: Session, settings: Settings, probe: ImageProbe) -> None:
        self.session, self.settings, self.probe = session, settings, probe
        self.base = settings.public_base_url
        # Entries built once per rebuild, though an article appears in several feeds.
        self.entries: dict[tuple[int, int], FeedEntry] = {}
        newest_id = session.scalar(
            select(func.max(Article.id)).where(Article.live_revision.is_not(None))
        )
        self.last_block = archive_block(newest_id) if newest_id else 0

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

    def sitemaps(self, scope: Scope) -> list[str]:
        changed: list[str] = []
        now = utcnow()
        numbers = scope.sitemaps
        if scope.full:
            numbers = set(range(1, sitemap_number(self.last_block * ARCHIVE_SIZE or 1) + 1))
        for number in sorted(numbers):
            path = paths.article_sitemap(number)
            urls = list(self.sitemap_urls(number))
            if not urls:
                prune_documents(self.session, path, set())
                continue
            changed += store_with_gzip(self.session, {path: (XML, build_urlset(urls))})
            del urls
        news = (
            live_columns(
                Article.id, Revision.slug, Revision.title, Revision.language, Article.published_at
            )
            .where(Article.published_at >= now - NEWS_WINDOW)
            .order_by(Article.published_at.desc(), Article.id.desc())
            .limit(MAX_NEWS_URLS)
        )
        items = [
            NewsUrl(
                article_url(self.base, article_id, slug or ""),
                title or "",
                language or self.settings.site_language,
                published_at or now,
            )
            for article_id, slug, title, language, published_at in self.session.execute(news)
        ]
        body = build_news_sitemap(items, self.settings.site_name)
        changed += store_with_gzip(self.session, {paths.NEWS_SITEMAP: (XML, body)})
        index = build_index(self.sitemap_index())
        changed += store_with_gzip(self.session, {paths.SITEMAP_INDEX: (XML, index)})
        return changed

    def sitemap_urls(self, number: int) -> Iterator[SitemapUrl]:
        first, last = id_range(number)
        rows = self.session.execute(
            live_columns(
                Article.id,
                Article.published_at,
                Article.updated_at,
                Revision.slug,
                LEAD_IMAGE["url"].as_string(),
                LEAD_IMAGE["media"].as_integer(),
            )
            .where(Article.id.between(first, last))
            .order_by(Article.id)
            .execution_options(yield_per=5000)
        )
        for article_id, published_at, updated_at, slug, image_url, media_id in rows:
            if media_id is not None:  # an uploaded photo: its URL is known without a query
                image_url = rendition_url(self.base, media_id, *MAIN_RENDITION)
            yield SitemapUrl(
                article_url(self.base, article_id, slug), updated_at or published_at, image_url
            )

    def sitemap_index(self) -> Iterable[SitemapUrl]:
        rows = self.session.execute(
            select(Document.path, Document.updated_at).where(
                Document.path.like(f"{paths.ARTICLE_SITEMAP_PREFIX}%.xml")
                | (Document.path == paths.NEWS_SITEMAP)
            )
        ).all()
        numbered = sorted(rows, key=lambda row: paths.article_sitemap_number(row[0]) or 0)
        return [SitemapUrl(f"{self.base}/{path}", updated_at) for path, updated_at in numbered]


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


def _with_archives(
    channel: Channel, *, prev: str | None, current: str | None = None, next: str | None = None
) -> Channel:
    return replace(channel, prev_archive_url=prev, current_url=current, next_archive_url=next)
