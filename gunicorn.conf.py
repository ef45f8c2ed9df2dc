"""Gunicorn settings for `make serve` and production (deploy/systemd/yizhan-web.service).

Threads (gthread) rather than more processes: a request mostly waits on the database, and
threads share one process's caches (asset fingerprints, catalogues, the migration head).
Every setting can be overridden from the environment: GUNICORN_BIND, WEB_CONCURRENCY,
GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS."""
import json
import multiprocessing
import os
from datetime import datetime, timezone

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND",
                      f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
# The usual rule, 2 per core + 1, counts processes; with 4 threads each that is plenty.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request that takes 30 s is stuck, not slow: kill the worker and start a fresh one.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so slow leaks never add up; jitter keeps them apart. Not
# too often: a fresh worker compiles its templates and opens its connections again, and at
# 5,000 requests a worker serving /healthz at full speed was replaced every 8 seconds (the
# load test lost 12 % of its /healthz rate to that, and 6 % of the nearest API's).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# Load the app once in the master, then fork: faster starts, shared memory pages.
preload_app = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# A request line and headers are short on this site; anything longer is an attack.
limit_request_line = 8190
limit_request_fields = 100


class JsonLogger(Logger):
    """Access log lines as JSON objects (fields quoted properly, whatever the client sent),
    with the request id the app returned in X-Request-ID."""

    def access(self, resp, req, environ, request_time):
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.syslog):
            return
        headers = dict((name.lower(), value) for name, value in resp.headers)
        entry = {
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "request_id": headers.get("x-request-id", "-"),
            "remote": environ.get("REMOTE_ADDR", "-"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING", ""),
            "status": int(str(resp.status).split(None, 1)[0]),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT", ""),
        }
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:  # noqa: BLE001: a log line must never fail a request
            self.exception("access log failed")


logger_class = JsonLogger
