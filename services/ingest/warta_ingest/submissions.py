"""Writing reports: submit, revise and retract. The one write path, for the office API
(api.py, uploads.py) and the desk (desk.py) alike.

Every write validates before it opens a transaction, then commits the change, its outbox
message and (with an idempotency key) its answer together: it all happened, or none of it.
Refusals are `Problem`s, whose `kind` says what went wrong to any caller (the desk words them
for people)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.datastructures import ETags

from warta.articles import retract
from warta.db import session_scope
from warta.media import lead_media_id
from warta.messages import RETRACT, revision_message
from warta.models import (
    ARTICLES,
    EDITOR,
    MAX_ID,
    MEDIA_FAILED,
    MEDIA_USES,
    REVISIONS,
    Article,
    Media,
    Revision,
    utcnow,
)
from warta.outbox import add_message
from warta.pipeline import ENRICH, Status
from warta_ingest.idempotency import Answer, keep_answer, kept_answer, recorded_answer
from warta_ingest.problems import Problem, invalid
from warta_ingest.resources import article_status
from warta_ingest.schemas import SubmissionSchema, body_too_large, submission_record

submission_schema = SubmissionSchema()


@dataclass(frozen=True)
class Writer:
    """Who writes: an office through its key (no user), or one of its people on the desk."""

    office_id: int
    user_id: int | None = None
    role: str | None = None

    def may_revise(self, session: Session, article: Article) -> bool:
        """A key or an editor revises any of the office's reports; a reporter their own."""
        if self.user_id is None or self.role == EDITOR:
            return True
        return first_author(session, article.id) == self.user_id

    @property
    def may_retract(self) -> bool:
        return self.user_id is None or self.role == EDITOR


Write = Callable[[Session], Answer]


def load_submission(data: Any, office_id: int, database_url: str) -> dict[str, Any]:
    """The submission `data` (parsed JSON, or the desk's form) validated: 422 naming each bad
    field, 413 for a body too large, 422 for a photo that is not the office's or failed."""
    if not isinstance(data, dict):
        raise Problem(400, "Bad Request", "The body must be a JSON object.", kind="invalid-json")
    try:
        submission: dict[str, Any] = submission_schema.load(data)
    except ValidationError as error:
        raise invalid(field_errors(error)) from None
    if body_too_large(submission):
        raise Problem(
            413,
            "Content Too Large",
            "`body` may be at most 256 KiB (UTF-8).",
            kind="too-large",
            errors={"body": ["Longer than 256 KiB."]},
        )
    _check_photo(submission, office_id, database_url)
    return submission


def _check_photo(submission: dict[str, Any], office_id: int, database_url: str) -> None:
    """An uploaded lead photo must be the office's own, and usable."""
    media_id = lead_media_id(submission.get("image"))
    if media_id is None:
        return
    with session_scope(database_url, writer=False) as session:
        media = session.get(Media, media_id)
        problem = None
        if media is None or media.office_id != office_id:
            problem = f"No media {media_id} for this office; upload it with POST /v1/media."
        elif media.status == MEDIA_FAILED:
            problem = f"Media {media_id} could not be processed; upload the photo again."
    if problem is not None:
        raise invalid({"image": {"media": [problem]}})


def field_errors(error: ValidationError) -> dict[str, Any]:
    messages = error.messages
    return messages if isinstance(messages, dict) else {"_schema": messages}


def commit(
    database_url: str, office_id: int, write: Write, key: str | None, fingerprint: str
) -> tuple[Answer, bool]:
    """Run `write` in one transaction; with an idempotency `key`, keep its answer, or replay
    the one kept for an earlier request with that key. Returns the answer and whether it was
    replayed. `fingerprint` stands for the request (request_fingerprint)."""
    if key is not None and (replay := replayed_answer(database_url, office_id, key, fingerprint)):
        return replay, True
    for attempt in (1, 2):
        try:
            with session_scope(database_url) as session:
                answer = write(session)
                if key is not None:
                    keep_answer(session, office_id, key, fingerprint, answer)
            return answer, False
        except IntegrityError:
            # A concurrent request with the same idempotency key committed first: replay its
            # answer. (The same new external_id never gets here: see _create.)
            if key is not None and (
                replay := replayed_answer(database_url, office_id, key, fingerprint)
            ):
                return replay, True
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def replayed_answer(database_url: str, office_id: int, key: str, fingerprint: str) -> Answer | None:
    """The answer kept for `key`, if any; 422 if the key was used for another request."""
    with session_scope(database_url, writer=False) as session:
        record = kept_answer(session, office_id, key)
        if record is None:
            return None
        if record.fingerprint != fingerprint:
            raise Problem(
                422,
                "Unprocessable Content",
                "This `Idempotency-Key` was used for another request; use a new key.",
                kind="idempotency-key-reused",
            )
        return recorded_answer(record)


def submit(
    session: Session, writer: Writer, submission: dict[str, Any], *, update: bool = True
) -> Answer:
    """A new article, or (with `update`) a new revision of the office's article with the same
    `external_id`; without `update`, an external_id in use is refused (409)."""
    created = _create(session, writer, submission)
    if created is not None:
        return created
    if not update:
        raise Problem(
            409,
            "Conflict",
            "Another report of the office has this `external_id`.",
            kind="external-id-taken",
        )
    article = _article_by_external_id(session, writer.office_id, submission["external_id"])
    _check_may_revise(session, writer, article)
    return _revise(session, writer, article, submission)


def replace(
    session: Session,
    writer: Writer,
    article_id: int,
    submission: dict[str, Any],
    if_match: ETags,
) -> Answer:
    """A new revision of the article, if `if_match` names its current revision."""
    article = own_article(session, writer.office_id, article_id, for_update=True)
    check_if_match(article, if_match)
    _check_may_revise(session, writer, article)
    external_id = submission.get("external_id")
    if external_id is not None and external_id != article.external_id:
        raise invalid({"external_id": ["Cannot be changed; it is set at creation."]})
    submission.setdefault("external_id", article.external_id)
    if submission["external_id"] is None:
        del submission["external_id"]
    return _revise(session, writer, article, submission)


def retract_article(
    session: Session, writer: Writer, article_id: int, if_match: ETags | None
) -> Answer:
    """Take the article off feeds, sitemaps and pages (if `if_match`, only at that revision)."""
    article = own_article(session, writer.office_id, article_id, for_update=True)
    if if_match:
        check_if_match(article, if_match)
    if not writer.may_retract:
        raise _forbidden("Only an editor retracts reports.")
    if retract(session, article):
        add_message(session, RETRACT, {"article_id": article.id})
    return _answer(202, article.id, article.current_revision, Status.RETRACTED)


def own_article(
    session: Session, office_id: int, article_id: int, *, for_update: bool = False
) -> Article:
    if article_id > MAX_ID:
        raise Problem(404, "Not Found", f"No article {article_id}.", kind="not-found")
    statement = select(Article).where(Article.id == article_id)
    if for_update:
        statement = statement.with_for_update()
    article: Article | None = session.scalar(statement)
    if article is None or article.office_id != office_id:
        # Another office's article is as unknown as a missing one.
        raise Problem(
            404, "Not Found", f"No article {article_id} for this office.", kind="not-found"
        )
    return article


def first_author(session: Session, article_id: int) -> int | None:
    """The desk user who wrote the article's first revision; none if its office's key did."""
    author: int | None = session.scalar(
        select(Revision.revised_by).where(Revision.article_id == article_id, Revision.number == 1)
    )
    return author


def if_match_required(detail: str) -> Problem:
    return Problem(428, "Precondition Required", detail, kind="precondition-required")


def check_if_match(article: Article, if_match: ETags) -> None:
    if if_match.star_tag:
        # `*` matches any revision: it would let a stale copy overwrite a newer one.
        raise if_match_required(
            "`If-Match: *` names no revision: send the ETag of the revision you are replacing "
            f'(now `"{article.current_revision}"`, from GET).'
        )
    if not if_match.contains(str(article.current_revision)):
        raise Problem(
            412,
            "Precondition Failed",
            f"The current revision is {article.current_revision}; fetch it and retry.",
            kind="stale-revision",
            headers={"ETag": f'"{article.current_revision}"'},
        )


def _check_may_revise(session: Session, writer: Writer, article: Article) -> None:
    if not writer.may_revise(session, article):
        raise _forbidden("A reporter revises only the reports they wrote.")


def _forbidden(detail: str) -> Problem:
    return Problem(403, "Forbidden", detail, kind="forbidden")


def _article_by_external_id(session: Session, office_id: int, external_id: str) -> Article:
    article: Article = session.execute(
        select(Article)
        .where(Article.office_id == office_id, Article.external_id == external_id)
        .with_for_update()
    ).scalar_one()
    return article


# Every office's hot path is plain INSERTs built once, not the ORM's unit of work (or a
# statement built per request): either cost more than the database itself. A new article is
# one round trip whether or not it has an external_id; when the office sent that external_id
# before, no row comes back and the submission is a new revision of that article. (PostgreSQL
# then waits for a concurrent request inserting the same one, and sees its article once it
# commits; SQLite's writers take turns.)
NEW_ARTICLE = {
    name: dialect.insert(ARTICLES)
    .on_conflict_do_nothing(index_elements=["office_id", "external_id"])
    .returning(ARTICLES.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
NEW_REVISION = insert(REVISIONS)
NEW_MEDIA_USE = insert(MEDIA_USES)


def _create(session: Session, writer: Writer, submission: dict[str, Any]) -> Answer | None:
    """A new article at revision 1; None if the office has an article of that external_id."""
    statement = NEW_ARTICLE[session.get_bind().dialect.name]
    values = {"office_id": writer.office_id, "external_id": submission.get("external_id")}
    article_id = session.execute(statement, values).scalar_one_or_none()
    if article_id is None:
        return None
    _add_revision(session, writer, article_id, 1, submission)
    return _answer(202, article_id, 1, Status.RECEIVED)


def _revise(
    session: Session, writer: Writer, article: Article, submission: dict[str, Any]
) -> Answer:
    """A new revision, unless the submission is exactly the current one (200, nothing new)."""
    if article.retracted_at is not None:
        raise Problem(
            409,
            "Conflict",
            "The article is retracted; submit the report as a new article.",
            kind="retracted",
        )
    current = (
        _revision(session, article, article.current_revision) if article.current_revision else None
    )
    if current is not None and current.submission == submission_record(submission):
        # A resubmission of the same content is a retry, not an edit: no pointless revision.
        status = article_status(article, current)
        return _answer(200, article.id, article.current_revision, status)
    article.current_revision += 1
    _add_revision(session, writer, article.id, article.current_revision, submission)
    return _answer(202, article.id, article.current_revision, Status.RECEIVED)


def _add_revision(
    session: Session, writer: Writer, article_id: int, number: int, submission: dict[str, Any]
) -> None:
    """The revision as received, and the message that starts its way through the stages."""
    session.execute(
        NEW_REVISION,
        {
            "article_id": article_id,
            "number": number,
            "status": Status.RECEIVED,
            "submission": submission_record(submission),
            "publish_at": submission.get("published_at") or utcnow(),
            "revised_by": writer.user_id,
        },
    )
    if (media_id := lead_media_id(submission.get("image"))) is not None:
        values = {"article_id": article_id, "revision": number, "media_id": media_id}
        session.execute(NEW_MEDIA_USE, values)
    add_message(session, ENRICH, revision_message(article_id, number))


def _revision(session: Session, article: Article, number: int) -> Revision | None:
    revision: Revision | None = session.scalar(
        select(Revision).where(Revision.article_id == article.id, Revision.number == number)
    )
    return revision


def _answer(code: int, article_id: int, revision: int, status: str) -> Answer:
    link = f"/v1/articles/{article_id}"
    body = {"id": article_id, "revision": revision, "status": status, "links": {"self": link}}
    return Answer(code, body, {"Location": link})
