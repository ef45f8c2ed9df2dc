"""The inbox: a list of notices, each opened with a POST that marks it read (CSRFProtect
checks the token of every POST)."""
from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user

from accounts.auth import register_user_count
from accounts.policy import requires
from i18n import safe_next
from notifications import inbox
from pages import render_page_or_fragment
from transactions import transaction

blueprint = Blueprint("notifications", __name__, url_prefix="/notifications",
                      template_folder="templates")
UNREAD = "unread_notifications"


@blueprint.record_once
def _count_unread_with_the_user(state) -> None:
    register_user_count(state.app, UNREAD, inbox.unread_sql)


@blueprint.app_context_processor
def bell() -> dict:
    """The header bell's count, for signed-in people only: loaded with the user (one
    statement), or counted when the user was not loaded from a cookie (just logged in)."""
    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        loaded = getattr(current_user, "counts_at_load", {})
        return loaded[UNREAD] if UNREAD in loaded else inbox.unread_count(current_user.id)
    return {"unread_notifications": unread}


@blueprint.get("")
@requires("own_account")
def index():
    return render_page_or_fragment(
        "notifications/index.html", "notifications/_list.html",
        notifications=inbox.recent(current_user.id), text_of=inbox.text_of)


@blueprint.post("/<int:notification_id>")
@requires("own_account")
def open(notification_id: int):
    """Mark one notice read and go where it points."""
    with transaction():
        found = inbox.mark_read(current_user.id, notification_id)
    if found is None:
        abort(404)
    return redirect(safe_next(found.link) if found.link else url_for("notifications.index"), code=303)


@blueprint.post("/read")
@requires("own_account")
def read_all():
    with transaction():
        inbox.mark_read(current_user.id)
    return redirect(url_for("notifications.index"), code=303)
