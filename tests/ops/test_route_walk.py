"""Every route, walked with hostile input, answers without a 5xx (issue 14, item 5).

The routes come from app.url_map and the parameter names from the code itself (every
request.args/form/values.get("...") and every WTForms field), so a new page or parameter is
walked without editing this file. Each route gets huge, negative and overflowing ids, and
each parameter huge numbers, 1e400, CRLF and 10 KB strings, as GET or POST (with a valid CSRF
token, so the view itself runs), anonymously and as a signed-in staff member."""
import pathlib
import re
from urllib.parse import quote, urlencode, urlsplit

import pytest

from accounts.policy import PUBLIC, rule_for
from tests.accounts.helpers import csrf_token, log_in

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "tests", "bench", "migrations", "node_modules"}
PARAMETER = re.compile(r"\b(?:args|form|values|files|params|query|source|data)\.get(?:list)?\(\s*[\"'](\w+)[\"']")
FORM_FIELD = re.compile(r"^\s+(\w+)\s*=\s*\w*(?:Field|Radio\w*)\(", re.MULTILINE)

BAD_IDS = ("2147483648", "-1", "9" * 5000)
# 2^31 overflows PostgreSQL's integer, 2^63 SQLite's; ten thousand digits overflow Python's
# int() (4,300 digits at most) and make a 10 KB string.
BAD_VALUES = ("2147483648", "9223372036854775808", "-1", "1e400", "NaN",
              "line\r\nSet-Cookie: x=1", "9" * 10_240, "[1e400,1]", "/\t/evil.example")
BAD_STRINGS = ("\r\nX: 1", "x" * 10_240, "1e400", "..%2f..%2fetc", "-1")


def _parameter_names() -> list[str]:
    names = set()
    for path in ROOT.rglob("*.py"):
        if SKIP_DIRS & set(path.relative_to(ROOT).parts):
            continue
        text = path.read_text(encoding="utf-8")
        names.update(PARAMETER.findall(text))
        if path.name == "forms.py":
            names.update(FORM_FIELD.findall(text))
    return sorted(names - {"csrf_token"})


def _path(rule, values: dict) -> str:
    path = rule.rule
    for argument in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", quote(str(values[argument]), safe=""), path)
    return path


def _sends_to_login(response) -> bool:
    target = response.headers.get("HX-Redirect") or response.headers.get("Location") or ""
    return response.status_code in (302, 401) and urlsplit(target).path == "/account/login"


def _walk(client, rules, names, known_ids: dict, staff) -> list[str]:
    failures = []
    token = csrf_token(client, "/")
    # Every route gets the same hostile parameters: encode each set once, not once a route
    # (a set is about a megabyte, and encoding it was most of this test's time).
    queries = {bad: urlencode(dict.fromkeys(names, bad)) for bad in BAD_VALUES}
    bodies = {bad: f"{queries[bad]}&{urlencode({'csrf_token': token})}" for bad in BAD_VALUES}

    label = ""

    def request(method: str, url: str, body: str | None):
        if method == "GET":
            return client.get(url)
        return client.post(url, data=body or {"csrf_token": token},
                           content_type="application/x-www-form-urlencoded")

    def send(method: str, url: str, body: str | None = None) -> None:
        try:
            response = request(method, url, body)
            # A walked POST may have ended the staff member's session (a password change,
            # "log out everywhere"); the next staff-only page then sends them to log in.
            if staff and _sends_to_login(response):
                log_in(client, staff)
                response = request(method, url, body)
            if response.status_code >= 500:
                failures.append(f"{method} {rule.rule} {label} -> {response.status_code}")
        except Exception as error:  # noqa: BLE001: testing propagates the view's exception
            failures.append(f"{method} {rule.rule} {label} -> {type(error).__name__}: "
                            f"{str(error).splitlines()[0][:160]}")

    for rule in rules:
        if staff and rule.endpoint == "accounts.logout":
            continue
        for method in sorted({"GET", "POST"} & rule.methods):
            int_args = [a for a, c in rule._converters.items() if type(c).__name__ == "IdConverter"]
            other_args = [a for a in rule.arguments if a not in int_args]
            good = {a: known_ids.get(a, 1) for a in int_args}
            good.update({a: "x" for a in other_args})
            # Bad path values, one kind at a time.
            for bad in BAD_IDS if int_args else ():
                label = f"id={bad[:20]}"
                send(method, _path(rule, {**good, **dict.fromkeys(int_args, bad)}))
            for bad in BAD_STRINGS if other_args else ():
                label = f"path={bad[:20]!r}"
                send(method, _path(rule, {**good, **dict.fromkeys(other_args, bad)}))
            # Bad parameter values on a path that exists.
            for bad in BAD_VALUES:
                label = f"params={bad[:20]!r}"
                url = _path(rule, good) + "?" + queries[bad]
                send(method, url, bodies[bad] if method == "POST" else None)
    return failures


@pytest.fixture
def walkable(app):
    from extensions import limiter

    limiter.enabled = False
    yield sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    limiter.enabled = True


def test_parameter_names_are_found_in_the_code():
    names = _parameter_names()
    assert {"next", "lat", "lon", "bbox"} <= set(names), names


def test_no_route_answers_5xx_to_hostile_input_anonymously(client, walkable, make_station):
    station = make_station()
    failures = _walk(client, walkable, _parameter_names(), {"station_id": station.id}, None)
    assert failures == [], "\n".join(failures)


def test_no_route_answers_5xx_to_hostile_input_from_staff(client, walkable, make_station,
                                                         make_user, make_organisation):
    organisation = make_organisation()
    station = make_station(organisation_id=organisation.id)
    staff = make_user("staff", organisation_id=organisation.id)
    log_in(client, staff)
    # Public pages were walked anonymously; here, the ones behind a login.
    rules = [rule for rule in walkable if rule_for(rule.endpoint) != PUBLIC]
    failures = _walk(client, rules, _parameter_names(), {"station_id": station.id}, staff)
    assert failures == [], "\n".join(failures)
