"""Structured logs: one JSON object a line (LOG_FORMAT=json, the production default), each
carrying the request id of the request it belongs to.

The request id comes from the client's or proxy's X-Request-ID header when it is sane
(nginx sets it, see deploy/nginx/yizhan.conf), otherwise a new one; it is returned in the
response's X-Request-ID, so a user's report, nginx's log, gunicorn's access log
(gunicorn.conf.py) and the app's lines can be joined on it."""
import json
import logging
import re
import sys
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# Whatever a client sends ends up in log lines: accept short, plain tokens only.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# LogRecord attributes that are not extra fields.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def current_request_id() -> str:
    """This request's id, or "-" outside a request (CLI, worker)."""
    if has_request_context():
        return g.get("request_id", "-")
    return "-"


def assign_request_id() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


def return_request_id(response):
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response


class RequestIdFilter(logging.Filter):
    """Stamps every record with the request id, so formatters may use %(request_id)s."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        entry.update({key: value for key, value in vars(record).items()
                      if key not in _STANDARD and not key.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def make_handler(log_format: str, stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(log_format: str, level: str = "INFO", stream=None) -> None:
    """Send every logger's lines through one handler on the root logger (replacing any
    earlier one of ours), and let Flask's own logger propagate to it."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "yizhan", False)]:
        root.removeHandler(handler)
    handler = make_handler(log_format, stream)
    handler.yizhan = True
    root.addHandler(handler)
    root.setLevel(level)


def init_app(app: Flask) -> None:
    app.before_request(assign_request_id)
    app.after_request(return_request_id)
    if not app.testing:
        configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
        # Flask's default handler would print each line a second time, without the id.
        from flask.logging import default_handler

        app.logger.removeHandler(default_handler)
