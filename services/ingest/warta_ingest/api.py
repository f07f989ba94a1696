"""The field offices' API: `/v1/articles`.

Every write validates before it opens a transaction, then commits the change, its outbox
message and (with an `Idempotency-Key`) its answer together: it all happened, or none of it."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from sqlalchemy import Select, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from warta.articles import retract
from warta.db import session_scope
from warta.media import LeadImage, lead_image, lead_images, lead_media_id
from warta.messages import RETRACT, revision_message
from warta.models import (
    ARTICLES,
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
from warta.settings import Settings
from warta_ingest.authentication import KeyCache
from warta_ingest.idempotency import (
    Answer,
    keep_answer,
    kept_answer,
    recorded_answer,
    request_fingerprint,
)
from warta_ingest.problems import Problem, invalid
from warta_ingest.resources import article_resource, article_status
from warta_ingest.schemas import (
    ArticleQuerySchema,
    SubmissionSchema,
    body_too_large,
    submission_record,
)

api = Blueprint("api", __name__, url_prefix="/v1")
submission_schema = SubmissionSchema()
query_schema = ArticleQuerySchema()

ARTICLE_ID = "<int:article_id>"
MAX_IDEMPOTENCY_KEY = 255


def settings() -> Settings:
    settings: Settings = current_app.config["WARTA_SETTINGS"]
    return settings


@api.before_request
def authenticate() -> None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise _unauthorised("Send the office key as `Authorization: Bearer <key>`.")
    keys: KeyCache = current_app.extensions["warta_keys"]
    caller = keys.caller(key.strip())
    if caller is None:
        raise _unauthorised("The key is unknown, expired or revoked.")
    g.office_id, g.office_slug = caller.office_id, caller.office_slug


def _unauthorised(detail: str) -> Problem:
    return Problem(
        401,
        "Unauthorized",
        detail,
        kind="unauthorized",
        headers={"WWW-Authenticate": 'Bearer realm="warta"'},
    )


@api.post("/articles")
def submit_article() -> ResponseReturnValue:
    """A new article, or a new revision of the one with the same `external_id`."""
    submission = _load_submission()

    def write(session: Session) -> Answer:
        created = _create(session, submission)
        if created is not None:
            return created
        article = _article_by_external_id(session, submission["external_id"])
        return _revise(session, article, submission)

    return _write(write)


@api.put(f"/articles/{ARTICLE_ID}")
def replace_article(article_id: int) -> ResponseReturnValue:
    """A new revision; `If-Match` must name the current one (the ETag of GET)."""
    if not request.if_match:
        raise _if_match_required("Send `If-Match` with the ETag of the revision you are replacing.")
    submission = _load_submission()

    def write(session: Session) -> Answer:
        article = _own_article(session, article_id, for_update=True)
        _check_if_match(article)
        external_id = submission.get("external_id")
        if external_id is not None and external_id != article.external_id:
            raise invalid({"external_id": ["Cannot be changed; it is set at creation."]})
        submission.setdefault("external_id", article.external_id)
        if submission["external_id"] is None:
            del submission["external_id"]
        return _revise(session, article, submission)

    return _write(write)


@api.delete(f"/articles/{ARTICLE_ID}")
def retract_article(article_id: int) -> ResponseReturnValue:
    """Retract: the article leaves feeds, sitemaps and pages (its page answers 410)."""

    def write(session: Session) -> Answer:
        article = _own_article(session, article_id, for_update=True)
        if request.if_match:
            _check_if_match(article)
        if retract(session, article):
            add_message(session, RETRACT, {"article_id": article.id})
        return _answer(202, article.id, article.current_revision, Status.RETRACTED)

    return _write(write)


@api.get(f"/articles/{ARTICLE_ID}")
def get_article(article_id: int) -> ResponseReturnValue:
    with session_scope(settings().database_url, writer=False) as session:
        article = _own_article(session, article_id)
        image = lead_image(
            session, _current(article).submission.get("image"), settings().public_base_url
        )
        body = _resource(article, image)
    response = jsonify(body)
    response.set_etag(str(article.current_revision))
    return response


@api.get("/articles")
def list_articles() -> ResponseReturnValue:
    """The office's own articles, newest first, a page at a time (`links.next`)."""
    try:
        query = query_schema.load(request.args.to_dict())
    except ValidationError as error:
        raise invalid(_field_errors(error), "Some query parameters are invalid.") from None
    before = _decode_cursor(query.get("cursor"))
    statement = _articles_query(query.get("status"), query.get("since"), before)
    with session_scope(settings().database_url, writer=False) as session:
        articles = session.scalars(statement.limit(query["limit"] + 1)).all()
        page = articles[: query["limit"]]
        images = lead_images(
            session,
            [_current(article).submission.get("image") for article in page],
            settings().public_base_url,
        )
        items = [_resource(article, image) for article, image in zip(page, images, strict=True)]
    next_link = None
    if len(articles) > len(page):
        args = {**request.args.to_dict(), "cursor": _encode_cursor(page[-1].id)}
        next_link = url_for("api.list_articles", **args)  # type: ignore[arg-type]
    return jsonify(items=items, links={"self": request.full_path.rstrip("?"), "next": next_link})


def _write(
    write: Callable[[Session], Answer], fingerprint: str | None = None
) -> ResponseReturnValue:
    """Run `write` in one transaction; with an `Idempotency-Key`, keep or replay its answer.
    `fingerprint` stands for the request (by default its method, path and body)."""
    key = _idempotency_key()
    if fingerprint is None:
        fingerprint = request_fingerprint(request.method, request.path, request.get_data())
    if key is not None and (replay := _replay(key, fingerprint)) is not None:
        return replay
    for attempt in (1, 2):
        try:
            with session_scope(settings().database_url) as session:
                answer = write(session)
                if key is not None:
                    keep_answer(session, g.office_id, key, fingerprint, answer)
            return answer.to_response()
        except IntegrityError:
            # A concurrent request with the same idempotency key committed first: replay its
            # answer. (The same new external_id never gets here: see _create.)
            if key is not None and (replay := _replay(key, fingerprint)) is not None:
                return replay
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise Problem(
            400,
            "Bad Request",
            f"`Idempotency-Key` must be 1 to {MAX_IDEMPOTENCY_KEY} characters.",
            kind="invalid-idempotency-key",
        )
    return key


def _replay(key: str, fingerprint: str) -> ResponseReturnValue | None:
    with session_scope(settings().database_url, writer=False) as session:
        record = kept_answer(session, g.office_id, key)
        if record is None:
            return None
        if record.fingerprint != fingerprint:
            raise Problem(
                422,
                "Unprocessable Content",
                "This `Idempotency-Key` was used for another request; use a new key.",
                kind="idempotency-key-reused",
            )
        return recorded_answer(record).to_response(replayed=True)


def _load_submission() -> dict[str, Any]:
    if not request.is_json:
        raise Problem(
            415,
            "Unsupported Media Type",
            "Send the report as `Content-Type: application/json`.",
            kind="unsupported-media-type",
        )
    # Read once, within MAX_CONTENT_LENGTH (413 before reading when the length says so).
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise Problem(
            400, "Bad Request", "The body is not valid JSON.", kind="invalid-json"
        ) from None
    if not isinstance(data, dict):
        raise Problem(400, "Bad Request", "The body must be a JSON object.", kind="invalid-json")
    try:
        submission: dict[str, Any] = submission_schema.load(data)
    except ValidationError as error:
        raise invalid(_field_errors(error)) from None
    if body_too_large(submission):
        raise Problem(
            413,
            "Content Too Large",
            "`body` may be at most 256 KiB (UTF-8).",
            kind="too-large",
            errors={"body": ["Longer than 256 KiB."]},
        )
    _check_photo(submission)
    return submission


def _check_photo(submission: dict[str, Any]) -> None:
    """An uploaded lead photo must be the office's own, and usable."""
    media_id = lead_media_id(submission.get("image"))
    if media_id is None:
        return
    with session_scope(settings().database_url, writer=False) as session:
        media = session.get(Media, media_id)
        problem = None
        if media is None or media.office_id != g.office_id:
            problem = f"No media {media_id} for this office; upload it with POST /v1/media."
        elif media.status == MEDIA_FAILED:
            problem = f"Media {media_id} could not be processed; upload the photo again."
    if problem is not None:
        raise invalid({"image": {"media": [problem]}})


def _field_errors(error: ValidationError) -> dict[str, Any]:
    messages = error.messages
    return messages if isinstance(messages, dict) else {"_schema": messages}


def _article_by_external_id(session: Session, external_id: str) -> Article:
    article: Article = session.execute(
        select(Article)
        .where(Article.office_id == g.office_id, Article.external_id == external_id)
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


def _create(session: Session, submission: dict[str, Any]) -> Answer | None:
    """A new article at revision 1; None if the office has an article of that external_id."""
    statement = NEW_ARTICLE[session.get_bind().dialect.name]
    values = {"office_id": g.office_id, "external_id": submission.get("external_id")}
    article_id = session.execute(statement, values).scalar_one_or_none()
    if article_id is None:
        return None
    _add_revision(session, article_id, 1, submission)
    return _answer(202, article_id, 1, "received")


def _revise(session: Session, article: Article, submission: dict[str, Any]) -> Answer:
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
    _add_revision(session, article.id, article.current_revision, submission)
    return _answer(202, article.id, article.current_revision, "received")


def _add_revision(
    session: Session, article_id: int, number: int, submission: dict[str, Any]
) -> None:
    """The revision as received, and the message that starts its way through the stages."""
    session.execute(
        NEW_REVISION,
        {
            "article_id": article_id,
            "number": number,
            "status": "received",
            "submission": submission_record(submission),
            "publish_at": submission.get("published_at") or utcnow(),
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


def _if_match_required(detail: str) -> Problem:
    return Problem(428, "Precondition Required", detail, kind="precondition-required")


def _check_if_match(article: Article) -> None:
    if request.if_match.star_tag:
        # `*` matches any revision: it would let a stale copy overwrite a newer one.
        raise _if_match_required(
            "`If-Match: *` names no revision: send the ETag of the revision you are replacing "
            f'(now `"{article.current_revision}"`, from GET).'
        )
    if not request.if_match.contains(str(article.current_revision)):
        raise Problem(
            412,
            "Precondition Failed",
            f"The current revision is {article.current_revision}; fetch it and retry.",
            kind="stale-revision",
            headers={"ETag": f'"{article.current_revision}"'},
        )


def _answer(code: int, article_id: int, revision: int, status: str) -> Answer:
    link = f"/v1/articles/{article_id}"
    body = {"id": article_id, "revision": revision, "status": status, "links": {"self": link}}
    return Answer(code, body, {"Location": link})


def _own_article(session: Session, article_id: int, *, for_update: bool = False) -> Article:
    if article_id > MAX_ID:
        raise Problem(404, "Not Found", f"No article {article_id}.", kind="not-found")
    statement = select(Article).where(Article.id == article_id)
    if for_update:
        statement = statement.with_for_update()
    article: Article | None = session.scalar(statement)
    if article is None or article.office_id != g.office_id:
        # Another office's article is as unknown as a missing one.
        raise Problem(
            404, "Not Found", f"No article {article_id} for this office.", kind="not-found"
        )
    return article


def _resource(article: Article, image: LeadImage | None) -> dict[str, Any]:
    """`image` is the current revision's lead image (`warta.media.lead_images`)."""
    revisions = {r.number: r for r in article.revisions}
    current = revisions[article.current_revision]
    live = revisions.get(article.live_revision) if article.live_revision else None
    return article_resource(article, current, live, settings().public_base_url, image)


def _current(article: Article) -> Revision:
    return next(r for r in article.revisions if r.number == article.current_revision)


def _articles_query(
    status: str | None, since: datetime | None, before: int | None
) -> Select[Article]:
    statement = (
        select(Article)
        .join(
            Revision,
            (Revision.article_id == Article.id) & (Revision.number == Article.current_revision),
        )
        .where(Article.office_id == g.office_id)
        .options(joinedload(Article.office), selectinload(Article.revisions))
        .order_by(Article.id.desc())
    )
    if status == Status.RETRACTED:
        statement = statement.where(Article.retracted_at.is_not(None))
    elif status is not None:
        statement = statement.where(Article.retracted_at.is_(None), Revision.status == status)
    if since is not None:
        statement = statement.where(
            (Revision.created_at >= since) | (Article.retracted_at >= since)
        )
    if before is not None:
        statement = statement.where(Article.id < before)
    return statement


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": last_id}).encode()).decode()


def _decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        before = json.loads(base64.urlsafe_b64decode(cursor.encode()))["before"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        before = None
    if not isinstance(before, int) or isinstance(before, bool):
        raise invalid({"cursor": ["Not a cursor from this API."]})
    return before
