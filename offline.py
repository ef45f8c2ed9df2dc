"""The service worker that keeps the finder usable offline (templates/offline/sw.js).

It is served from the site's root, because a worker only controls pages under its own path,
and rendered from a template so that its cache name changes with the shell files it caches.
"""
import hashlib

from flask import Blueprint, Response, current_app, render_template, url_for

from accounts.policy import public

blueprint = Blueprint("offline", __name__)

SHELL_FILES = ("css/site.css", "js/app.js", "vendor/htmx-2.0.11/htmx.min.js",
               "icons/icon.svg", "icons/amenities.svg")


@blueprint.get("/sw.js")
@public
def service_worker():
    """The service worker script; never cached by the browser, so updates arrive at once."""
    shell = [url_for("static", filename=name) for name in SHELL_FILES]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    body = render_template("offline/sw.js", shell=shell, version=version,
                           max_age_hours=current_app.config["OFFLINE_MAX_AGE_HOURS"],
                           network_timeout_ms=current_app.config["OFFLINE_NETWORK_TIMEOUT_MS"])
    return Response(body, mimetype="text/javascript",
                    headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})
