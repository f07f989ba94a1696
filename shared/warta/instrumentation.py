"""What every web service does around each request: a request id (from `X-Request-ID` or
new), one log line, Prometheus counts and timings, and `/metrics`."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

from warta.metrics import HTTP_DURATION, HTTP_REQUESTS, collecting_registry
from warta.request_ids import HEADER, bind_request_id, request_id_from

log = logging.getLogger("warta.http")


def instrument(app: Flask, service: str, *collectors: Collector) -> None:
    registry = collecting_registry(*collectors)

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        g.request_id = request_id_from(request.headers.get(HEADER))
        bind_request_id(g.request_id)

    @app.after_request
    def _finish(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        HTTP_REQUESTS.labels(service, request.method, endpoint, str(response.status_code)).inc()
        HTTP_DURATION.labels(service, endpoint).observe(elapsed)
        response.headers[HEADER] = g.get("request_id", "")
        if log.isEnabledFor(logging.DEBUG) or response.status_code >= 500:
            log.log(
                logging.ERROR if response.status_code >= 500 else logging.DEBUG,
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                elapsed * 1000,
            )
        return response

    @app.teardown_request
    def _unbind(_: BaseException | None) -> None:
        bind_request_id(None)

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
