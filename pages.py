"""One URL, two shapes: the full page for browsers, the fragment for htmx swaps."""
from flask import make_response, render_template

from extensions import htmx


def wants_fragment() -> bool:
    """True for a real htmx request; boosted links and history restores need the whole page."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(page_template: str, fragment_template: str, *, status: int = 200,
                            **context):
    """Render the fragment for htmx swaps and the page (which includes it) otherwise."""
    fragment = wants_fragment()
    template = fragment_template if fragment else page_template
    response = make_response(render_template(template, fragment=fragment, **context), status)
    response.vary.add("HX-Request")
    return response
