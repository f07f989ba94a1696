"""`/openapi.json`, built from the marshmallow schemas that validate the requests, and `/docs`,
Swagger UI served from the `swagger-ui-bundle` package (no CDN needed)."""

from __future__ import annotations

import functools
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, abort, jsonify, send_from_directory
from flask.typing import ResponseReturnValue
from swagger_ui_bundle import swagger_ui_path

from warta.web_server import limit_request_field_size as LIMIT_FIELD_SIZE
from warta.web_server import limit_request_fields as LIMIT_FIELDS
from warta.web_server import limit_request_line as LIMIT_REQUEST_LINE
from warta_ingest.problems import PROBLEM_JSON
from warta_ingest.schemas import (
    MAX_BODY_BYTES,
    MAX_REQUEST_BYTES,
    MAX_TITLE_CHARS,
    AcceptedSchema,
    ArticlePageSchema,
    ArticleQuerySchema,
    ArticleSchema,
    ImageTextsSchema,
    MediaSchema,
    ProblemSchema,
    SubmissionSchema,
)

docs = Blueprint("docs", __name__)

KiB, MiB = 1024, 1024 * 1024
SWAGGER_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"}
PROBLEM_TITLES = {
    400: "Bad JSON, a bad `Idempotency-Key`, or a malformed request.",
    401: "Missing, unknown, expired or revoked key.",
    404: "No such article for this office.",
    409: "The article is retracted.",
    412: "`If-Match` does not name the current revision.",
    413: f"The request is larger than {MAX_REQUEST_BYTES // MiB} MiB (chunked or not), "
    f"or its `body` larger than {MAX_BODY_BYTES // KiB} KiB.",
    414: f"The request line (method, URL, version) is longer than {LIMIT_REQUEST_LINE} bytes.",
    415: "The body is not `application/json`.",
    422: "Invalid fields (see `errors`; past 20 unknown fields, the first 20 are named), or an "
    "`Idempotency-Key` reused for another request.",
    428: "`If-Match` is missing, or is `*` (it must name the revision).",
    429: "Too many requests for this key, or too many refused keys from this address; see "
    "`Retry-After`.",
    431: f"A header is longer than {LIMIT_FIELD_SIZE} bytes, or there are more than "
    f"{LIMIT_FIELDS} headers.",
    503: "The database is unavailable; nothing was stored. See `Retry-After`.",
}
# Whatever the request, the server may refuse it before it reaches the API.
EVERY_OPERATION = (400, 414, 429, 431)
LIMITS = f"""

Limits: the request line at most {LIMIT_REQUEST_LINE} bytes (414); each header at most
{LIMIT_FIELD_SIZE} bytes and at most {LIMIT_FIELDS} headers (431); a request body at most
{MAX_REQUEST_BYTES // MiB} MiB (413), of which `body` at most {MAX_BODY_BYTES // KiB} KiB (UTF-8);
a title 1 to {MAX_TITLE_CHARS} characters once cleaned; requests per office key, and refused
keys per client address, are rate-limited (429 with `Retry-After`)."""
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "required": True}}


@docs.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    return jsonify(openapi_document())


@docs.get("/docs")
def swagger_ui() -> Response:
    return Response(SWAGGER_PAGE, content_type="text/html; charset=utf-8")


@docs.get("/docs/<name>")
def swagger_asset(name: str) -> Response:
    if name not in SWAGGER_ASSETS:
        abort(404)
    return send_from_directory(swagger_ui_path, name)


@functools.cache
def openapi_document() -> dict[str, Any]:
    spec = APISpec(
        title="Warta ingest API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Field offices submit, revise and retract their reports. Errors are "
            "RFC 9457 problem documents (`application/problem+json`)." + LIMITS
        },
        security=[{"officeKey": []}],
    )
    spec.components.security_scheme("officeKey", {"type": "http", "scheme": "bearer"})
    for name, schema in (
        ("Submission", SubmissionSchema),
        ("Accepted", AcceptedSchema),
        ("Article", ArticleSchema),
        ("ArticlePage", ArticlePageSchema),
        ("Problem", ProblemSchema),
        ("Media", MediaSchema),
    ):
        spec.components.schema(name, schema=schema)
    article_id = {
        "in": "path",
        "name": "article_id",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
    }
    idempotency_key = {
        "in": "header",
        "name": "Idempotency-Key",
        "description": "Retries with the same key and body get the first answer again.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    }
    if_match = {
        "in": "header",
        "name": "If-Match",
        "description": 'The ETag of the revision being replaced, e.g. `"3"`.',
        "schema": {"type": "string"},
    }
    body = {
        "required": True,
        "description": f"At most {MAX_REQUEST_BYTES // MiB} MiB, chunked or not (413 beyond).",
        "content": {"application/json": {"schema": "Submission"}},
    }
    spec.path(
        "/v1/articles",
        operations={
            "post": {
                "summary": "Submit a report",
                "description": "With a known `external_id`, a new revision of that article; "
                "exactly the current content again changes nothing (200).",
                "parameters": [idempotency_key],
                "requestBody": body,
                "responses": {
                    **_accepted(200, "Same content as the current revision: nothing new."),
                    **_accepted(202, "Stored; the pipeline takes it from here."),
                    **_problems(401, 409, 413, 415, 422, 503),
                },
            },
            "get": {
                "summary": "The office's own articles, newest first",
                "parameters": [{"in": "query", "schema": ArticleQuerySchema}],
                "responses": {
                    200: _json("A page of articles.", "ArticlePage"),
                    **_problems(401, 422, 503),
                },
            },
        },
    )
    spec.path(
        "/v1/articles/{article_id}",
        operations={
            "get": {
                "summary": "An article's state",
                "parameters": [article_id],
                "responses": {
                    200: {
                        **_json("The article; its ETag is the current revision.", "Article"),
                        "headers": {"ETag": {"schema": {"type": "string"}, "required": True}},
                    },
                    **_problems(401, 404, 503),
                },
            },
            "put": {
                "summary": "A new revision",
                "parameters": [article_id, {**if_match, "required": True}, idempotency_key],
                "requestBody": body,
                "responses": {
                    **_accepted(200, "Same content as the current revision: nothing new."),
                    **_accepted(202, "Stored as a new revision."),
                    **_problems(401, 404, 409, 412, 413, 415, 422, 428, 503),
                },
            },
            "delete": {
                "summary": "Retract an article",
                "description": "It leaves the feeds, sitemaps and pages; its page answers 410.",
                "parameters": [article_id, if_match, idempotency_key],
                "responses": {
                    **_accepted(202, "Retracted."),
                    **_problems(401, 404, 412, 422, 428, 503),
                },
            },
        },
    )
    _media_paths(spec, idempotency_key)
    return spec.to_dict()


# What a photo upload's errors mean (the others are as for articles).
MEDIA_PROBLEMS = {
    400: "No image in the body (or the field `file`), or a bad `Idempotency-Key`.",
    404: "No such media for this office.",
    413: "More than 20 MiB, or more pixels than allowed (JPEG 50 MP, PNG and WebP 25 MP).",
    415: "Not a JPEG, PNG or WebP (SVG, GIF, HEIC are refused), an animation, or a declared "
    "type that is another image type than the bytes.",
    422: "Truncated or corrupt image, invalid texts (see `errors`), or an `Idempotency-Key` "
    "reused for another request.",
}


def _media_paths(spec: APISpec, idempotency_key: dict[str, Any]) -> None:
    binary = {"schema": {"type": "string", "format": "binary"}}
    texts = spec.components.schema("ImageTexts", schema=ImageTextsSchema).schemas["ImageTexts"]
    form = {
        "type": "object",
        "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}, **texts["properties"]},
    }
    media_id = {
        "in": "path",
        "name": "media_id",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
    }
    spec.path(
        "/v1/media",
        operations={
            "post": {
                "summary": "Upload a photo",
                "description": "The image as the body (its type as `Content-Type`), or as the "
                "field `file` of a multipart form. It is checked, then kept; its renditions "
                "(WebP and JPEG, with no metadata) are made soon after (`status` becomes "
                "`ready`). Name it in an article as `image: {media: ID}`.",
                "parameters": [idempotency_key, {"in": "query", "schema": ImageTextsSchema}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "image/jpeg": binary,
                        "image/png": binary,
                        "image/webp": binary,
                        "multipart/form-data": {"schema": form},
                    },
                },
                "responses": {
                    201: {
                        **_json("Kept; its renditions are on their way.", "Media"),
                        "headers": {"Location": {"schema": {"type": "string"}, "required": True}},
                    },
                    **_problems(400, 401, 413, 415, 422, 429, 503, described=MEDIA_PROBLEMS),
                },
            }
        },
    )
    spec.path(
        "/v1/media/{media_id}",
        operations={
            "get": {
                "summary": "A photo's state and renditions",
                "parameters": [media_id],
                "responses": {
                    200: _json("The photo.", "Media"),
                    **_problems(401, 404, 429, 503, described=MEDIA_PROBLEMS),
                },
            }
        },
    )


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _accepted(status: int, description: str) -> dict[int, Any]:
    location = {"Location": {"schema": {"type": "string"}, "required": True}}
    return {status: {**_json(description, "Accepted"), "headers": location}}


def _problems(*statuses: int, described: dict[int, str] | None = None) -> dict[int, Any]:
    documented = {}
    for status in sorted({*statuses, *EVERY_OPERATION}):
        documented[status] = {
            "description": (described or {}).get(status, PROBLEM_TITLES[status]),
            "content": {PROBLEM_JSON: {"schema": "Problem"}},
        }
        if status in (429, 503):
            documented[status]["headers"] = RETRY_AFTER
    return documented


SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Warta ingest API</title>
  <link rel="icon" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});
  </script>
</body>
</html>
"""
