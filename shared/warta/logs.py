"""Logging for every process: one JSON object a line (or text for a terminal), each record
with the request id it belongs to."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from warta.request_ids import current_request_id
from warta.settings import Settings


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or ""
        return True


def configure_logging(settings: Settings) -> None:
    root = logging.getLogger()
    if getattr(root, "_warta_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    root._warta_configured = True  # type: ignore[attr-defined]
