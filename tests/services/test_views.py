"""The pages: catalogue filters, sign-up with htmx and without, the window message, My
services with .ics, tickets, staff create/edit/cancel, roster marks, exports."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from extensions import db
from notifications.models import Notification
from services.models import Registration, ServiceEvent
from services.tickets import ticket_code
from tests.accounts.helpers import csrf_token, log_in, post

HX = {"HX-Request": "true"}


@pytest.fixture
def now():
    return datetime.now(timezone.utc)


@pytest.fixture
def live_event(make_event, now):
    """An event whose sign-up is open now (real time: the views read the clock)."""
    def make(**fields):
        fields.setdefault("starts_at", now + timedelta(days=3))
        fields.setdefault("registration_opens_at", now - timedelta(hours=1))
        return make_event(**fields)
    return make


def english(client):
    client.set_cookie("lang", "en")
    return client


def test_catalogue_filters_by_category_and_day(client, live_event, now):
    legal = live_event(title="欠薪维权咨询", category="legal")
    live_event(title="流动体检车", category="health", starts_at=now + timedelta(days=6))
    page = client.get("/services?category=legal").get_data(as_text=True)
    assert "欠薪维权咨询" in page and "流动体检车" not in page
    day = legal.starts_at.astimezone(timezone(timedelta(hours=8))).date().isoformat()
    page = client.get(f"/services?day={day}").get_data(as_text=True)
    assert "欠薪维权咨询" in page and "流动体检车" not in page


def test_near_me_lists_events_within_10_km_nearest_first(client, live_event, make_station, union):
    near = make_station(lat=39.13, lon=117.21, organisation_id=union.id, name="近处驿站")
    far = make_station(lat=31.23, lon=121.47, organisation_id=union.id, name="上海驿站")
    live_event(title="近处讲座", station_id=near.id)
    live_event(title="上海讲座", station_id=far.id)
    page = client.get("/services?lat=39.131&lon=117.211").get_data(as_text=True)
    assert "近处讲座" in page and "上海讲座" not in page


def test_htmx_filter_returns_only_the_catalogue(client, live_event):
    live_event()
    response = client.get("/services?category=childcare", headers=HX)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="catalogue"') and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_sign_up_without_js_redirects_and_with_htmx_returns_the_panel(app, client, live_event,
                                                                     make_user):
    event = live_event(capacity=1)
    log_in(client, make_user("worker"))
    response = post(client, f"/services/{event.id}/register")
    assert response.status_code == 303 and response.headers["Location"] == f"/services/{event.id}"
    client = app.test_client()
    log_in(client, make_user("worker"))
    response = client.post(f"/services/{event.id}/register", headers={**HX, "Accept-Language": "en"},
                           data={"csrf_token": csrf_token(client, f"/services/{event.id}")})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="event-panel"' in body and "<html" not in body, body
    assert "number 1 on the waiting list" in body or "候补第 1 位" in body


def test_sign_up_outside_the_window_says_when_it_opens(client, live_event, make_user, now):
    event = live_event(registration_opens_at=now + timedelta(days=1))
    log_in(client, make_user("worker"))
    response = client.post(f"/services/{event.id}/register", headers=HX,
                           data={"csrf_token": csrf_token(client, f"/services/{event.id}")})
    assert response.status_code == 422
    assert "报名将于" in response.get_data(as_text=True)


def test_child_sign_up_keeps_name_and_age(client, live_event, make_user):
    event = live_event(allows_dependants=True)
    log_in(client, make_user("worker"))
    assert post(client, f"/services/{event.id}/register",
                {"dependant_name": "小明", "dependant_age": "8"}).status_code == 303
    registration = db.session.scalars(db.select(Registration)).one()
    assert (registration.dependant_name, registration.dependant_age) == ("小明", 8)


def test_my_services_shows_the_offer_and_accepting_it_confirms(app, live_event, make_user):
    event = live_event(capacity=1)
    first, second = make_user("worker"), make_user("worker")
    client, other = app.test_client(), app.test_client()
    log_in(client, first)
    post(client, f"/services/{event.id}/register")
    log_in(other, second)
    post(other, f"/services/{event.id}/register")
    mine = db.session.scalars(db.select(Registration).where(Registration.worker_id == first.id)).one()
    assert post(client, f"/services/registrations/{mine.id}/cancel").status_code == 303
    client = other
    page = client.get("/services/mine").get_data(as_text=True)
    assert "有空出的名额留给你" in page
    theirs = db.session.scalars(db.select(Registration).where(Registration.worker_id == second.id)).one()
    response = client.post(f"/services/registrations/{theirs.id}/accept", headers=HX,
                           data={"csrf_token": csrf_token(client, "/services/mine")})
    assert response.status_code == 200 and 'id="registration-' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, theirs.id).state == "confirmed"


def test_ics_names_the_event_its_times_and_place(client, live_event):
    event = live_event(title="法律讲座", starts_at=datetime(2026, 12, 5, 1, 30, tzinfo=timezone.utc))
    response = client.get(f"/services/{event.id}.ics")
    assert response.headers["Content-Type"].startswith("text/calendar")
    vevent = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "法律讲座"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert str(vevent["UID"]) == f"service-event-{event.id}@yizhan"
    assert "测试驿站" in str(vevent["LOCATION"])


def test_only_the_worker_sees_their_ticket(app, client, live_event, make_user):
    event = live_event()
    owner = make_user("worker")
    log_in(client, owner)
    post(client, f"/services/{event.id}/register")
    registration = db.session.scalars(db.select(Registration)).one()
    assert ticket_code(registration.id) in client.get(
        f"/services/registrations/{registration.id}/ticket").get_data(as_text=True)
    assert client.get(f"/services/registrations/{registration.id}/ticket.png").data[:4] == b"\x89PNG"
    client = app.test_client()
    log_in(client, make_user("worker"))
    assert client.get(f"/services/registrations/{registration.id}/ticket").status_code == 404


@pytest.fixture
def staff(make_user, union):
    return make_user("staff", organisation_id=union.id)


def _signed_up(event, worker) -> Registration:
    from services import operations

    return operations.register(event.id, worker, now=event.registration_opens_at + timedelta(minutes=1))


def test_staff_create_a_weekly_series_in_local_time(client, staff, make_station, union):
    station = make_station(organisation_id=union.id)
    log_in(client, staff)
    response = post(client, "/staff/services/new", {
        "title": "寒假托管班", "description": "", "category": "childcare",
        "starts_at": "2026-12-05T09:00", "ends_at": "2026-12-05T12:00", "station_id": station.id,
        "capacity": "30", "registration_opens_at": "2026-11-23T08:00",
        "registration_closes_at": "2026-12-04T20:00", "allows_dependants": "y", "weeks": "6",
        "min_attendance_pct": "", "previous_series_id": "0"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    events = db.session.scalars(db.select(ServiceEvent).order_by(ServiceEvent.starts_at)).all()
    assert len(events) == 6
    assert events[0].starts_at == datetime(2026, 12, 5, 1, 0, tzinfo=timezone.utc)  # 09:00 Beijing
    assert events[5].starts_at == datetime(2027, 1, 9, 1, 0, tzinfo=timezone.utc)


def test_invalid_event_form_comes_back_422(client, staff):
    log_in(client, staff)
    response = post(client, "/staff/services/new", {"title": "", "capacity": "0"})
    assert response.status_code == 422


def test_staff_cancel_notifies_everyone_registered(client, staff, live_event, make_user):
    event = live_event()
    workers = [make_user("worker") for _ in range(2)]
    for worker in workers:
        _signed_up(event, worker)
    log_in(client, staff)
    assert post(client, f"/staff/services/{event.id}/cancel", {"reason": "暴雨"}).status_code == 303
    kinds = db.session.scalars(db.select(Notification.kind)).all()
    assert kinds == ["service_event_cancelled"] * 2


def test_one_tap_attendance_returns_the_row(client, staff, live_event, make_user):
    event = live_event()
    registration = _signed_up(event, make_user("worker"))
    log_in(client, staff)
    token = csrf_token(client, f"/staff/services/{event.id}/roster")
    response = client.post(f"/staff/services/{event.id}/roster/{registration.id}/mark_attended",
                           headers=HX, data={"csrf_token": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith(f'<tr id="row-{registration.id}"')
    assert "已参加" in body


def test_typed_ticket_code_checks_in_and_a_wrong_code_is_refused(client, staff, live_event, make_user):
    event = live_event()
    registration = _signed_up(event, make_user("worker"))
    log_in(client, staff)
    assert post(client, f"/staff/services/{event.id}/scan", {"code": "1-WRONGONE"}).status_code == 422
    assert post(client, f"/staff/services/{event.id}/scan",
                {"code": ticket_code(registration.id).lower()}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).state == "attended"


def test_exports_mask_phone_numbers(client, staff, live_event, make_user):
    event = live_event(allows_dependants=True)
    worker = make_user("worker", phone="+8613812341234", display_name="王师傅")
    from services import operations
    operations.register(event.id, worker, now=event.registration_opens_at + timedelta(minutes=1),
                        dependant_name="小明", dependant_age=8)
    log_in(client, staff)
    text = client.get(f"/staff/services/{event.id}/roster.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:4] == ["小明", "8", "王师傅", "138****1234"]
    assert "13812341234" not in text
    workbook = load_workbook(io.BytesIO(client.get(f"/staff/services/{event.id}/roster.xlsx").data))
    values = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert values[0][0] == event.title and values[2][3] == "138****1234"
    assert not any("13812341234" in str(v) for row in values for v in row)
