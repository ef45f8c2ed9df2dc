"""The pages: catalogue filters, sign-up with htmx and without, the window message, My
services with .ics, tickets, staff create/edit/cancel, roster marks, exports."""
import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from accounts.models import AuditEvent
from extensions import db
from notifications.models import Notification
from services.models import Registration, ServiceEvent
from services.tickets import ticket_code
from tests.accounts.helpers import csrf_token, log_in, post
from tests.services.conftest import ops

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
    assert "有空出的名额留给您" in page
    theirs = db.session.scalars(db.select(Registration).where(Registration.worker_id == second.id)).one()
    response = client.post(f"/services/registrations/{theirs.id}/accept", headers=HX,
                           data={"csrf_token": csrf_token(client, "/services/mine")})
    assert response.status_code == 200 and 'id="registration-' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, theirs.id).state == "confirmed"


def test_ics_names_the_event_its_times_and_place(client, live_event):
    # Three days on (a live event's sign-up window is open now), at 09:30 in Beijing.
    starts_at = (datetime.now(timezone.utc) + timedelta(days=3)).replace(
        hour=1, minute=30, second=0, microsecond=0)
    event = live_event(title="法律讲座", starts_at=starts_at)
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
    return ops.register(event.id, worker, now=event.registration_opens_at + timedelta(minutes=1))


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
    ops.register(event.id, worker, now=event.registration_opens_at + timedelta(minutes=1),
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


def test_a_ticket_scanned_twice_is_checked_in_once_and_said_so(client, staff, live_event, make_user):
    event = live_event()
    registration = _signed_up(event, make_user("worker", display_name="王师傅"))
    _signed_up(event, make_user("worker", display_name="李女士"))
    log_in(client, staff)
    token = csrf_token(client, f"/staff/services/{event.id}/roster")
    code = ticket_code(registration.id)
    first = client.post(f"/staff/services/{event.id}/scan", headers=HX, data={"csrf_token": token, "code": code})
    again = client.post(f"/staff/services/{event.id}/scan", headers=HX, data={"csrf_token": token, "code": code})
    assert first.status_code == again.status_code == 200
    assert first.get_data(as_text=True).count("王师傅：已签到。") == 1  # at the top, not in every row
    assert "王师傅 已经签到过了" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).state == "attended"
    assert db.session.get(ServiceEvent, event.id).places_held == 2  # both places still held


def test_only_the_roster_page_loads_the_camera_scanner(client, staff, live_event):
    event = live_event()
    log_in(client, staff)
    roster = client.get(f"/staff/services/{event.id}/roster").get_data(as_text=True)
    assert re.search(r'<script defer src="/static/js/ticket-scanner\.js\?v=\w+"></script>', roster)
    assert 'id="ticket-scanner"' in roster
    decoder = re.search(r'data-decoder="([^"]+)"', roster).group(1)
    assert decoder.startswith("/static/vendor/jsqr-1.4.0/jsQR.js?v=")
    assert client.get(decoder).status_code == 200
    # The decoder is never a <script> of any page: the scanner loads it when the button is pressed.
    for path in ("/services", f"/services/{event.id}", "/staff/services", f"/staff/services/{event.id}/roster"):
        page = client.get(path).get_data(as_text=True)
        assert "jsQR.js\"></script>" not in page
        assert ("ticket-scanner.js" in page) == path.endswith("/roster"), path
    # Without JavaScript the page says why there is no camera button.
    assert "<noscript>" in roster and "扫码需要浏览器开启 JavaScript" in roster


@pytest.fixture
def roster_worker(live_event, make_user):
    event = live_event()
    worker = make_user("worker", phone="+8613812341234", display_name="王师傅", home_district="南开区")
    return event, _signed_up(event, worker)


def _reveals() -> list[tuple]:
    return db.session.execute(db.select(AuditEvent.actor_id, AuditEvent.subject_id, AuditEvent.action,
                                        AuditEvent.detail).order_by(AuditEvent.id)).all()


def test_staff_reveal_a_roster_phone_in_place_and_the_reveal_is_audited(client, staff, roster_worker):
    event, registration = roster_worker
    log_in(client, staff)
    roster = client.get(f"/staff/services/{event.id}/roster").get_data(as_text=True)
    assert "138****1234" in roster and "13812341234" not in roster
    response = client.post(f"/staff/services/{event.id}/roster/{registration.id}/phone", headers=HX,
                           data={"csrf_token": csrf_token(client, f"/staff/services/{event.id}/roster")})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<span class="roster-phone" id="roster-phone-{registration.id}"')
    assert 'href="tel:+8613812341234"' in body and "138 1234 1234" in body and "<tr" not in body
    # The worker lives in another district: running the event is what allows the reveal.
    assert _reveals() == [(staff.id, registration.worker_id, "reveal_phone", "138****1234")]
    # Exports stay masked, revealed or not.
    csv_text = client.get(f"/staff/services/{event.id}/roster.csv").data.decode("utf-8-sig")
    assert "138****1234" in csv_text and "13812341234" not in csv_text


def test_without_js_a_reveal_redirects_back_and_shows_the_number_once(client, staff, roster_worker):
    event, registration = roster_worker
    log_in(client, staff)
    response = post(client, f"/staff/services/{event.id}/roster/{registration.id}/phone")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/services/{event.id}/roster#row-{registration.id}"
    page = client.get(f"/staff/services/{event.id}/roster").get_data(as_text=True)
    assert 'href="tel:+8613812341234"' in page and "138 1234 1234" in page
    again = client.get(f"/staff/services/{event.id}/roster").get_data(as_text=True)
    assert "138 1234 1234" not in again and "138****1234" in again
    assert len(_reveals()) == 1


def test_a_reveal_names_a_registration_of_this_event_or_answers_404(client, staff, roster_worker,
                                                                    live_event, make_user):
    event, registration = roster_worker
    other_event = live_event()
    log_in(client, staff)
    assert post(client, f"/staff/services/{other_event.id}/roster/{registration.id}/phone").status_code == 404
    assert post(client, f"/staff/services/{event.id}/roster/999999/phone").status_code == 404
    assert _reveals() == []


def _series_form(event, **changes) -> dict:
    """The edit form as the page fills it for `event`, with some fields changed."""
    from services.forms import utc_to_local

    def local(moment):
        return utc_to_local(moment).strftime("%Y-%m-%dT%H:%M")

    form = {"title": event.title, "description": event.description, "category": event.category,
            "starts_at": local(event.starts_at), "ends_at": local(event.ends_at),
            "station_id": event.station_id, "capacity": str(event.capacity), "address": "",
            "registration_opens_at": local(event.registration_opens_at),
            "registration_closes_at": local(event.registration_closes_at), "scope": "this"}
    if event.allows_dependants:
        form["allows_dependants"] = "y"
    return {**form, **changes}


@pytest.fixture
def series(union, make_station, now):
    station = make_station(organisation_id=union.id)
    start = (now + timedelta(days=3)).replace(second=0, microsecond=0)
    draft = ops.EventDraft(
        title="寒假托管班", description="", category="childcare", starts_at=start,
        ends_at=start + timedelta(hours=3), capacity=5, registration_opens_at=now - timedelta(hours=1),
        registration_closes_at=start - timedelta(hours=2), station_id=station.id,
        allows_dependants=True)
    return ops.create_events(union.id, draft, weeks=3, now=now)


def test_the_edit_page_of_a_series_session_offers_this_or_all_later_sessions(client, staff, series,
                                                                             live_event):
    log_in(client, staff)
    english(client)
    page = client.get(f"/staff/services/{series[0].id}/edit").get_data(as_text=True)
    assert "Only this session" in page and "This and all later sessions of the series" in page
    assert re.search(r'<input checked[^>]*value="this"', page)  # the default
    later = page.split("Later sessions:")[1].split(".")[0]
    assert later.count(",") >= 1 and "and" in later  # both later days, as a list
    # A single event, and the last session of a series, have nothing to apply it to.
    for event in (live_event(), series[-1]):
        assert "Only this session" not in client.get(f"/staff/services/{event.id}/edit").get_data(as_text=True)


def test_staff_edit_a_whole_series_at_once(client, staff, series):
    log_in(client, staff)
    response = post(client, f"/staff/services/{series[0].id}/edit",
                    _series_form(series[0], title="寒假托管班(改时间)", capacity="8", scope="later"))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    events = [db.session.get(ServiceEvent, e.id) for e in series]
    assert [(e.title, e.capacity) for e in events] == [("寒假托管班(改时间)", 8)] * 3
    assert "已保存：本场及之后 2 场" in client.get(f"/staff/services/{series[0].id}/roster").get_data(as_text=True)


def test_editing_only_this_session_leaves_the_rest_of_the_series(client, staff, series):
    log_in(client, staff)
    response = post(client, f"/staff/services/{series[0].id}/edit",
                    _series_form(series[0], title="只改这一场", capacity="8"))
    assert response.status_code == 303
    db.session.expire_all()
    assert [db.session.get(ServiceEvent, e.id).title for e in series] == ["只改这一场", "寒假托管班", "寒假托管班"]


def test_a_series_edit_a_session_refuses_comes_back_422_naming_it(client, staff, series, make_user):
    for _ in range(3):
        _signed_up(series[2], make_user("worker"))
    log_in(client, staff)
    english(client)
    response = client.post(f"/staff/services/{series[0].id}/edit", headers=HX, data={
        **_series_form(series[0], title="改名", capacity="2", scope="later"),
        "csrf_token": csrf_token(client, f"/staff/services/{series[0].id}/edit")})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and body.lstrip().startswith('<form id="event-form"')
    from services.operations import when_text
    with client.application.test_request_context(headers={"Accept-Language": "en"}):
        day = when_text(series[2].starts_at)
    assert f"The session on {day} cannot be changed: 3 places are already taken" in body
    assert "Nothing was saved." in body
    db.session.expire_all()
    assert [db.session.get(ServiceEvent, e.id).title for e in series] == ["寒假托管班"] * 3


# Sign-up shows the registration's state; cancelling asks first ---------------------------------

def test_after_signing_up_the_button_becomes_the_registrations_state(client, live_event, make_user):
    event = live_event(category="legal")
    log_in(client, make_user("worker"))
    english(client)
    assert "Sign up for this" in client.get(f"/services/{event.id}").get_data(as_text=True)
    response = client.post(f"/services/{event.id}/register", headers=HX,
                           data={"csrf_token": csrf_token(client, f"/services/{event.id}")})
    body = response.get_data(as_text=True)
    assert "You have a place at “" in body and "Place confirmed" in body
    assert "Sign up for this" not in body and "Cancel my place" in body
    assert f'id="places-{event.id}"' in body and "29 of 30 places left" in body


def test_cancelling_asks_first_and_says_the_place_goes_to_the_waiting_list(client, live_event, make_user):
    event = live_event(capacity=1, category="legal")
    worker = make_user("worker")
    registration = ops.register(event.id, worker, now=event.registration_opens_at + timedelta(minutes=1))
    ops.register(event.id, make_user("worker"), now=event.registration_opens_at + timedelta(minutes=2))
    log_in(client, worker)
    english(client)
    # Without JavaScript: a page of its own, which changes nothing until confirmed.
    page = client.get(f"/services/registrations/{registration.id}/cancel?next=/services/{event.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<dialog open" in text and "Give up your place?" in text
    assert "goes to the next person on the waiting list" in text
    assert f'href="/services/{event.id}">No, keep it' in text
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).state == "confirmed"
    # With htmx: the dialog swaps in, then the answer carries the new count out of band.
    dialog = client.get(f"/services/registrations/{registration.id}/cancel", headers=HX).get_data(as_text=True)
    assert dialog.lstrip().startswith(f'<div class="registration state-confirmed" id="registration-{registration.id}"')
    response = client.post(f"/services/registrations/{registration.id}/cancel", headers=HX, data={
        "csrf_token": csrf_token(client, f"/services/{event.id}"), "next": f"/services/{event.id}"})
    body = response.get_data(as_text=True)
    assert "Your place is cancelled. It was offered to the next person on the waiting list." in body
    # On the event's page the whole panel is swapped: its places count, and the sign-up
    # form back in place of the registration given up.
    assert (response.headers["HX-Retarget"], response.headers["HX-Reswap"]) == (
        "#event-panel", "outerHTML")
    assert body.lstrip().startswith('<article id="event-panel"')
    assert f'<span id="places-{event.id}" class="places-left">' in body
    assert 'class="register-form"' in body and f"registration-{registration.id}" not in body


def test_a_cancel_from_my_services_swaps_only_that_registration(client, live_event, make_user):
    event = live_event(category="legal")
    worker = make_user("worker")
    registration = ops.register(event.id, worker, now=event.registration_opens_at)
    log_in(client, worker)
    english(client)
    response = client.post(f"/services/registrations/{registration.id}/cancel", headers=HX, data={
        "csrf_token": csrf_token(client, "/services/mine"), "next": "/services/mine"})
    body = response.get_data(as_text=True)
    assert "HX-Retarget" not in response.headers
    assert body.lstrip().startswith(
        f'<div class="registration state-cancelled_by_worker" id="registration-{registration.id}"')
    assert f'<span id="places-{event.id}" class="places-left" hx-swap-oob="true">' in body


def test_leaving_the_waiting_list_says_so(client, live_event, make_user):
    event = live_event(capacity=1, category="legal")
    ops.register(event.id, make_user("worker"), now=event.registration_opens_at)
    worker = make_user("worker")
    registration = ops.register(event.id, worker, now=event.registration_opens_at)
    log_in(client, worker)
    english(client)
    assert "Leave the waiting list?" in client.get(
        f"/services/registrations/{registration.id}/cancel").get_data(as_text=True)
    response = client.post(f"/services/registrations/{registration.id}/cancel", headers=HX,
                           data={"csrf_token": csrf_token(client, "/services/mine")})
    assert "You left the waiting list." in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil.example", "https://evil.example/",
                                    "/\\evil.example"])
def test_a_cancel_never_redirects_off_the_site(client, live_event, make_user, target):
    event = live_event(category="legal")
    worker = make_user("worker")
    registration = ops.register(event.id, worker, now=event.registration_opens_at)
    log_in(client, worker)
    response = post(client, f"/services/registrations/{registration.id}/cancel", {"next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_a_term_is_one_sign_up_and_one_entry_in_my_services(client, union, make_station, make_user, now):
    start = now + timedelta(days=3)
    draft = ops.EventDraft(
        title="寒假托管班", description="", category="childcare", starts_at=start,
        ends_at=start + timedelta(hours=3), capacity=5, registration_opens_at=now - timedelta(hours=1),
        registration_closes_at=start - timedelta(hours=2),
        station_id=make_station(organisation_id=union.id).id, allows_dependants=True)
    sessions = ops.create_events(union.id, draft, weeks=6, as_term=True, now=now)
    log_in(client, make_user("worker"))
    english(client)
    page = client.get(f"/services/{sessions[2].id}").get_data(as_text=True)
    assert "One sign-up for all 6 sessions" in page and "Sign up for the whole term" in page
    response = client.post(f"/services/{sessions[2].id}/register", headers=HX, data={
        "csrf_token": csrf_token(client, f"/services/{sessions[2].id}"),
        "dependant_name": "小明", "dependant_age": "7"})
    assert "小明 has a place at all 6 sessions of “寒假托管班”." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 6
    mine = client.get("/services/mine").get_data(as_text=True)
    assert mine.count('class="registration state-confirmed"') == 1
    assert "Whole term, 6 sessions" in mine


# Staff: formula-safe exports, codes without the dash, land on the new event, pick a station -----

def test_roster_exports_never_carry_a_formula(client, staff, live_event, make_user):
    event = live_event(allows_dependants=True, title="=HYPERLINK(\"http://evil\")")
    worker = make_user("worker", display_name="=1+2")
    ops.register(event.id, worker, now=event.registration_opens_at, dependant_name="@SUM(A1)",
                 dependant_age=8)
    log_in(client, staff)
    rows = list(csv.reader(io.StringIO(
        client.get(f"/staff/services/{event.id}/roster.csv").data.decode("utf-8-sig"))))
    assert rows[1][0] == "'@SUM(A1)" and rows[1][2] == "'=1+2"
    workbook = load_workbook(io.BytesIO(client.get(f"/staff/services/{event.id}/roster.xlsx").data))
    sheet = workbook.active
    assert sheet["A1"].value == "'=HYPERLINK(\"http://evil\")" and sheet["A1"].data_type == "s"
    assert sheet["A3"].value == "'@SUM(A1)" and sheet["C3"].value == "'=1+2"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("typed", ["{code}", "{bare}", "{bare_lower}", "{spaced}"])
def test_typed_ticket_codes_work_without_the_dash(client, staff, live_event, make_user, typed):
    event = live_event()
    registration = _signed_up(event, make_user("worker"))
    code = ticket_code(registration.id)
    number, signature = code.split("-")
    text = typed.format(code=code, bare=number + signature, bare_lower=(number + signature).lower(),
                        spaced=f"{number} {signature}")
    log_in(client, staff)
    assert post(client, f"/staff/services/{event.id}/scan", {"code": text}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).state == "attended"


def test_after_creating_an_event_staff_land_on_it(client, staff, make_station, union):
    station = make_station(organisation_id=union.id, name="河东驿站")
    log_in(client, staff)
    form = client.get("/staff/services/new").get_data(as_text=True)
    assert 'name="lat"' not in form and 'name="lon"' not in form
    assert re.search(rf'<option value="{station.id}">河东驿站 · ', form)
    response = post(client, "/staff/services/new", {
        "title": "法律咨询", "description": "", "category": "legal",
        "starts_at": "2026-12-20T09:00", "ends_at": "2026-12-20T11:00", "station_id": station.id,
        "capacity": "20", "registration_opens_at": "2026-12-01T08:00",
        "registration_closes_at": "2026-12-19T20:00", "max_places_per_worker": "2", "weeks": "1",
        "previous_series_id": "0"})
    event = db.session.scalars(db.select(ServiceEvent)).one()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/services/{event.id}/roster"
    assert event.max_places_per_worker == 2 and event.station_id == station.id
    assert "法律咨询" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_event_needs_a_station_of_the_organisation(client, staff, make_station, make_organisation):
    elsewhere = make_station(organisation_id=make_organisation("朝阳区总工会").id)
    log_in(client, staff)
    english(client)
    response = post(client, "/staff/services/new", {
        "title": "法律咨询", "category": "legal", "starts_at": "2026-12-20T09:00",
        "ends_at": "2026-12-20T11:00", "station_id": "0", "capacity": "20",
        "registration_opens_at": "2026-12-01T08:00", "registration_closes_at": "2026-12-19T20:00"})
    assert response.status_code == 422
    assert "Choose the station where the event takes place." in response.get_data(as_text=True)
    response = post(client, "/staff/services/new", {
        "title": "法律咨询", "category": "legal", "starts_at": "2026-12-20T09:00",
        "ends_at": "2026-12-20T11:00", "station_id": elsewhere.id, "capacity": "20",
        "registration_opens_at": "2026-12-01T08:00", "registration_closes_at": "2026-12-19T20:00"})
    assert response.status_code == 422 and db.session.scalar(db.select(db.func.count(ServiceEvent.id))) == 0
