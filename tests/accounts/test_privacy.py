"""Staff see masked numbers; revealing one is an explicit, logged act. Workers can take
their data away (JSON export) and delete their account, which leaves only a tombstone."""
import json

import pytest

from accounts.models import AuditEvent, User
from accounts.phones import masked, normalise_mainland_mobile
from extensions import db
from tests.accounts.helpers import DEFAULT_PASSWORD, csrf_token, log_in, post, sign_up


@pytest.mark.parametrize("typed, stored", [
    ("13812341234", "+8613812341234"),
    ("138 1234 1234", "+8613812341234"),
    ("+86 138-1234-1234", "+8613812341234"),
    ("008613812341234", "+8613812341234"),
    ("022-55500101", None),       # a landline
    ("1381234123", None),         # too short
    ("+1 415 555 2671", None),    # not mainland
    ("", None),
])
def test_only_mainland_mobiles_are_accepted_and_stored_as_e164(typed, stored):
    assert normalise_mainland_mobile(typed) == stored


def test_masking_keeps_the_first_three_and_last_four_digits():
    assert masked("+8613812341234") == "138****1234"


@pytest.fixture
def district(make_organisation, make_user):
    organisation = make_organisation(district="河东区")
    return {"staff": make_user("staff", organisation_id=organisation.id, display_name="王干事"),
            "worker": make_user(phone="+8613812341234", home_district="河东区")}


def test_staff_lists_show_masked_numbers_only(client, district):
    log_in(client, district["staff"])
    for path in ("/staff/people", f"/staff/people/{district['worker'].id}"):
        page = client.get(path).get_data(as_text=True)
        assert "138****1234" in page
        assert "13812341234" not in page and "8613812341234" not in page


def test_revealing_a_number_shows_it_and_logs_who_saw_it(client, district):
    staff, worker = district["staff"], district["worker"]
    log_in(client, staff)
    response = post(client, f"/staff/people/{worker.id}/phone")
    assert response.status_code == 200
    assert "+8613812341234" in response.get_data(as_text=True)
    event = db.session.scalar(db.select(AuditEvent))
    assert (event.actor_id, event.subject_id, event.action) == (staff.id, worker.id, "reveal_phone")
    assert event.created_at is not None
    page = client.get(f"/staff/people/{worker.id}").get_data(as_text=True)
    assert "王干事" in page  # the person page lists who has seen the number


def test_htmx_reveal_returns_only_the_phone_fragment(client, district):
    log_in(client, district["staff"])
    response = client.post(f"/staff/people/{district['worker'].id}/phone",
                           headers={"HX-Request": "true",
                                    "X-CSRFToken": csrf_token(client, "/staff/people")})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "+8613812341234" in body
    assert "HX-Request" in response.headers["Vary"]


def test_staff_of_another_district_cannot_reveal(client, district, make_organisation, make_user):
    outsider = make_user("staff", organisation_id=make_organisation(district="朝阳区").id)
    log_in(client, outsider)
    assert post(client, f"/staff/people/{district['worker'].id}/phone").status_code == 404
    assert db.session.scalar(db.select(AuditEvent)) is None


def test_export_holds_everything_we_store_about_the_worker(client, district):
    worker = district["worker"]
    log_in(client, district["staff"])
    post(client, f"/staff/people/{worker.id}/phone")
    worker_client = client.application.test_client()
    log_in(worker_client, worker)
    response = worker_client.get("/account/export.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    account = data["account"]
    assert account["phone"] == "+8613812341234" and account["display_name"] == worker.display_name
    assert account["home_district"] == "河东区" and account["consent_at"]
    assert data["access_log"][0]["action"] == "reveal_phone"
    assert data["access_log"][0]["by"] == "王干事"


def test_deleting_an_account_anonymises_it_logs_out_and_blocks_login(client, district):
    worker = district["worker"]
    log_in(client, worker, remember=True)
    response = post(client, "/account/delete", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 303
    assert client.get("/account").status_code == 302  # logged out, remember cookie too
    db.session.expire_all()
    tombstone = db.session.get(User, worker.id)
    assert tombstone is not None and tombstone.deleted_at is not None
    assert (tombstone.phone, tombstone.display_name, tombstone.password_hash,
            tombstone.home_district) == (None, "", None, "")
    again = post(client, "/account/login", {"phone": "13812341234", "password": DEFAULT_PASSWORD})
    assert again.status_code == 422


def test_deleted_accounts_still_count_and_vanish_from_staff_lists(client, district):
    worker = district["worker"]
    log_in(client, worker)
    post(client, "/account/delete", {"password": DEFAULT_PASSWORD})
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2
    staff_client = client.application.test_client()
    log_in(staff_client, district["staff"])
    assert staff_client.get(f"/staff/people/{worker.id}").status_code == 404


def test_a_deleted_number_can_sign_up_again(client, district):
    log_in(client, district["worker"])
    post(client, "/account/delete", {"password": DEFAULT_PASSWORD})
    response = sign_up(client, {"phone": "13812341234", "display_name": "回来了",
                                "password": "long enough 1", "consent": "y"})
    assert response.status_code == 303


def test_deletion_needs_the_password(client, district):
    worker = district["worker"]
    log_in(client, worker)
    assert post(client, "/account/delete", {"password": "wrong password"}).status_code == 422
    db.session.refresh(worker)
    assert worker.deleted_at is None
