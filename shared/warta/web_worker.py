"""The worker class of the web services (warta.web_server): gunicorn's gevent worker, whose
own error answers are RFC 9457 problem documents like the applications'."""

from __future__ import annotations

import json
import socket
from typing import Any

from gunicorn import util
from gunicorn.workers.ggevent import GeventWorker

MAX_DETAIL = 300


def write_problem(sock: socket.socket, status: int, reason: str, detail: str) -> None:
    """gunicorn's own error answer as an RFC 9457 problem document (its `util.write_error`)."""
    problem: dict[str, Any] = {"type": "about:blank", "title": reason, "status": status}
    if detail:
        problem["detail"] = detail[:MAX_DETAIL]
    body = json.dumps(problem).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


class Worker(GeventWorker):
    """gunicorn's gevent worker, whose own error answers are problem documents."""

    def init_process(self) -> None:
        # gunicorn writes every answer of its own through this one function.
        util.write_error = write_problem
        super().init_process()
