"""One URL, two shapes: the full page for browsers, the fragment for htmx swaps."""
from flask import current_app, make_response, redirect, render_template, request, url_for

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


def navigate(target: str, *, status: int = 303, htmx_status: int = 204):
    """Send the browser to `target` as a whole page: a plain redirect, or for htmx an
    HX-Redirect header (htmx would follow a redirect inside its request and swap the whole
    page into the element that asked: a page inside a page)."""
    if wants_fragment():
        return "", htmx_status, {"HX-Redirect": target}
    return redirect(target, code=status)


def redirect_after_write(target: str):
    """Go to `target` after a successful write: 303 for plain forms, HX-Redirect for htmx."""
    return navigate(target)


# No page of ours has an address this long. Echoing a longer one into every login link and
# language form would let one megabyte-long request cost a megabyte of encoding and HTML
# per link, so such a page is not come back to (its path alone is, when short enough).
MAX_RETURN_PATH_LENGTH = 1024


def return_path() -> str | None:
    """This page (path and query) as the `next` to come back to after logging in or
    switching language; None when even its path is too long to carry."""
    here = request.full_path.rstrip("?")
    if len(here) <= MAX_RETURN_PATH_LENGTH:
        return here
    return request.path if len(request.path) <= MAX_RETURN_PATH_LENGTH else None


def absolute_url_for(endpoint: str, **values) -> str:
    """A full URL for links that leave the site (calendar files, poster QR codes, shares).

    Built from the configured PUBLIC_BASE_URL, never from the request's Host header, which a
    client chooses; without the setting (development), from the request as usual."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base.rstrip("/") + url_for(endpoint, **values)
