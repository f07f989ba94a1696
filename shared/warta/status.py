"""`warta status`: what the system is doing, at a glance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import distinct, func, make_url, select
from sqlalchemy.exc import SQLAlchemyError

from warta.db import session_scope
from warta.messages import EVERY_QUEUE
from warta.models import (
    ARCHIVE_CHANGES,
    FEED_CHANGES,
    LISTING_CHANGES,
    TAG_CHANGES,
    Article,
    Failure,
)
from warta.outbox import backlog
from warta.redis_client import get_redis
from warta.settings import Settings


class Line(NamedTuple):
    """One line of the status: `ok` is False when the part could not be asked."""

    part: str
    text: str
    ok: bool = True

    def __str__(self) -> str:
        return f"{self.part:<10} {self.text}"


def system_status(settings: Settings) -> Iterator[Line]:
    try:
        redis = get_redis(settings.redis_url)
        depths = {queue: redis.llen(queue) for queue in EVERY_QUEUE}
        yield Line("queues", "  ".join(f"{queue}={depth}" for queue, depth in depths.items()))
    except Exception as error:
        redis_url = _without_password(settings.redis_url)
        yield Line("queues", f"unavailable: Redis at {redis_url} ({type(error).__name__})", False)
    yield _workers(settings)
    try:
        yield from _database_lines(settings)
    except SQLAlchemyError as error:  # not reachable, or not migrated (`warta migrate`)
        database_url = _without_password(settings.database_url)
        yield Line("database", f"unavailable: {type(error).__name__} at {database_url}", False)


def _database_lines(settings: Settings) -> Iterator[Line]:
    with session_scope(settings.database_url, writer=False) as session:
        yield Line("outbox", f"{backlog(session)} message(s) waiting for the broker")
        changes = session.scalar(select(func.count()).select_from(FEED_CHANGES))
        tags = session.scalar(select(func.count(distinct(TAG_CHANGES.c.tag))))
        blocks = session.scalar(select(func.count(distinct(ARCHIVE_CHANGES.c.block))))
        listings = session.scalar(select(func.count()).select_from(LISTING_CHANGES))
        yield Line(
            "feeds",
            f"{changes} article change(s) waiting for a rebuild, {tags} tag feed(s), "
            f"{blocks} archive(s), {listings} request(s) for the listing pages",
        )
        open_failures = session.scalar(
            select(func.count()).select_from(Failure).where(Failure.replayed_at.is_(None))
        )
        yield Line("failures", f"{open_failures} open (warta failed list)")
        live = session.scalar(
            select(func.count()).select_from(Article).where(Article.live_revision.is_not(None))
        )
        last = session.scalar(select(func.max(Article.updated_at)))
        shown = last.isoformat() if last else "never"
        yield Line("published", f"{live} article(s); last change {shown}")


def _without_password(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _workers(settings: Settings) -> Line:
    """Each worker that answers within 5 s (a busy worker on a loaded machine may take more
    than one), with the queues it consumes."""
    from warta.celery_app import create_celery

    try:
        queues = create_celery(settings.redis_url).control.inspect(timeout=5.0).active_queues()
        queues = queues or {}
    except Exception as error:
        return Line("workers", f"unavailable ({type(error).__name__})", False)
    if not queues:
        return Line("workers", "none answering", False)
    return Line(
        "workers",
        "  ".join(
            f"{name} [{','.join(sorted(q['name'] for q in consumed))}]"
            for name, consumed in sorted(queues.items())
        ),
    )
