"""Response headers that keep pages to our own origin: a nonce-based Content-Security-Policy
and its companions. Map tiles are the one outside origin a page may load (as images)."""
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g


def csp_nonce() -> str:
    """This response's nonce; every inline <script> and <style> must carry it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def tile_origin() -> str:
    parts = urlsplit(current_app.config["MAP_TILES_URL"].replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy() -> str:
    nonce = csp_nonce()
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        f"img-src 'self' data: {tile_origin()}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
    headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce


def register_errorhandlers(app: Flask) -> None:
    """Friendly, localised pages for a refused CSRF token (400) and a rate limit (429)."""
    from flask import render_template, request
    from flask_wtf.csrf import CSRFError

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
