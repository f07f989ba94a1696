"""Page views, counted like the samples' "kali dilihat": once per reader per hour.

A reader is a hash of the IP address and the User-Agent (no cookies). Counting is one pipelined
Redis round trip on the article page; a task flushes the counts to `Article.views` and asks for
the pages to be composed again, so the cards show fresh counts while every page stays stored
bytes. The first view after a flush schedules the next flush (debounced, like the rebuilds), so
no scheduler process is needed."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime
from typing import cast

from redis import Redis
from sqlalchemy import update
from sqlalchemy.orm import Session

from warta.celery_app import app
from warta.coalescing import note_listing_change
from warta.db import session_scope
from warta.messages import FLUSH_VIEWS
from warta.models import Article
from warta.redis_client import get_redis
from warta.settings import get_settings
from warta.stages import STAGE_TASK_OPTIONS

log = logging.getLogger(__name__)

# warta:views:readers:<hour>:<article id> is the set of readers who saw the article that hour;
# warta:views:buckets lists those sets; warta:views:flushed holds how many of each set were
# already added to the database.
READERS_KEY = "warta:views:readers:{hour}:{article_id}"
BUCKETS_KEY = "warta:views:buckets"
FLUSHED_KEY = "warta:views:flushed"
FLUSH_PENDING_KEY = "warta:views:flush-pending"
FLUSH_LOCK_KEY = "warta:views:flush-lock"
# A reader set outlives its hour long enough for the last flush of that hour to read it.
READERS_TTL = 3 * 3600
# Should the flush message be lost, the flag expires and a later view asks again.
FLUSH_PENDING_TTL = 600

# Crawlers, link previews, monitors and scripted clients: not readers.
BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|preview|facebookexternalhit|embedly|feedfetcher|"
    r"monitor|pingdom|lighthouse|headlesschrome|phantomjs|curl|wget|python-|httpx|"
    r"go-http-client|java/|okhttp|libwww|scrapy|axios|node-fetch",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOT_AGENTS.search(user_agent))


def reader_id(ip: str, user_agent: str) -> str:
    return hashlib.sha256(f"{ip}\n{user_agent}".encode()).hexdigest()[:16]


def hour_of(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%d%H")


def count_view(
    redis: Redis,
    article_id: int,
    ip: str,
    user_agent: str,
    now: datetime,
    flush_pending_ttl: int = FLUSH_PENDING_TTL,
) -> bool:
    """Count a view unless it comes from a bot (one round trip). Returns whether the caller
    should schedule a flush: only the first view after the last flush does."""
    if is_bot(user_agent):
        return False
    readers = READERS_KEY.format(hour=hour_of(now), article_id=article_id)
    pipe = redis.pipeline(transaction=False)
    pipe.sadd(readers, reader_id(ip, user_agent))
    pipe.expire(readers, READERS_TTL)
    pipe.sadd(BUCKETS_KEY, readers)
    pipe.set(FLUSH_PENDING_KEY, "1", nx=True, ex=flush_pending_ttl)
    *_, claimed = pipe.execute()
    return bool(claimed)


def flush_views(redis: Redis, session: Session, now: datetime) -> dict[int, int]:
    """Add the views counted since the last flush to the articles; returns them by article.

    The database commit comes before the Redis bookkeeping: a crash in between counts a few
    views twice rather than losing them."""
    current_hour = hour_of(now)
    added: dict[int, int] = {}
    finished: list[str] = []
    counted: dict[str, int] = {}
    for raw in sorted(cast(set[bytes], redis.smembers(BUCKETS_KEY))):
        bucket = raw.decode() if isinstance(raw, bytes) else str(raw)
        _, _, _, hour, article = bucket.split(":")
        readers = cast(int, redis.scard(bucket))
        flushed = int(cast(bytes | None, redis.hget(FLUSHED_KEY, bucket)) or 0)
        if readers > flushed:
            added[int(article)] = added.get(int(article), 0) + readers - flushed
            counted[bucket] = readers
        if hour < current_hour:
            finished.append(bucket)  # no reader can join a past hour's set
    for article_id, views in added.items():
        session.execute(
            update(Article).where(Article.id == article_id).values(views=Article.views + views)
        )
    session.commit()
    pipe = redis.pipeline()
    if counted:
        pipe.hset(FLUSHED_KEY, mapping=counted)
    if finished:
        pipe.srem(BUCKETS_KEY, *finished)
        pipe.hdel(FLUSHED_KEY, *finished)
    pipe.execute()
    return added


@app.task(name=FLUSH_VIEWS, **STAGE_TASK_OPTIONS)
def flush() -> None:
    settings = get_settings()
    redis = get_redis(settings.redis_url)
    # One flush at a time: two would both add the same new readers.
    if not redis.set(FLUSH_LOCK_KEY, "1", nx=True, ex=300):
        app.send_task(FLUSH_VIEWS, countdown=settings.views_flush_seconds)
        return
    try:
        # Cleared first: a view counted from now on schedules the next flush.
        redis.delete(FLUSH_PENDING_KEY)
        with session_scope(settings.database_url) as session:
            added = flush_views(redis, session, datetime.now(UTC))
    finally:
        redis.delete(FLUSH_LOCK_KEY)
    log.info("flushed views of %d articles", len(added))
    if added:  # the cards show the new counts once the relay has the pages composed again
        with session_scope(settings.database_url) as session:
            note_listing_change(session, "views")
