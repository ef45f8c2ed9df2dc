"""Each role sees exactly its part: rows are scoped by organisation, not just pages by role."""
import pytest
from werkzeug.exceptions import NotFound

from accounts import policy
from accounts.models import AuditEvent, User
from extensions import db
from rest_stations.models import Station
from tests.accounts.helpers import log_in, post


@pytest.fixture
def two_branches(make_organisation, make_user, make_station):
    hedong = make_organisation("河东区总工会", district="河东区")
    chaoyang = make_organisation("朝阳区总工会", city="北京市", district="朝阳区")
    return {
        "hedong_staff": make_user("staff", organisation_id=hedong.id),
        "chaoyang_staff": make_user("staff", organisation_id=chaoyang.id),
        "admin": make_user("admin"),
        "hedong_worker": make_user(home_district="河东区", display_name="河东骑手"),
        "chaoyang_worker": make_user(home_district="朝阳区", home_city="北京市",
                                     display_name="朝阳骑手"),
        "hedong_station": make_station(name="河东驿站", organisation_id=hedong.id),
        "chaoyang_station": make_station(name="朝阳驿站", organisation_id=chaoyang.id),
    }


def test_staff_see_the_workers_of_their_district_only(client, two_branches):
    log_in(client, two_branches["hedong_staff"])
    page = client.get("/staff/people").get_data(as_text=True)
    assert "河东骑手" in page and "朝阳骑手" not in page


def test_admins_see_everyone(client, two_branches):
    log_in(client, two_branches["admin"])
    page = client.get("/staff/people").get_data(as_text=True)
    assert "河东骑手" in page and "朝阳骑手" in page


def test_staff_see_their_organisations_stations_only(client, two_branches):
    log_in(client, two_branches["hedong_staff"])
    page = client.get("/staff/stations").get_data(as_text=True)
    assert "河东驿站" in page and "朝阳驿站" not in page


def test_station_lookup_for_editing_is_scoped_to_the_organisation(app, two_branches):
    with app.test_request_context():
        staff = two_branches["hedong_staff"]
        assert Station.get_managed_or_404(two_branches["hedong_station"].id, staff)
        with pytest.raises(NotFound):
            Station.get_managed_or_404(two_branches["chaoyang_station"].id, staff)


def test_workers_manage_no_stations_and_see_no_people(two_branches):
    worker = two_branches["hedong_worker"]
    assert db.session.scalars(Station.managed_by(worker)).all() == []
    assert db.session.scalars(policy.people_visible_to(worker)).all() == []


def test_a_worker_reaching_another_workers_record_gets_404(client, two_branches):
    log_in(client, two_branches["hedong_worker"])
    other = two_branches["chaoyang_worker"].id
    assert client.get(f"/staff/people/{other}").status_code == 404
    assert client.get("/staff/people/999999").status_code == 404  # same answer: no oracle


def test_admin_creates_a_staff_account_and_it_is_logged(client, two_branches):
    admin = two_branches["admin"]
    log_in(client, admin)
    organisation_id = two_branches["hedong_staff"].organisation_id
    response = post(client, "/staff/accounts", {"phone": "13700000009", "display_name": "新同事",
                                                "password": "a long password", "role": "staff",
                                                "organisation_id": organisation_id})
    assert response.status_code == 303
    created = db.session.scalar(db.select(User).where(User.phone == "+8613700000009"))
    assert created.role == "staff" and created.organisation_id == organisation_id
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "create_account"))
    assert event.actor_id == admin.id and event.subject_id == created.id


def test_staff_need_an_organisation_even_from_the_admin_page(client, two_branches):
    log_in(client, two_branches["admin"])
    response = post(client, "/staff/accounts", {"phone": "13700000009", "display_name": "新同事",
                                                "password": "a long password", "role": "staff",
                                                "organisation_id": 0})
    assert response.status_code == 422


def test_admin_sets_a_role_but_not_their_own(client, two_branches):
    admin, worker = two_branches["admin"], two_branches["hedong_worker"]
    log_in(client, admin)
    organisation_id = two_branches["hedong_staff"].organisation_id
    assert post(client, f"/staff/people/{worker.id}/role",
                {"role": "staff", "organisation_id": organisation_id}).status_code == 303
    db.session.refresh(worker)
    assert worker.role == "staff"
    assert post(client, f"/staff/people/{admin.id}/role",
                {"role": "worker", "organisation_id": 0}).status_code == 422
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_the_database_refuses_staff_without_an_organisation(make_user):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        make_user("staff")
    db.session.rollback()


def test_the_database_refuses_unknown_roles(make_user):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        make_user("superuser")
    db.session.rollback()


def test_navigation_shows_each_role_its_links(client, two_branches):
    anonymous = client.get("/account/login").get_data(as_text=True)
    assert "/account/register" in anonymous and "/staff/people" not in anonymous
    log_in(client, two_branches["hedong_worker"])
    worker = client.get("/account").get_data(as_text=True)
    assert "/staff/people" not in worker and "河东骑手" in worker
    staff_client = client.application.test_client()
    log_in(staff_client, two_branches["hedong_staff"])
    staff = staff_client.get("/account").get_data(as_text=True)
    assert "/staff/people" in staff and "/staff/accounts" not in staff
    admin_client = client.application.test_client()
    log_in(admin_client, two_branches["admin"])
    assert "/staff/accounts" in admin_client.get("/account").get_data(as_text=True)
