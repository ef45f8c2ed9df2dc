"""Flask-Login wiring: how a session cookie becomes a user."""
from flask import Flask

from accounts.models import User
from extensions import db, login_manager


def load_user(user_id: str) -> User | None:
    """The live account behind a session or remember-me cookie; deleted accounts are gone."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


def init_login(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    # "strong" would log riders out whenever their mobile network changes address.
    login_manager.session_protection = "basic"
