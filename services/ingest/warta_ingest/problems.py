"""Errors as RFC 9457 problem documents, for every error the API can answer."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://warta.example/problems/"
PROBLEM_JSON = "application/problem+json"


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


def register_problem_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(error: Problem) -> Response:
        return error.to_response()

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        return Problem(status, error.name, error.description, headers=headers).to_response()

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # The trace goes to the log, never to the client.
        log.exception("unhandled error")
        return Problem(500, "Internal Server Error", "The server could not answer.").to_response()
