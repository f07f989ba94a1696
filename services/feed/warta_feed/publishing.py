"""Going live, and rebuilding the public documents (debounced) when the live set changes."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from redis import Redis
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager

from warta.documents import prune_documents, store_document
from warta.models import SCHEDULED, Article, Revision, utcnow
from warta.settings import Settings
from warta.urls import article_url
from warta_feed.feeds import Channel, FeedEntry, build_atom, build_rss
from warta_feed.sitemaps import SitemapUrl, build_index, build_urlset, chunked

log = logging.getLogger(__name__)

REBUILD_PENDING_KEY = "warta:feeds:rebuild-pending"
REBUILD_COUNT_KEY = "warta:feeds:rebuilds"  # how many rebuilds ran, for operators
# A burst of publishes within this window costs one rebuild.
REBUILD_DELAY_SECONDS = 1.0
# Should the rebuild message be lost, the flag expires and the next publish asks again.
REBUILD_PENDING_TTL = 60

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"


def go_live(revision: Revision) -> str | None:
    """Make `revision` the article's live one; returns `scheduled` if its time has not come."""
    now = utcnow()
    if revision.publish_at > now:
        return SCHEDULED
    article = revision.article
    if article.retracted_at is not None:
        return None
    if article.live_revision is not None and article.live_revision >= revision.number:
        return None  # a newer revision is live already; this one only completes its stages
    article.live_revision = revision.number
    if article.published_at is None:
        article.published_at = revision.publish_at
        article.updated_at = revision.publish_at
    else:
        article.updated_at = now
    return None


def claim_rebuild(redis: Redis) -> bool:
    """Whether the caller should schedule a rebuild: only the first publish of a burst does."""
    return bool(redis.set(REBUILD_PENDING_KEY, "1", nx=True, ex=REBUILD_PENDING_TTL))


def start_rebuild(redis: Redis) -> None:
    # Cleared before reading the database: a publish committed from now on asks again.
    redis.pipeline().delete(REBUILD_PENDING_KEY).incr(REBUILD_COUNT_KEY).execute()


def live_articles() -> Select[tuple[Article, Revision]]:
    return (
        select(Article, Revision)
        .join(
            Revision,
            (Revision.article_id == Article.id) & (Revision.number == Article.live_revision),
        )
        .join(Article.office)
        .options(contains_eager(Article.office))
        .where(Article.retracted_at.is_(None))
    )


def rebuild_documents(session: Session, settings: Settings) -> list[str]:
    """Rebuild every feed and sitemap; returns the paths whose bytes changed."""
    changed = []
    base = settings.public_base_url
    newest = session.execute(
        live_articles()
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(settings.feed_size)
    ).all()
    entries = [_feed_entry(article, revision, base) for article, revision in newest]
    channel = Channel(
        title=settings.site_name,
        description=f"Berita terbaru dari {settings.site_name}",
        site_url=f"{base}/berita/",
        feed_url=f"{base}/feed",
        language=settings.site_language,
        hub_url=settings.websub_hub_url,
    )
    for path, content_type, body in (
        ("feed.rss", RSS, build_rss(channel, entries)),
        ("feed.atom", ATOM, build_atom(channel, entries)),
    ):
        if store_document(session, path, content_type, body):
            changed.append(path)
    changed.extend(_rebuild_sitemaps(session, base))
    return changed


def _feed_entry(article: Article, revision: Revision, base_url: str) -> FeedEntry:
    assert article.published_at is not None and revision.slug and revision.title
    return FeedEntry(
        guid=article.guid,
        url=article_url(base_url, article.id, revision.slug),
        title=revision.title,
        summary=revision.excerpt or "",
        content_html=revision.body_html or "",
        author=article.office.name,
        published=article.published_at,
        updated=article.updated_at or article.published_at,
        categories=[(tag["slug"], tag["label"]) for tag in revision.tags or []],
    )


def _sitemap_urls(session: Session, base_url: str) -> Iterator[SitemapUrl]:
    rows = session.execute(
        select(Article.id, Article.published_at, Article.updated_at, Revision.slug)
        .join(
            Revision,
            (Revision.article_id == Article.id) & (Revision.number == Article.live_revision),
        )
        .where(Article.retracted_at.is_(None))
        .order_by(Article.id)
        .execution_options(yield_per=5000)
    )
    for article_id, published_at, updated_at, slug in rows:
        yield SitemapUrl(article_url(base_url, article_id, slug), updated_at or published_at)


def _rebuild_sitemaps(session: Session, base_url: str) -> list[str]:
    changed, index, paths = [], [], set()
    for number, chunk in enumerate(chunked(_sitemap_urls(session, base_url)), start=1):
        path = f"sitemaps/articles-{number}.xml"
        if store_document(session, path, XML, build_urlset(chunk)):
            changed.append(path)
        paths.add(path)
        index.append(SitemapUrl(f"{base_url}/{path}", max(url.lastmod for url in chunk)))
    prune_documents(session, "sitemaps/", paths)
    if store_document(session, "sitemap.xml", XML, build_index(index)):
        changed.append("sitemap.xml")
    return changed
