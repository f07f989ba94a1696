"""How the web services are served: gunicorn's settings for both (`gunicorn -c
python:warta.web_server warta_feed.wsgi:app`), used by `warta up`, the tests and compose alike.

gunicorn with its gevent worker: each connection is a greenlet, not a thread, so connections
that send nothing, or half a request, hold no thread while the others wait (the threaded
worker gave one of its 4 threads to each new connection for up to 5 s: 8 idle connections
stalled a service). The database (psycopg) and Redis clients yield to other requests while
they wait; SQLite does not, which only `warta up` uses. A connection that has not sent its
request headers within `keepalive` seconds is closed. bench/edge.py measured it beside the
threaded worker, waitress and granian (docs/benchmarks.md, 2026-12-04).

gunicorn answers some requests itself, before the application sees them (a request line or a
header too long, a malformed request); its worker (warta.web_worker) writes those answers as
problem documents too. This module holds only settings: the ingest API's OpenAPI document
states the same limits."""

from __future__ import annotations

worker_class = "warta.web_worker.Worker"
# Connections per worker process; the edge keeps far fewer open to each service.
worker_connections = 1000
# Seconds an idle kept-alive connection stays open, and that a new one has to send its request
# headers: longer than the edge's upstream keepalive_timeout (4 s), so the edge closes first
# and never sends a request on a connection gunicorn is closing.
keepalive = 5
# The request line (method, URL, version) and each header at most 8190 bytes, at most 100
# headers: gunicorn's largest line, as the edge's `large_client_header_buffers 4 8k`.
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = 100
