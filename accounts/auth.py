"""Flask-Login wiring: how a session cookie becomes a user."""
import functools
import hmac

from flask import Flask, current_app
from sqlalchemy import bindparam, select

from accounts.models import User
from extensions import db, login_manager

_USER_COUNTS = "user_counts"


def register_user_count(app: Flask, name: str, count) -> None:
    """A count the top bar shows the signed-in person on every page (notifications' unread
    notices). count(user_id) returns SQL correlated to the column `user_id`: load_user
    selects it with the user, in the same statement, and leaves it in the user's
    `counts_at_load`. Register a module-level function (the statement is cached per count)."""
    app.extensions.setdefault(_USER_COUNTS, {})[name] = count


@functools.cache
def _user_statement(counts: tuple):
    return (select(User, *(count(User.id).label(name) for name, count in counts))
            .where(User.id == bindparam("user_id")))


def load_user(cookie_id: str) -> User | None:
    """The live account behind a session or remember-me cookie, if the cookie carries its
    current session version ("id:version"): logout, a password change or reset and "log out
    everywhere" change the version, so every older cookie finds no one."""
    user_id, _colon, version = (cookie_id or "").partition(":")
    if not user_id.isdigit() or not version or len(user_id) > 18:
        return None
    counts = tuple(current_app.extensions.get(_USER_COUNTS, {}).items())
    row = db.session.execute(_user_statement(counts), {"user_id": int(user_id)}).first()
    user = row.User if row is not None else None
    if user is None or not user.is_active or not hmac.compare_digest(user.session_version, version):
        return None
    # A plain attribute, as of this request's start: one page's top bar.
    user.counts_at_load = {name: row._mapping[name] for name, _count in counts}
    return user


def init_login(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    # Off: "strong" would log riders out whenever their mobile network changes address, and
    # "basic" only marks sessions not fresh (nothing here asks for freshness) by rewriting the
    # cookie on the next request; when that request left before a login and came back after
    # it, the rewrite put the anonymous cookie back and logged the rider out again. Sessions
    # end by session_version instead (see load_user).
    login_manager.session_protection = None
