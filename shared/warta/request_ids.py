"""A request id for every HTTP request, carried as a message header through every task the
request causes, so one report's logs can be followed from its POST to its publication."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "X-Request-ID"
_current: ContextVar[str | None] = ContextVar("request_id", default=None)
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def current_request_id() -> str | None:
    return _current.get()


def bind_request_id(request_id: str | None) -> None:
    _current.set(request_id)


def request_id_from(header: str | None) -> str:
    """The caller's id if it is a sane one (it ends up in logs), else a new one."""
    if header and _ACCEPTABLE.fullmatch(header):
        return header
    return uuid.uuid4().hex


@before_task_publish.connect
def _add_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = _current.get()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


@task_prerun.connect
def _bind_from_message(task: Any = None, **_: Any) -> None:
    _current.set(getattr(task.request, "request_id", None) if task is not None else None)


@task_postrun.connect
def _unbind(**_: Any) -> None:
    _current.set(None)
