"""The service worker that keeps the finder usable offline (templates/offline/sw.js).

It is served from the site's root, because a worker only controls pages under its own path,
and rendered from a template so that its cache name changes with the shell files it caches.
"""
import hashlib

from flask import Blueprint, Response, current_app, render_template, request, url_for

from accounts.policy import public

blueprint = Blueprint("offline", __name__)

SHELL_FILES = ("css/site.css", "js/app.js", "vendor/htmx-2.0.11/htmx.min.js",
               "icons/icon.svg", "icons/amenities.svg")


@blueprint.get("/sw.js")
@public
def service_worker():
    """The service worker script; never cached by the browser without asking, so updates
    arrive at once. Browsers ask for it on every page view: it is rendered once per process
    and settings (as assets.py fingerprints files once, outside debug), and answered 304
    when unchanged (5 KB a page saved on a weak signal)."""
    settings = (current_app.config["OFFLINE_MAX_AGE_HOURS"],
                current_app.config["OFFLINE_NETWORK_TIMEOUT_MS"])
    rendered = current_app.extensions.setdefault("service_worker", {})
    if settings not in rendered or current_app.debug:  # the dev server's files change
        shell = [url_for("static", filename=name) for name in SHELL_FILES]
        version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
        rendered[settings] = render_template(
            "offline/sw.js", shell=shell, version=version, max_age_hours=settings[0],
            network_timeout_ms=settings[1])
    response = Response(rendered[settings], mimetype="text/javascript",
                        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})
    response.add_etag()
    return response.make_conditional(request)
