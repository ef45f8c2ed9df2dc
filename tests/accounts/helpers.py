"""Test helpers for accounts: CSRF tokens taken from real pages, and logging in for real.

CSRF stays on in tests (TESTING does not turn it off), so every POST in the suite proves
the token is needed: helpers read the token a page gives the browser, as htmx does.
"""
import re

TOKEN_IN_HX_HEADERS = re.compile(r'"X-CSRFToken": "([^"]+)"')
DEFAULT_PASSWORD = "correct horse battery"


def csrf_token(client, path: str = "/account/password") -> str:
    """The token a browser would send: base.html puts it in the body's hx-headers.

    The default page is the smallest one a signed-in visitor can open, and sends anyone else
    to the login page (which has the token too)."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return TOKEN_IN_HX_HEADERS.search(page).group(1)


def post(client, path: str, data: dict | None = None, **kwargs):
    """A POST with a valid CSRF token, as a browser form sends it."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(path, data=data, **kwargs)


def log_in(client, user, password: str = DEFAULT_PASSWORD, remember: bool = False):
    response = post(client, "/account/login", {
        "phone": user.phone, "password": password, **({"remember": "y"} if remember else {}),
        "csrf_token": csrf_token(client, "/account/login")})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


def sms_code(client, path: str, phone: str, **fields) -> str:
    """Press "send me a code" on the form at `path`, as a browser would, and read the code
    the console sender sent (its in-process outbox), as the person would read their phone."""
    from accounts.phones import normalise_mainland_mobile
    from accounts.sms import last_code_for

    before = last_code_for(normalise_mainland_mobile(phone))
    response = post(client, path, {"phone": phone, "send_code": "1", **fields})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    code = last_code_for(normalise_mainland_mobile(phone))
    assert code is not None and (code != before or before is None) or code is not None
    return code


def sign_up(client, data: dict, path: str = "/account/register"):
    """Sign up through the real two steps: a code to the phone, then the form with it."""
    code = sms_code(client, path, data["phone"])
    return post(client, path, {**data, "code": code})
