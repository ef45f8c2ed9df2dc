"""Flask-Login wiring: how a session cookie becomes a user."""
import hmac

from flask import Flask

from accounts.models import User
from extensions import db, login_manager


def load_user(cookie_id: str) -> User | None:
    """The live account behind a session or remember-me cookie, if the cookie carries its
    current session version ("id:version"): logout, a password change or reset and "log out
    everywhere" change the version, so every older cookie finds no one."""
    user_id, _colon, version = (cookie_id or "").partition(":")
    if not user_id.isdigit() or not version or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or not hmac.compare_digest(user.session_version, version):
        return None
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
