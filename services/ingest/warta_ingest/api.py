"""The field offices' API: `/v1/articles`. Its writes are submissions.py's, as the desk's are:
here they are read from HTTP (JSON, `If-Match`, `Idempotency-Key`) and answered as JSON."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from warta.db import session_scope
from warta.media import LeadImage, lead_image, lead_images
from warta.models import Article, Revision
from warta.pipeline import Status
from warta.settings import Settings
from warta_ingest.authentication import KeyCache
from warta_ingest.idempotency import request_fingerprint, requested_key
from warta_ingest.problems import Problem, invalid
from warta_ingest.resources import article_resource
from warta_ingest.schemas import ArticleQuerySchema
from warta_ingest.submissions import (
    Write,
    Writer,
    commit,
    field_errors,
    if_match_required,
    load_submission,
    own_article,
    replace,
    submit,
)
from warta_ingest.submissions import retract_article as retract_report

api = Blueprint("api", __name__, url_prefix="/v1")
query_schema = ArticleQuerySchema()

ARTICLE_ID = "<int:article_id>"


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
    return _write(lambda session: submit(session, _writer(), submission))


@api.put(f"/articles/{ARTICLE_ID}")
def replace_article(article_id: int) -> ResponseReturnValue:
    """A new revision; `If-Match` must name the current one (the ETag of GET)."""
    if not request.if_match:
        raise if_match_required("Send `If-Match` with the ETag of the revision you are replacing.")
    submission = _load_submission()
    return _write(
        lambda session: replace(session, _writer(), article_id, submission, request.if_match)
    )


@api.delete(f"/articles/{ARTICLE_ID}")
def retract_article(article_id: int) -> ResponseReturnValue:
    """Retract: the article leaves feeds, sitemaps and pages (its page answers 410)."""
    if_match = request.if_match or None
    return _write(lambda session: retract_report(session, _writer(), article_id, if_match))


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
        raise invalid(field_errors(error), "Some query parameters are invalid.") from None
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


def _writer() -> Writer:
    return Writer(g.office_id)


def _write(write: Write, fingerprint: str | None = None) -> ResponseReturnValue:
    """Run `write` in one transaction (submissions.commit); with an `Idempotency-Key`, keep or
    replay its answer. `fingerprint` stands for the request (by default its method, path and
    body)."""
    key = requested_key(request.headers)
    if fingerprint is None:
        fingerprint = request_fingerprint(request.method, request.path, request.get_data())
    answer, replayed = commit(settings().database_url, g.office_id, write, key, fingerprint)
    return answer.to_response(replayed=replayed)


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
    return load_submission(data, g.office_id, settings().database_url)


def _own_article(session: Session, article_id: int) -> Article:
    return own_article(session, g.office_id, article_id)


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
        .options(
            joinedload(Article.office),
            selectinload(Article.revisions).joinedload(Revision.reviser),
        )
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
