"""Who may do what: the one place that decides.

Every view declares its rule with `@public` or `@requires(permission)`; a before-request hook
enforces it, so no view checks roles by hand. Blueprints whose pages are all public (the
station finder, its JSON API, the language switch) are declared once in PUBLIC_BLUEPRINTS; a
view in them that needs more says so with `@requires`. An endpoint with no rule at all is
refused (fail closed), and tests/test_authorisation.py fails until it is in its table.

Outcomes: anonymous visitors are sent to the login page; a signed-in user without the
permission gets 403, or 404 when the URL names a record (we do not confirm it exists).
Object-level rules for people live here (`people_visible_to()`); rows that belong to an
organisation answer `managed_by(user)` beside their own model (accounts.scoping). This module
imports no domain package.
"""
import logging

from flask import Flask, abort, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, false

from accounts.models import User
from extensions import db
from pages import navigate, return_path

PUBLIC = "public"
PUBLIC_BLUEPRINTS = frozenset({"stations", "stations_api", "language", "open_data"})
PUBLIC_ENDPOINTS = frozenset({"static"})

_WORKER = frozenset({"own_account", "check_in", "register_for_events",
                     # jobs: any account may apply, and post for an employer it belongs to
                     "apply_for_jobs", "post_jobs"})
_STAFF = _WORKER | {"view_people", "reveal_phone", "manage_org_stations",
                    "claim_wish", "moderate_wishes", "resolve_reports", "view_station_usage",
                    "manage_org_events", "manage_org_jobs"}
_ADMIN = _STAFF | {"manage_staff", "manage_all_stations", "moderate_all_wishes",
                    "manage_all_events", "manage_all_jobs", "review_regions"}
PERMISSIONS: dict[str, frozenset[str]] = {
    # Only workers make wishes; volunteers (and staff) claim them. wishes.rules decides
    # which wish a permission applies to.
    "worker": _WORKER | {"submit_wish"},
    "volunteer": _WORKER | {"claim_wish"},
    "staff": _STAFF,
    "admin": _ADMIN,
}
KNOWN_PERMISSIONS = frozenset().union(*PERMISSIONS.values())

log = logging.getLogger(__name__)


def public(view):
    """Anyone, signed in or not, may use this view."""
    view.policy = PUBLIC
    return view


def requires(permission: str):
    """Only signed-in users whose role grants `permission` may use this view."""
    if permission not in KNOWN_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def mark(view):
        # An attribute, not a wrapper: the order of decorators does not matter, and
        # functools.wraps in outer decorators (e.g. rate limits) copies it along.
        view.policy = permission
        return view

    return mark


def has_permission(user, permission: str) -> bool:
    """Whether `user` (possibly anonymous) holds `permission`."""
    if not getattr(user, "is_authenticated", False):
        return False
    return permission in PERMISSIONS.get(user.role, frozenset())


def rule_for(endpoint: str, app: Flask | None = None) -> str | None:
    """The rule an endpoint declared: PUBLIC, a permission name, or None (refused)."""
    app = app or current_app
    view = app.view_functions.get(endpoint)
    declared = getattr(view, "policy", None)
    if declared:
        return declared
    blueprint, dot, _ = endpoint.partition(".")
    if endpoint in PUBLIC_ENDPOINTS or (dot and blueprint in PUBLIC_BLUEPRINTS):
        return PUBLIC
    return None


def enforce():
    """Before every request: apply the endpoint's rule."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched; routing answers 404/405 itself
        return None
    rule = rule_for(endpoint)
    if rule == PUBLIC:
        return None
    if rule is None:
        log.error("endpoint %s has no access rule; refused", endpoint)
        return forbidden()
    if not current_user.is_authenticated:
        return to_login()
    if not has_permission(current_user, rule):
        if request.view_args:
            abort(404)
        return forbidden()
    return None


def forbidden():
    return render_template("accounts/forbidden.html"), 403


def to_login():
    """Send an anonymous visitor to the login page, and back here afterwards."""
    target = url_for("accounts.login", next=return_path()) \
        if request.method == "GET" else url_for("accounts.login")
    # 401 for htmx, so a swap never shows the login form inside a fragment.
    return navigate(target, status=302, htmx_status=401)


def people_visible_to(user) -> Select:
    """Accounts a staff member may look at: admins see everyone, staff see the workers whose
    home region code is their organisation's (codes, never names: 朝阳区 is in Beijing and
    in Changchun), everyone else sees no one. A missing code on either side matches no one."""
    query = db.select(User).where(User.deleted_at.is_(None))
    if has_permission(user, "manage_staff"):
        return query
    organisation = user.organisation if has_permission(user, "view_people") else None
    if organisation is not None and organisation.region_code:
        return query.where(User.role == "worker",
                           User.home_region_code == organisation.region_code)
    return query.where(false())


def get_person_or_404(user_id: int) -> User:
    """A person `current_user` may see, or 404 whether or not the id exists."""
    person = db.session.scalar(people_visible_to(current_user).where(User.id == user_id))
    if person is None:
        abort(404)
    return person


def init_app(app: Flask) -> None:
    app.before_request(enforce)
    # Templates show or hide links with the same rules the views enforce.
    app.jinja_env.globals["has_permission"] = has_permission
