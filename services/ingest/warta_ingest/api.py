"""The field offices' API: `/v1/articles`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from sqlalchemy import select
from warta.db import session_scope
from warta.messages import NORMALISE, revision_message
from warta.models import Article, Revision, utcnow
from warta.offices import office_for_key
from warta.outbox import add_message
from warta.settings import Settings
from werkzeug.exceptions import BadRequest

from warta_ingest.problems import Problem
from warta_ingest.resources import article_resource
from warta_ingest.schemas import SubmissionSchema, body_too_large, submission_record

api = Blueprint("api", __name__, url_prefix="/v1")
submission_schema = SubmissionSchema()


def settings() -> Settings:
    settings: Settings = current_app.config["WARTA_SETTINGS"]
    return settings


@api.before_request
def authenticate() -> None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise _unauthorised("Send the office key as `Authorization: Bearer <key>`.")
    with session_scope(settings().database_url, writer=False) as session:
        office = office_for_key(session, key.strip())
        if office is None:
            raise _unauthorised("The key is unknown, expired or revoked.")
        g.office_id, g.office_slug = office.id, office.slug


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
    submission = _load_submission()
    with session_scope(settings().database_url) as session:
        article, revision = _add_revision(session, submission)
        add_message(session, NORMALISE, revision_message(article.id, revision.number))
        body = _accepted(article, revision)
    return jsonify(body), 202, {"Location": body["links"]["self"]}


@api.get("/articles/<int:article_id>")
def get_article(article_id: int) -> ResponseReturnValue:
    with session_scope(settings().database_url, writer=False) as session:
        article = _own_article(session, article_id)
        revisions = {r.number: r for r in article.revisions}
        current = revisions[article.current_revision]
        live = revisions.get(article.live_revision) if article.live_revision else None
        body = article_resource(article, current, live, settings().public_base_url)
    response = jsonify(body)
    response.set_etag(str(current.number))
    return response


def _load_submission() -> dict[str, Any]:
    if not request.is_json:
        raise Problem(
            415,
            "Unsupported Media Type",
            "Send the report as `Content-Type: application/json`.",
            kind="unsupported-media-type",
        )
    try:
        data = request.get_json()
    except BadRequest:
        raise Problem(
            400, "Bad Request", "The body is not valid JSON.", kind="invalid-json"
        ) from None
    if not isinstance(data, dict):
        raise Problem(400, "Bad Request", "The body must be a JSON object.", kind="invalid-json")
    try:
        submission: dict[str, Any] = submission_schema.load(data)
    except ValidationError as error:
        raise Problem(
            422,
            "Unprocessable Content",
            "Some fields are invalid.",
            kind="validation",
            errors=_field_errors(error),
        ) from None
    if body_too_large(submission):
        raise Problem(
            413,
            "Content Too Large",
            "`body` may be at most 256 KiB (UTF-8).",
            kind="too-large",
            errors={"body": ["Longer than 256 KiB."]},
        )
    return submission


def _field_errors(error: ValidationError) -> dict[str, Any]:
    messages = error.messages
    return messages if isinstance(messages, dict) else {"_schema": messages}


def _add_revision(session: Any, submission: dict[str, Any]) -> tuple[Article, Revision]:
    """A new article, or a new revision of the office's article with the same `external_id`."""
    article = None
    external_id = submission.get("external_id")
    if external_id is not None:
        article = session.scalar(
            select(Article)
            .where(Article.office_id == g.office_id, Article.external_id == external_id)
            .with_for_update()
        )
    if article is None:
        article = Article(office_id=g.office_id, external_id=external_id, current_revision=1)
        session.add(article)
        session.flush()
    else:
        article.current_revision += 1
    revision = Revision(
        article=article,
        number=article.current_revision,
        submission=submission_record(submission),
        publish_at=submission.get("published_at") or utcnow(),
    )
    session.add(revision)
    session.flush()
    return article, revision


def _accepted(article: Article, revision: Revision) -> dict[str, Any]:
    link = f"/v1/articles/{article.id}"
    return {
        "id": article.id,
        "revision": revision.number,
        "status": revision.status,
        "links": {"self": link},
    }


def _own_article(session: Any, article_id: int) -> Article:
    article: Article | None = session.get(Article, article_id)
    if article is None or article.office_id != g.office_id:
        # Another office's article is as unknown as a missing one.
        raise Problem(
            404, "Not Found", f"No article {article_id} for this office.", kind="not-found"
        )
    return article
