"""Sessions that end: after logout, a password change, a reset or "log out everywhere", the
old session cookie and the old remember-me cookie both get the login page."""
import pytest

from tests.accounts.helpers import DEFAULT_PASSWORD, csrf_token, log_in, post, sms_code


def _cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")
            if client.get_cookie(name) is not None}


def _replay(app, name: str, value: str):
    """A fresh browser that has only this one stolen cookie."""
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief.get("/account")


def _logout(app, client, user):
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account")})


def _change_password(app, client, user):
    response = post(client, "/account/password", {"current_password": DEFAULT_PASSWORD,
                                                  "new_password": "another long one"},
                    )
    assert response.status_code == 303


def _reset(app, client, user):
    other = app.test_client()  # the owner, on another phone, forgot the password
    code = sms_code(other, "/account/reset", user.phone)
    assert post(other, "/account/reset", {"phone": user.phone, "code": code,
                                          "password": "another long one"}).status_code == 303


def _everywhere(app, client, user):
    response = post(client, "/account/sessions/end", {"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 303


EVENTS = {"logout": _logout, "password change": _change_password, "reset": _reset,
          "log out everywhere": _everywhere}


@pytest.mark.parametrize("event", EVENTS)
def test_old_session_and_remember_cookies_fail_after(app, client, make_user, event):
    user = make_user()
    log_in(client, user, remember=True)
    stolen = _cookies(client)
    assert set(stolen) == {"session", "remember_token"}
    # Before the event each cookie alone opens the account.
    assert _replay(app, "session", stolen["session"]).status_code == 200
    assert _replay(app, "remember_token", stolen["remember_token"]).status_code == 200
    EVENTS[event](app, client, user)
    for name, value in stolen.items():
        response = _replay(app, name, value)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_changing_the_password_keeps_this_device_signed_in(client, make_user):
    log_in(client, make_user())
    _change_password(None, client, None)
    assert client.get("/account").status_code == 200


def test_password_change_needs_the_current_password(client, make_user):
    user = make_user()
    log_in(client, user)
    response = post(client, "/account/password", {"current_password": "not my password",
                                                  "new_password": "another long one"})
    assert response.status_code == 422
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account")})
    log_in(client, user)  # the old password still works


def test_remember_me_is_off_unless_asked_for(app, client, make_user):
    page = app.test_client().get("/account/login").get_data(as_text=True)
    box = next(tag for tag in page.split("<input")[1:] if 'name="remember"' in tag)
    assert "checked" not in box.split(">")[0]
    response = log_in(client, make_user())
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_profile_offers_log_out_everywhere(client, make_user):
    log_in(client, make_user())
    page = client.get("/account").get_data(as_text=True)
    assert 'action="/account/sessions/end"' in page and 'href="/account/password"' in page


@pytest.mark.parametrize("path", ["/sw.js", "/", "/services", "/account/login"])
def test_a_request_sent_before_login_does_not_overwrite_the_new_session(app, client, make_user,
                                                                        path):
    """CI caught a courier's browser logged out right after logging in: the service worker's
    update check left with the anonymous cookie (which holds the form's CSRF token), the login
    answered first, and the late answer set the anonymous cookie again. A request that does
    not change the session must not send it back."""
    user = make_user()
    csrf_token(client, "/account/login")
    anonymous = client.get_cookie("session").value
    late = app.test_client()
    late.set_cookie("session", anonymous)
    response = late.get(path)
    assert response.status_code == 200
    assert "session=" not in " ".join(response.headers.getlist("Set-Cookie"))
    log_in(client, user)
    assert client.get("/account").status_code == 200


def test_the_bell_count_comes_with_the_user_in_one_statement(app, client, make_user):
    from sqlalchemy import event as sql_event

    from extensions import db
    from notifications import inbox
    from transactions import transaction

    worker = make_user()
    with transaction():
        for _ in range(2):
            inbox.notify(worker.id, "wish_published", title="护膝")
    log_in(client, worker)
    client.set_cookie("lang", "en")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sql_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = client.get("/services").get_data(as_text=True)
    finally:
        sql_event.remove(db.engine, "before_cursor_execute", listener)
    assert "2 unread" in page
    counting = [sql for sql in statements if "notification" in sql]
    # Counted in the statement that loads the signed-in user, not a round trip of its own.
    assert len(counting) == 1 and "FROM user_account" in counting[0]
