"""Every write needs the CSRF token, for plain forms and htmx alike; without it: 400, and
nothing changes. CSRF stays on in the test config, so the whole suite sends real tokens."""
import pytest

from accounts.models import AuditEvent, User
from extensions import db
from tests.accounts.helpers import DEFAULT_PASSWORD, csrf_token, log_in

REGISTRATION = {"phone": "13812345678", "display_name": "老张", "password": "long enough 1",
                "consent": "y"}
HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_registration_without_a_token_is_refused_and_creates_no_account(client, headers):
    response = client.post("/account/register", data=REGISTRATION, headers=headers)
    assert response.status_code == 400
    assert db.session.scalar(db.select(User)) is None


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_forged_token_is_refused(client, headers):
    client.get("/account/register")  # a session exists, the token does not match it
    response = client.post("/account/register", data={**REGISTRATION, "csrf_token": "forged"},
                           headers=headers)
    assert response.status_code == 400
    assert db.session.scalar(db.select(User)) is None


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_phone_reveal_without_a_token_writes_no_audit_row(client, make_user, make_organisation,
                                                          headers):
    staff = make_user("staff", organisation_id=make_organisation(district="河东区").id)
    worker = make_user(home_district="河东区")
    log_in(client, staff)
    response = client.post(f"/staff/people/{worker.id}/phone", headers=headers)
    assert response.status_code == 400
    assert worker.phone not in response.get_data(as_text=True)
    assert db.session.scalar(db.select(AuditEvent)) is None


def test_htmx_sends_the_token_in_a_header_and_is_accepted(client, make_user, make_organisation):
    staff = make_user("staff", organisation_id=make_organisation(district="河东区").id)
    worker = make_user(home_district="河东区")
    log_in(client, staff)
    token = csrf_token(client, "/staff/people")
    response = client.post(f"/staff/people/{worker.id}/phone",
                           headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert worker.phone in response.get_data(as_text=True)


def test_logout_without_a_token_keeps_the_user_signed_in(client, make_user):
    log_in(client, make_user())
    assert client.post("/account/logout").status_code == 400
    assert client.get("/account").status_code == 200


def test_account_deletion_without_a_token_deletes_nothing(client, make_user):
    user = make_user()
    log_in(client, user)
    response = client.post("/account/delete", data={"password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.deleted_at is None


def test_the_refusal_page_is_friendly_and_localised(client):
    zh = client.post("/account/login", data={"phone": "13812345678", "password": "x"},
                     headers={"Accept-Language": "zh-CN"})
    en = client.post("/account/login", data={"phone": "13812345678", "password": "x"},
                     headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 400
    assert "请再试一次" in zh.get_data(as_text=True)
    assert "nothing was saved" in en.get_data(as_text=True)
