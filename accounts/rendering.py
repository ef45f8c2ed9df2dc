"""Page or fragment, from one helper: htmx gets the partial, everything else the full page."""
from flask import make_response, render_template

from extensions import htmx


def wants_fragment() -> bool:
    """A real htmx swap; boosted navigations and history restores need the whole page."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    response = make_response(render_template(fragment if wants_fragment() else page, **context),
                             status)
    response.vary.add("HX-Request")
    return response
