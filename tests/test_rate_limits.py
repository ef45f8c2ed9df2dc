"""Rate limits on login (per phone and per address), registration and other writes; the
friendly 429 page; and the same limits shared through Redis, as several gunicorn workers
would share them.

Redis: REDIS_URL_FOR_TESTS when set (CI sets it, and then an unreachable server fails the
run), else redis://127.0.0.1:6379/15, skipped with a message when nothing answers there.
"""
import os

import pytest
import redis

from accounts.models import User
from extensions import db, limiter
from tests.accounts.helpers import DEFAULT_PASSWORD, csrf_token, post, sign_up

REDIS_URL = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15")
WRONG = "not the password"


def failed_login(client, phone: str, address: str = "10.0.0.1"):
    return client.post("/account/login", data={"phone": phone, "password": WRONG,
                                               "csrf_token": csrf_token(client)},
                       environ_base={"REMOTE_ADDR": address})


def test_sixth_wrong_password_for_one_phone_is_refused_from_any_address(client, make_user):
    user = make_user(phone="+8613812345678")
    for attempt in range(5):
        assert failed_login(client, "13812345678", f"10.0.0.{attempt}").status_code == 422
    # Typed differently, from a new address: still the same phone's budget.
    blocked = failed_login(client, "+86 138 1234 5678", "10.9.9.9")
    assert blocked.status_code == 429
    right = client.post("/account/login", data={"phone": user.phone, "password": DEFAULT_PASSWORD,
                                                "csrf_token": csrf_token(client)})
    assert right.status_code == 429  # the right password does not get through either


def test_one_address_trying_many_phones_is_refused(app, client):
    app.config["RATELIMIT_LOGIN_PER_IP"] = "3 per 15 minutes"
    try:
        statuses = [failed_login(client, f"1381234560{i}").status_code for i in range(4)]
    finally:
        app.config["RATELIMIT_LOGIN_PER_IP"] = "30 per 15 minutes"
    assert statuses == [422, 422, 422, 429]


def test_successful_logins_do_not_use_up_the_phone_budget(client, make_user):
    user = make_user()
    for _ in range(7):
        assert post(client, "/account/login", {"phone": user.phone,
                                               "password": DEFAULT_PASSWORD}).status_code == 303
        client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account")})


def test_registration_is_limited_per_address(app):
    app.config["RATELIMIT_REGISTER_PER_IP"] = "2 per hour"
    try:
        # A new browser each time (a registered one is signed in and sent to its profile).
        statuses = [sign_up(app.test_client(),
                            {"phone": f"1381234567{i}", "display_name": "x",
                             "password": "long enough 1", "consent": "y"}).status_code
                    for i in range(3)]
    finally:
        app.config["RATELIMIT_REGISTER_PER_IP"] = "10 per hour"
    assert statuses == [303, 303, 429]
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2


def test_other_writes_are_limited_too(client):
    """The language switch has no limit of its own: the default for writes covers it."""
    token = csrf_token(client)
    statuses = {client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token}).status_code
                for _ in range(61)}
    assert statuses == {303, 429}


def test_rate_limited_page_is_friendly_localised_and_says_when_to_retry(client):
    for _ in range(5):
        failed_login(client, "13812345678")
    zh = failed_login(client, "13812345678")
    assert zh.status_code == 429 and "尝试次数太多了" in zh.get_data(as_text=True)
    assert int(zh.headers["Retry-After"]) > 0
    en = client.post("/account/login", data={"phone": "13812345678", "password": WRONG,
                                             "csrf_token": csrf_token(client)},
                     headers={"Accept-Language": "en"})
    assert en.status_code == 429 and "Too many tries" in en.get_data(as_text=True)


@pytest.fixture
def redis_limits(app):
    """The app's limiter counting in Redis for one test; its keys are deleted afterwards."""
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.exceptions.ConnectionError as error:
        if "REDIS_URL_FOR_TESTS" in os.environ:
            pytest.fail(f"REDIS_URL_FOR_TESTS={REDIS_URL} is set but unreachable: {error}")
        pytest.skip(f"no Redis at {REDIS_URL} (set REDIS_URL_FOR_TESTS to require it)")
    previous = app.config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    limiter.init_app(app)  # same app: rebinds the storage, registers no second hook
    try:
        limiter.reset()
        yield server
    finally:
        limiter.reset()
        leftover = list(server.scan_iter("LIMITS*"))
        app.config["RATELIMIT_STORAGE_URI"] = previous
        limiter.init_app(app)
        server.close()
    assert leftover == []


def test_login_limit_is_counted_in_redis(client, redis_limits):
    for _ in range(5):
        assert failed_login(client, "13812345678").status_code == 422
    keys = [key.decode() for key in redis_limits.scan_iter("LIMITS*")]
    assert any("phone:+8613812345678" in key for key in keys), keys
    assert failed_login(client, "13812345678").status_code == 429


def test_redis_counts_survive_a_new_process_limiter(app, client, redis_limits):
    """Another gunicorn worker (a fresh storage connection) sees the same counts."""
    for _ in range(5):
        failed_login(client, "13812345678")
    limiter.init_app(app)  # a new connection, as another process would have
    assert failed_login(client, "13812345678").status_code == 429


def _strategy_clear_waits(phone: str, app) -> None:
    """What the passing of the short delay does: the number's wait windows end. (The delay
    is counted by the limiter's own clock, so the test ends it instead of sleeping.)"""
    from accounts import rate_limits
    from limits import RateLimitItemPerSecond

    for seconds in rate_limits._delays(app.config["LOGIN_MAX_DELAY_SECONDS"]):
        limiter.limiter.clear(RateLimitItemPerSecond(1, seconds), "login-wait", f"phone:{phone}")


@pytest.fixture
def slow_first_delay(app):
    """A first delay long enough that a slow test run cannot outlast it by accident."""
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 20
    yield
    app.config["LOGIN_FIRST_DELAY_SECONDS"] = 1


def test_the_owner_gets_in_from_a_new_address_after_a_short_delay(app, client, make_user,
                                                                   slow_first_delay):
    user = make_user(phone="+8613812345678")
    for attempt in range(5):
        assert failed_login(client, "13812345678", "10.6.6.6").status_code == 422
    owner = app.test_client()

    def owner_logs_in():
        return owner.post("/account/login", data={"phone": "13812345678",
                                                  "password": DEFAULT_PASSWORD,
                                                  "csrf_token": csrf_token(owner)},
                          environ_base={"REMOTE_ADDR": "10.1.2.3"})

    waiting = owner_logs_in()
    assert waiting.status_code == 429 and 0 < int(waiting.headers["Retry-After"]) <= 60
    _strategy_clear_waits(user.phone, app)
    assert owner_logs_in().status_code == 303
    # The guesser's own address stays refused for this number.
    assert failed_login(client, "13812345678", "10.6.6.6").status_code == 429


def test_the_delay_grows_with_each_failure_and_stays_short(app, client, make_user,
                                                           slow_first_delay):
    make_user(phone="+8613812345678")
    waits = []
    for attempt in range(9):
        response = failed_login(client, "13812345678", f"10.0.1.{attempt}")
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
            _strategy_clear_waits("+8613812345678", app)
            response = failed_login(client, "13812345678", f"10.0.1.{attempt}")
        assert response.status_code == 422
    assert waits == sorted(waits) and waits[-1] > waits[0] and max(waits) <= 60
    assert waits[0] >= 19  # 20, 40, 60, 60: doubled, capped at LOGIN_MAX_DELAY_SECONDS


def test_json_logins_count_under_the_same_number(client, make_user):
    make_user(phone="+8613812345678")
    for attempt in range(5):
        token = csrf_token(client)
        response = client.post("/account/login", json={"phone": "13812345678", "password": WRONG},
                               headers={"X-CSRFToken": token},
                               environ_base={"REMOTE_ADDR": f"10.0.2.{attempt}"})
        assert response.status_code == 422
    # A form login for the same number, from yet another address, is now made to wait.
    assert failed_login(client, "+86 138 1234 5678", "10.9.9.8").status_code == 429


def test_two_hundred_workers_on_one_wifi_each_get_their_own_write_budget(app, make_user):
    """Signed-in writes count per user: 200 workers behind one address, 2 writes each."""
    from tests.accounts.helpers import log_in

    statuses = set()
    for number in range(200):
        browser = app.test_client()
        browser.environ_base["REMOTE_ADDR"] = "10.200.0.1"
        log_in(browser, make_user())
        token = csrf_token(browser, "/account")
        for _ in range(2):
            statuses.add(browser.post("/language", data={"lang": "en", "next": "/",
                                                         "csrf_token": token}).status_code)
    assert statuses == {303}


def test_one_signed_in_user_is_limited_whatever_the_address(app, make_user):
    from tests.accounts.helpers import log_in

    browser = app.test_client()
    log_in(browser, make_user())
    token = csrf_token(browser, "/account")
    statuses = [browser.post("/language", data={"lang": "en", "next": "/", "csrf_token": token},
                             environ_base={"REMOTE_ADDR": f"10.3.{n // 250}.{n % 250}"}).status_code
                for n in range(61)]
    assert statuses[:60] == [303] * 60 and statuses[60] == 429


def test_logins_work_when_rate_limits_are_switched_off(app, client, make_user):
    """A test server or a deployment may turn limits off; login must not fail with a 500."""
    from tests.accounts.helpers import log_in

    user = make_user()
    limiter.enabled = False
    try:
        assert failed_login(client, user.phone[3:]).status_code == 422
        log_in(client, user)
    finally:
        limiter.enabled = True
