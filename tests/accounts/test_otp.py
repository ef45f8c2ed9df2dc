"""SMS one-time codes: six digits, stored hashed, five minutes, five attempts, one a minute
and ten a day per number, a limit per address; the same answer for every number."""
import re
from datetime import timedelta

import pytest

import clock
from accounts import otp
from accounts.models import SmsCode, User
from extensions import db
from tests.accounts.helpers import DEFAULT_PASSWORD, log_in, post, sign_up, sms_code
from transactions import transaction

PHONE = "+8613812345678"
SIGN_UP = {"phone": "13812345678", "display_name": "老张", "password": "long enough 1",
           "consent": "y"}


def _issue(purpose: str = "signup", at=None) -> str:
    with transaction():
        return otp.issue(PHONE, purpose, now=at or clock.now()).code


def _verify(code: str, purpose: str = "signup", at=None) -> bool:
    with transaction():
        return otp.verify(PHONE, purpose, code, now=at or clock.now())


def test_a_code_is_six_digits_and_only_its_hash_is_stored(app):
    code = _issue()
    assert re.fullmatch(r"\d{6}", code)
    row = db.session.scalar(db.select(SmsCode))
    stored = " ".join(str(value) for value in (row.phone_digest, row.code_hash))
    assert code not in stored and "13812345678" not in stored


def test_a_code_works_once(app):
    code = _issue()
    assert _verify(code) is True
    assert _verify(code) is False


def test_a_code_is_for_its_purpose_only(app):
    code = _issue("signup")
    assert _verify(code, "reset") is False
    assert _verify(code, "signup") is True


def test_a_code_expires_after_five_minutes(app):
    start = clock.now()
    code = _issue(at=start)
    assert _verify(code, at=start + timedelta(minutes=5, seconds=1)) is False
    assert _verify(code, at=start + timedelta(minutes=4, seconds=59)) is True


def test_five_wrong_guesses_use_up_the_code(app):
    code = _issue()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert _verify(wrong) is False
    assert _verify(code) is False


def test_one_code_a_minute_and_ten_a_day_per_number(app):
    start = clock.now()
    _issue(at=start)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(otp.CodeRefused, match=" 1 seconds"):
            _issue(at=start + timedelta(seconds=59))
        for minute in range(1, 10):
            _issue(at=start + timedelta(minutes=minute))
        with pytest.raises(otp.CodeRefused, match="today"):
            _issue(at=start + timedelta(minutes=30))
    _issue(at=start + timedelta(days=1, minutes=1))  # a day later the count starts again


def test_the_same_answer_whether_or_not_the_number_has_an_account(client, make_user):
    make_user(phone="+8613812345678")
    taken = post(client, "/account/register", {"phone": "13812345678", "send_code": "1"})
    free = post(client, "/account/register", {"phone": "13912345678", "send_code": "1"})
    assert taken.status_code == free.status_code == 200

    def visible(response):
        text = response.get_data(as_text=True).replace("139****5678", "138****5678")
        text = text.replace("13912345678", "13812345678")
        # Per-response randomness: the CSRF token and the CSP nonce.
        text = re.sub(r'(csrf_token"[^>]*value=|X-CSRFToken": )"[^"]+"', "", text)
        return re.sub(r'(nonce="|Nonce": ")[^"]+"', "", text)

    assert visible(taken) == visible(free)
    assert "already" not in visible(taken) and "已有账号" not in visible(taken)


def test_sign_up_says_a_number_is_taken_only_once_the_code_proved_it(client, make_user):
    make_user(phone="+8613812345678")
    wrong = post(client, "/account/register", {**SIGN_UP, "code": "000000"},
                 headers={"Accept-Language": "en"})
    assert wrong.status_code == 422 and "already has an account" not in wrong.get_data(as_text=True)
    proven = sign_up(client, SIGN_UP)
    assert proven.status_code == 422
    assert "already has an account" in proven.get_data(as_text=True) or \
        "已有账号" in proven.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_sign_up_with_a_wrong_code_creates_nothing(client):
    response = post(client, "/account/register", {**SIGN_UP, "code": "12345"})
    assert response.status_code == 422 and 'id="code-error"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User)) is None


def test_asking_for_codes_is_limited_per_address(app, client):
    app.config["RATELIMIT_SMS_PER_IP"] = "2 per hour"
    try:
        statuses = [post(client, "/account/register", {"phone": f"1381234567{i}",
                                                        "send_code": "1"}).status_code
                    for i in range(3)]
    finally:
        app.config["RATELIMIT_SMS_PER_IP"] = "20 per hour"
    assert statuses == [200, 200, 429]


def test_forgotten_password_is_reset_with_a_fresh_code(client, make_user):
    user = make_user(phone=PHONE)
    code = sms_code(client, "/account/reset", "13812345678")
    response = post(client, "/account/reset", {"phone": "13812345678", "code": code,
                                               "password": "a brand new one"})
    assert response.status_code == 303
    client.post("/account/logout", data={"csrf_token": _token(client)})
    assert post(client, "/account/login", {"phone": user.phone,
                                           "password": DEFAULT_PASSWORD}).status_code == 422
    log_in(client, user, "a brand new one")


def test_a_reset_code_is_not_a_sign_up_code_and_a_used_one_fails(client, make_user):
    make_user(phone=PHONE)
    code = sms_code(client, "/account/register", "13812345678")
    response = post(client, "/account/reset", {"phone": "13812345678", "code": code,
                                               "password": "a brand new one"})
    assert response.status_code == 422


def test_reset_for_a_number_without_an_account_answers_like_a_wrong_code(client):
    code = sms_code(client, "/account/reset", "13812345678")
    response = post(client, "/account/reset", {"phone": "13812345678", "code": code,
                                               "password": "a brand new one"},
                    headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "not right or has expired" in response.get_data(as_text=True)


def test_log_in_with_a_code(client, make_user):
    user = make_user(phone=PHONE)
    code = sms_code(client, "/account/login/code", "13812345678")
    response = post(client, "/account/login/code?next=/account",
                    {"phone": "13812345678", "code": code})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    assert "138****5678" in client.get("/account").get_data(as_text=True)
    assert user.phone == PHONE


def _token(client):
    from tests.accounts.helpers import csrf_token

    return csrf_token(client, "/account")
