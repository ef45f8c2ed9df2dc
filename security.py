"""What every request and response goes through, whatever the domain:

- response headers that keep pages to our own origin (a nonce-based Content-Security-Policy
  and its companions; map tiles are the one outside origin a page may load, as images), and
  HSTS on https;
- a body limit per request (64 KB, 8 MB at the upload endpoints), so nobody makes the app
  parse 50 MB of form data;
- ids in URLs bounded to what the database can hold, so /stations/2147483648 is a 404;
- ProxyFix for the configured number of proxies (PROXY_FIX_HOPS).
"""
import secrets
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask.wrappers import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, ValidationError

# Endpoints that accept a file: their body may reach UPLOAD_MAX_CONTENT_LENGTH.
UPLOAD_ENDPOINTS = frozenset({"stations_staff.preview_upload"})
# PostgreSQL's integer columns end at 2^31 - 1; a larger id can never exist.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in our URLs is always a row id: 1 to 2^31 - 1, anything else is no match
    (404). Werkzeug's own converter would pass 2^31 to PostgreSQL (an error) and try to
    convert ten thousand digits (a ValueError)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value) > 12:
            raise ValidationError()
        return super().to_python(value)


class BoundedParameters(ImmutableMultiDict):
    """Query and form parameters whose `.get(name, type=int)` never returns a number the
    database cannot hold: out of range counts as malformed (the default), as "abc" does.

    Views read ids as `request.args.get("station", type=int)`; 2^63 would otherwise reach
    SQLite (OverflowError) and 2^31 PostgreSQL (integer out of range): a 500."""

    def get(self, key, default=None, type=None):
        value = super().get(key, default=default, type=type)
        if type is int and isinstance(value, int) and not -MAX_ID - 1 <= value <= MAX_ID:
            return default
        return value

    def getlist(self, key, type=None):
        values = super().getlist(key, type=type)
        if type is int:
            values = [value for value in values if -MAX_ID - 1 <= value <= MAX_ID]
        return values


class BoundedRequest(Request):
    parameter_storage_class = BoundedParameters


def limit_request_body() -> None:
    """Refuse large bodies before anything (CSRF, forms) reads them."""
    config = current_app.config
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = config["UPLOAD_MAX_CONTENT_LENGTH"]
    else:
        request.max_content_length = config["MAX_CONTENT_LENGTH"]


def csp_nonce() -> str:
    """This response's nonce; every inline <script> and <style> must carry it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def tile_origin(tiles_url: str) -> str:
    parts = urlsplit(tiles_url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=8)
def _policy_around_nonce(tiles_url: str) -> tuple[str, str, str]:
    """The policy in three pieces around the nonce: built once per tile server, not per
    response."""
    policy = "; ".join([
        "default-src 'self'",
        "script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'nonce-{nonce}'",
        f"img-src 'self' data: {tile_origin(tiles_url)}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])
    return tuple(policy.split("{nonce}"))


def content_security_policy() -> str:
    return csp_nonce().join(_policy_around_nonce(current_app.config["MAP_TILES_URL"]))


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
    headers.setdefault("X-Frame-Options", "DENY")
    max_age = current_app.config.get("HSTS_MAX_AGE")
    if request.is_secure and max_age:
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
    return response


def keep_retry_after_meaningful(response):
    """Flask-Limiter sets Retry-After on every response of a rate-limited route, to its own
    window's reset (ten minutes on a check-in), and raises any value already set to that.
    It means something on a 429 and a 503 only: elsewhere it goes, and a 503 for a busy
    database keeps its own few seconds. Registered before the limiter, so it runs after."""
    if response.status_code == 503 and g.get("retry_after"):
        response.headers["Retry-After"] = g.retry_after
    elif response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


def init_url_converters(app: Flask) -> None:
    """Before any blueprint is registered: rules pick their converter when they are added."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = BoundedRequest


def init_app(app: Flask) -> None:
    """Call before the CSRF extension binds: the body limit must be set before it reads."""
    app.before_request(limit_request_body)
    app.after_request(set_security_headers)
    app.after_request(keep_retry_after_meaningful)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    hops = app.config.get("PROXY_FIX_HOPS") or 0
    if hops > 0:
        # The client's address and scheme come from the proxies' X-Forwarded-For/-Proto;
        # only the last `hops` entries are believed, so a client cannot forge its own.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0,
                                x_prefix=0)


# When a visitor whose write found the database busy is told to try again.
BUSY_RETRY_AFTER_SECONDS = 5


def register_errorhandlers(app: Flask) -> None:
    """Friendly, localised pages for a refused CSRF token (400), a rate limit (429), a body
    too large (413) and a database too busy to take a write (503)."""
    from flask import render_template, request
    from flask_wtf.csrf import CSRFError
    from sqlalchemy.exc import OperationalError

    def _page(template: str, code: int, **context):
        if request.path.startswith("/api/"):
            return {"error": context.get("message", "")}, code
        return render_template(template, **context), code

    @app.errorhandler(CSRFError)
    def csrf_refused(error):
        return _page("accounts/csrf_error.html", 400, message=error.description)

    @app.errorhandler(429)
    def too_many_requests(error):
        return _page("errors/429.html", 429, message=str(error.description))

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # Host not in TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return "Bad Request: unknown host", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(OperationalError)
    def database_busy(error):
        # SQLite takes one writer at a time and queues the others for busy_timeout (30 s);
        # past that, the write was not made (its transaction rolls back), so say "try again
        # shortly" rather than "something broke". Any other database error stays a 500.
        if "database is locked" not in str(error.orig):
            raise error
        from flask_babel import gettext as _

        current_app.logger.warning("database busy: %s %s", request.method, request.path)
        g.retry_after = str(BUSY_RETRY_AFTER_SECONDS)
        body, code = _page("errors/503.html", 503, message=_(
            "The site is very busy right now and nothing was saved. Please try again in a "
            "few seconds."))
        return body, code, {"Retry-After": g.retry_after}

    @app.errorhandler(413)
    def too_large(error):
        from flask_babel import gettext as _

        return _page("errors/413.html", 413, message=_(
            "What you sent is too large. Shorten it, or split a file into smaller ones."))
