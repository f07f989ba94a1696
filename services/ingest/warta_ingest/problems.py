"""Errors as RFC 9457 problem documents, for every error the API can answer."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy.exc
from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://warta.example/problems/"
PROBLEM_JSON = "application/problem+json"
# The database is away (restarting, failing over, locked too long): the client may retry.
UNAVAILABLE_ERRORS = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
)
RETRY_AFTER_SECONDS = 5


class Problem(Exception):
    """An error with a problem document; raise it from a view."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        kind: str | None = None,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.kind, self.errors, self.headers = kind, errors, headers or {}

    def to_response(self) -> Response:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.kind if self.kind else "about:blank",
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if self.errors is not None:
            body["errors"] = self.errors
        response = jsonify(body)
        response.status_code = self.status
        response.content_type = PROBLEM_JSON
        response.headers.update(self.headers)
        return response


def invalid(errors: dict[str, Any], detail: str = "Some fields are invalid.") -> Problem:
    """A 422 naming each invalid field."""
    return Problem(422, "Unprocessable Content", detail, kind="validation", errors=errors)


def register_problem_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(error: Problem) -> Response:
        return error.to_response()

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        headers.pop("Content-Length", None)
        return Problem(status, error.name, error.description, headers=headers).to_response()

    def _unavailable(error: Exception) -> Response:
        # The transaction was rolled back as a whole: nothing of the request was kept.
        log.warning("database unavailable: %s", error)
        return Problem(
            503,
            "Service Unavailable",
            "The database is unavailable; nothing was stored. Retry the same request.",
            kind="unavailable",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ).to_response()

    for error_class in UNAVAILABLE_ERRORS:
        app.register_error_handler(error_class, _unavailable)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # The trace goes to the log, never to the client.
        log.exception("unhandled error")
        return Problem(500, "Internal Server Error", "The server could not answer.").to_response()
