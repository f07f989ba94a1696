"""Rebuilding the public documents when the live set changes: the feeds worker runs these in
one transaction each, as jobs coalesced from many publishes."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from warta import document_paths as paths
from warta.models import ARCHIVE_CHANGES, FEED_CHANGES, TAG_CHANGES, utcnow
from warta.redis_client import get_redis
from warta.settings import Settings
from warta_feed.changes import forget_changes, newest_block, rebuild_scope, recorded
from warta_feed.feed_documents import FeedDocuments
from warta_feed.images import ImageProbe, image_probe
from warta_feed.sitemap_documents import SitemapDocuments
from warta_feed.websub import HttpHub, Hub, NoHub

REBUILD_COUNT_KEY = "warta:feeds:rebuilds"  # how many rebuilds ran, for operators

# Set once a full rebuild has been committed; without it (a new deployment, Redis wiped), the
# next rebuild redoes everything. Named for the layout of the documents: a deployment that
# changes it (":2", article sitemaps of 1,000 ids, not 50,000) rewrites them all once.
BUILT_KEY = "warta:feeds:built:2"


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
    last_block = newest_block(session)
    probe = probe or image_probe(settings.image_probe, redis)
    feeds = FeedDocuments(session, settings, probe, last_block)
    sitemaps = SitemapDocuments(session, settings, last_block)
    changed = feeds.feeds(scope) + feeds.new_archive() + sitemaps.sitemaps(scope)
    if scope.full:
        scope.archive_blocks = set(range(1, last_block + 1))
    if scope.tags:
        session.execute(insert(TAG_CHANGES), [{"tag": tag} for tag in sorted(scope.tags)])
    if scope.archive_blocks:
        blocks = [{"block": block} for block in sorted(scope.archive_blocks)]
        session.execute(insert(ARCHIVE_CHANGES), blocks)
    forget_changes(session, FEED_CHANGES, scope.change_ids)
    _on_commit(session, settings, hub, changed, lambda: redis.set(BUILT_KEY, started.isoformat()))
    return changed


def rebuild_tag_feeds_and_archives(
    session: Session, settings: Settings, *, probe: ImageProbe | None = None, hub: Hub | None = None
) -> list[str]:
    """Rebuild, in the transaction of `session`, the feeds of the tags and the archive blocks
    that the main rebuilds since the last run recorded; returns the paths whose bytes changed."""
    tags = recorded(session, TAG_CHANGES, TAG_CHANGES.c.tag)
    blocks = recorded(session, ARCHIVE_CHANGES, ARCHIVE_CHANGES.c.block)
    if not tags and not blocks:
        return []
    redis = get_redis(settings.redis_url)
    probe = probe or image_probe(settings.image_probe, redis)
    feeds = FeedDocuments(session, settings, probe, newest_block(session))
    changed = feeds.tag_feeds(set(tags.values())) + feeds.archives(set(blocks.values()))
    forget_changes(session, TAG_CHANGES, list(tags))
    forget_changes(session, ARCHIVE_CHANGES, list(blocks))
    _on_commit(session, settings, hub, changed)
    return changed


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
