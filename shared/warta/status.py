"""`warta status`: what the system is doing, at a glance."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import distinct, func, make_url, select
from sqlalchemy.exc import SQLAlchemyError

from warta.db import session_scope
from warta.messages import QUEUES
from warta.models import FEED_CHANGES, TAG_CHANGES, Article, Failure
from warta.outbox import backlog
from warta.redis_client import get_redis
from warta.settings import Settings


def system_status(settings: Settings) -> Iterator[str]:
    try:
        redis = get_redis(settings.redis_url)
        depths = {queue: redis.llen(queue) for queue in QUEUES}
        yield "queues     " + "  ".join(f"{queue}={depth}" for queue, depth in depths.items())
    except Exception as error:
        yield f"queues     unavailable: Redis at {settings.redis_url} ({type(error).__name__})"
    yield "workers    " + _workers(settings)
    try:
        yield from _database_lines(settings)
    except SQLAlchemyError as error:  # not reachable, or not migrated (`warta migrate`)
        yield f"database   unavailable: {type(error).__name__} at {_without_password(settings)}"


def _database_lines(settings: Settings) -> Iterator[str]:
    with session_scope(settings.database_url, writer=False) as session:
        yield f"outbox     {backlog(session)} message(s) waiting for the broker"
        changes = session.scalar(select(func.count()).select_from(FEED_CHANGES))
        tags = session.scalar(select(func.count(distinct(TAG_CHANGES.c.tag))))
        yield f"feeds      {changes} article change(s) waiting for a rebuild, {tags} tag feed(s)"
        open_failures = session.scalar(
            select(func.count()).select_from(Failure).where(Failure.replayed_at.is_(None))
        )
        yield f"failures   {open_failures} open (warta failed list)"
        live = session.scalar(
            select(func.count()).select_from(Article).where(Article.live_revision.is_not(None))
        )
        last = session.scalar(select(func.max(Article.updated_at)))
        yield f"published  {live} article(s); last change {last.isoformat() if last else 'never'}"


def _without_password(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


def _workers(settings: Settings) -> str:
    """Each worker that answers within a second, with the queues it consumes."""
    from warta.celery_app import create_celery

    try:
        queues = create_celery(settings.redis_url).control.inspect(timeout=1.0).active_queues()
        queues = queues or {}
    except Exception as error:
        return f"unavailable ({type(error).__name__})"
    if not queues:
        return "none answering"
    return "  ".join(
        f"{name} [{','.join(sorted(q['name'] for q in consumed))}]"
        for name, consumed in sorted(queues.items())
    )
