"""Rate-limit keys and limits, read from config so deployments and tests can tune them."""
from flask import current_app, request
from flask_login import current_user
from flask_limiter.util import get_remote_address

from accounts.phones import normalise_mainland_mobile
from extensions import limiter


def _configured(name: str):
    return lambda: current_app.config[name]


def submitted_phone() -> str:
    """The login form's phone number, normalised, so '138 1234 1234' and '+8613812341234'
    share one budget; guessing passwords for one account from many addresses is capped."""
    raw = request.form.get("phone", "")
    return "phone:" + (normalise_mainland_mobile(raw) or raw.strip()[:32])


def user_or_address() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _login_failed(response) -> bool:
    # Successful logins (a 303 redirect) do not use up the phone's budget.
    return response.status_code != 303


login_per_address = limiter.limit(_configured("RATELIMIT_LOGIN_PER_IP"), methods=["POST"])
login_per_phone = limiter.limit(_configured("RATELIMIT_LOGIN_PER_PHONE"), methods=["POST"],
                                key_func=submitted_phone, deduct_when=_login_failed)
registration = limiter.limit(_configured("RATELIMIT_REGISTER_PER_IP"), methods=["POST"])
writes = limiter.limit(_configured("RATELIMIT_WRITES_PER_USER"), methods=["POST"],
                       key_func=user_or_address)
