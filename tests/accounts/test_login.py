"""Registering, logging in and out, remember-me, and the cookies that carry the session."""
from datetime import timedelta

from accounts.models import User
from extensions import db
from tests.accounts.helpers import DEFAULT_PASSWORD, csrf_token, log_in, post, sign_up, sms_code

REGISTRATION = {"phone": "138 1234 5678", "display_name": "老张", "password": "long enough 1",
                "platform": "meituan", "home_region_code-city": "12",
                "home_region_code": "120102", "consent": "y"}


def test_worker_registers_with_a_mainland_mobile_and_consent_is_recorded(client):
    response = sign_up(client, REGISTRATION)
    assert response.status_code == 303
    user = db.session.scalar(db.select(User))
    assert user.phone == "+8613812345678" and user.role == "worker"
    assert user.consent_at is not None and user.platform == "meituan"
    assert (user.home_region_code, user.home_district) == ("120102", "河东区")
    # Hashed with the configured method (scrypt outside tests: test_passwords.py).
    assert user.password_hash.startswith("pbkdf2:sha256:1$") and "long enough" not in user.password_hash
    assert client.get("/account").status_code == 200


def test_sign_up_page_says_in_chinese_what_we_store_and_why(client):
    page = client.get("/account/register", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "我们保存什么、为什么" in page
    assert 'inputmode="tel"' in page and 'autocomplete="new-password"' in page


def test_registration_without_consent_is_refused_with_422(client):
    code = sms_code(client, "/account/register", REGISTRATION["phone"])
    response = post(client, "/account/register", {**REGISTRATION, "consent": "", "code": code})
    assert response.status_code == 422
    assert db.session.scalar(db.select(User)) is None


def test_short_password_and_foreign_number_are_refused(client):
    response = post(client, "/account/register",
                    {**REGISTRATION, "phone": "+1 415 555 2671", "password": "short"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="phone-error"' in body and 'id="password-error"' in body
    assert db.session.scalar(db.select(User)) is None


def test_a_phone_number_registers_once(client, make_user):
    make_user(phone="+8613812345678")
    response = sign_up(client, REGISTRATION)
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_login_accepts_the_number_however_it_is_typed(client, make_user):
    make_user(phone="+8613812345678")
    response = post(client, "/account/login", {"phone": "+86 138-1234-5678",
                                               "password": DEFAULT_PASSWORD})
    assert response.status_code == 303


def test_wrong_password_is_refused_with_the_same_message_as_an_unknown_number(client, make_user):
    make_user(phone="+8613812345678")
    wrong = post(client, "/account/login", {"phone": "13812345678", "password": "not it at all"})
    unknown = post(client, "/account/login", {"phone": "13912345678", "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 422
    assert client.get("/account").status_code == 302  # still anonymous


def test_login_sends_back_to_the_page_asked_for_but_never_off_site(client, make_user):
    user = make_user()
    to_profile = post(client, "/account/login?next=/account", {"phone": user.phone,
                                                               "password": DEFAULT_PASSWORD})
    assert to_profile.headers["Location"] == "/account"
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account")})
    off_site = post(client, "/account/login?next=//evil.example/", {"phone": user.phone,
                                                                    "password": DEFAULT_PASSWORD})
    assert "evil.example" not in off_site.headers["Location"]


def test_logout_ends_the_session(client, make_user):
    log_in(client, make_user())
    response = client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 303
    assert client.get("/account").status_code == 302


def test_session_cookie_is_httponly_and_lax(client, make_user):
    response = log_in(client, make_user())
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_remember_me_lasts_thirty_days_with_the_same_flags(app, client, make_user):
    response = log_in(client, make_user(), remember=True)
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)


def test_cookies_are_secure_when_the_site_is_served_over_https(monkeypatch):
    from config import settings_for

    monkeypatch.setenv("PREFERRED_URL_SCHEME", "https")
    settings = settings_for("testing")
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]


def test_profile_edits_name_platform_and_language(client, make_user):
    user = make_user()
    log_in(client, user)
    response = post(client, "/account", {"display_name": "新名字", "platform": "didi",
                                         "home_region_code": "120105", "language": "en"})
    assert response.status_code == 303
    db.session.refresh(user)
    assert (user.display_name, user.platform, user.language) == ("新名字", "didi", "en")
    assert (user.home_region_code, user.home_district) == ("120105", "河北区")
    assert any(c.startswith("lang=en") for c in response.headers.getlist("Set-Cookie"))
