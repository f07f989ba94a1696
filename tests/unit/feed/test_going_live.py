"""Going live, retracting, and what a rebuild must redo for the articles that changed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.unit.articles import add_article
from warta.articles import go_live, retract
from warta.models import FeedChange, Office, utcnow
from warta.pipeline import Status
from warta_feed.changes import rebuild_scope

PEMILU = {"slug": "pemilu-2024", "label": "Pemilu 2024", "source": "vocabulary"}
PILKADA = {"slug": "pilkada", "label": "Pilkada", "source": "vocabulary"}
KEYWORD = {"slug": "rapat-pleno", "label": "rapat pleno", "source": "keyword"}


def feed_changes(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(FeedChange)) or 0


def test_a_first_publication_goes_live_at_its_own_time(session: Session) -> None:
    article = add_article(session, status="rendered")
    revision = article.revisions[0]
    assert go_live(session, revision) is None
    assert article.live_revision == 1
    assert article.published_at == revision.publish_at == article.updated_at
    session.flush()
    assert feed_changes(session) == 1


def test_a_revision_keeps_the_first_publication_time(session: Session) -> None:
    article = add_article(session, status="rendered", revisions=2)
    first, second = article.revisions
    go_live(session, first)
    published = article.published_at
    go_live(session, second)
    assert article.live_revision == 2
    assert article.published_at == published
    assert article.updated_at is not None and article.updated_at >= second.publish_at


def test_an_older_revision_arriving_late_does_not_replace_a_newer(session: Session) -> None:
    article = add_article(session, status="rendered", revisions=2)
    first, second = article.revisions
    go_live(session, second)
    assert go_live(session, first) is None
    assert article.live_revision == 2


def test_a_future_revision_is_scheduled_and_not_live(session: Session) -> None:
    article = add_article(session, status="rendered")
    article.revisions[0].publish_at = utcnow() + timedelta(hours=2)
    assert go_live(session, article.revisions[0]) == Status.SCHEDULED
    assert article.live_revision is None and article.published_at is None
    session.flush()
    assert feed_changes(session) == 0


def test_a_retracted_article_never_goes_live_again(session: Session) -> None:
    article = add_article(session, status="rendered", revisions=2)
    go_live(session, article.revisions[0])
    assert retract(session, article) is True
    assert retract(session, article) is False  # once
    go_live(session, article.revisions[1])
    assert article.live_revision == 1
    session.flush()
    assert feed_changes(session) == 2  # published, retracted


def test_the_scope_covers_the_changed_articles_feeds_and_a_tag_a_revision_dropped(
    session: Session,
) -> None:
    malang, batu, untouched = (Office(slug=s, name=s) for s in ("malang", "batu", "kediri"))
    session.add_all([malang, batu, untouched])
    revised = add_article(session, office=malang, status="rendered", revisions=2)
    revised.revisions[0].tags = [PEMILU, KEYWORD]  # the first revision's tag, dropped since
    revised.revisions[1].tags = [PILKADA]
    other = add_article(session, office=batu, status="rendered", tags=[PILKADA])
    add_article(session, office=untouched, status="rendered", tags=[PEMILU])
    go_live(session, revised.revisions[1])
    go_live(session, other.revisions[0])
    session.flush()

    scope = rebuild_scope(session, full=False)
    assert scope.office_ids == {malang.id, batu.id}
    assert scope.tags == {"pemilu-2024", "pilkada"}  # keywords have no feed
    assert scope.archive_blocks == {1}
    assert scope.sitemaps == {1}
    assert len(scope.change_ids) == 2


def test_a_full_rebuild_covers_every_live_tag(session: Session) -> None:
    article = add_article(session, status="rendered", tags=[PEMILU, KEYWORD])
    add_article(session, status="received", tags=[PILKADA])  # not live
    go_live(session, article.revisions[0])
    session.flush()
    scope = rebuild_scope(session, full=True)
    assert scope.full and scope.tags == {"pemilu-2024"}
