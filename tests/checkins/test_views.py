"""The check-in pages through the test client: page or fragment, 303 after writes, 422 with
the form, the login round trip, occupancy in the finder and the API, reports and posters."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from checkins import rules
from checkins.models import CheckIn, StationReport
from checkins.posters import poster_token
from extensions import db
from rest_stations.display import seats_taken
from rest_stations.queries import nearest_stations
from tests.accounts.helpers import csrf_token, log_in, post

HTMX = {"HX-Request": "true"}


@pytest.fixture
def station(make_organisation, make_station):
    return make_station(capacity=2, organisation_id=make_organisation().id)


@pytest.fixture
def worker(client, make_user):
    """A logged-in worker who reads English (logging in sets the language cookie)."""
    user = make_user(language="en")
    log_in(client, user)
    return user


def open_check_ins() -> list[CheckIn]:
    return list(db.session.scalars(db.select(CheckIn).where(CheckIn.checked_out_at.is_(None))))


def test_station_page_shows_free_seats_and_a_check_in_button(client, worker, station):
    page = client.get(f"/stations/{station.id}").get_data(as_text=True)
    # The page loads the check-in panel from checkins, with a plain link without JavaScript.
    assert f'hx-get="/stations/{station.id}/check-in/panel" hx-trigger="load"' in page
    assert f'href="/stations/{station.id}/check-in"' in page
    panel = client.get(f"/stations/{station.id}/check-in/panel", headers=HTMX)
    body = panel.get_data(as_text=True)
    assert panel.status_code == 200 and "<html" not in body
    assert "2 of 2 seats free" in body
    assert f'hx-post="/stations/{station.id}/check-in"' in body


def test_htmx_check_in_swaps_the_button_for_the_checked_in_line(client, worker, station):
    response = client.post(f"/stations/{station.id}/check-in", headers={**HTMX, "Accept-Language": "en"},
                           data={"csrf_token": csrf_token(client), "lat": station.lat,
                                 "lon": station.lon})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert re.search(r"Checked in \d{1,2}:\d\d", body)
    assert "1 of 2 seats free" in body and "Check out" in body
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]


def test_plain_check_in_answers_303_and_a_retry_adds_nothing(client, worker, station):
    for _attempt in range(3):
        response = post(client, f"/stations/{station.id}/check-in")
        assert response.status_code == 303
        assert response.headers["Location"] == f"/stations/{station.id}"
    assert [row.user_id for row in open_check_ins()] == [worker.id]


def test_check_in_without_csrf_token_is_refused(client, worker, station):
    response = client.post(f"/stations/{station.id}/check-in")
    assert response.status_code in (400, 403)
    assert open_check_ins() == []


def test_anonymous_tap_logs_in_then_confirms_then_checks_in(client, make_user, station):
    page = client.get(f"/stations/{station.id}").get_data(as_text=True)
    confirm_url = f"/stations/{station.id}/check-in"
    assert f'href="{confirm_url}"' in page
    to_login = client.get(confirm_url)
    assert to_login.status_code == 302
    assert to_login.headers["Location"].startswith("/account/login?next=")
    user = make_user()
    logged_in = post(client, to_login.headers["Location"],
                     {"phone": user.phone, "password": "correct horse battery"})
    assert logged_in.status_code == 303 and logged_in.headers["Location"] == confirm_url
    confirmation = client.get(confirm_url).get_data(as_text=True)
    assert open_check_ins() == []  # a GET never checks anyone in
    assert f'action="{confirm_url}"' in confirmation
    assert post(client, confirm_url).status_code == 303
    assert [row.user_id for row in open_check_ins()] == [user.id]


def test_check_out_with_a_water_empty_report_reaches_the_staff_queue(client, worker, station,
                                                                     make_user):
    post(client, f"/stations/{station.id}/check-in")
    response = client.post("/check-out", headers=HTMX, data={
        "csrf_token": csrf_token(client), "station": station.id, "kind": "water_empty",
        "note": "饮水机空了"})
    assert response.status_code == 200
    assert open_check_ins() == []
    report = db.session.scalar(db.select(StationReport))
    assert (report.kind, report.note, report.resolved_at) == ("water_empty", "饮水机空了", None)
    staff = make_user("staff", organisation_id=station.organisation_id)
    client.post("/account/logout", data={"csrf_token": csrf_token(client)})
    log_in(client, staff)
    assert "饮水机空了" in client.get("/staff/reports").get_data(as_text=True)


@pytest.mark.parametrize("form, message", [
    ({"kind": "other", "note": ""}, "Write what is wrong in the note."),
    ({"kind": "water_empty", "note": "x" * 281}, "Use at most 280 characters."),
    ({"kind": "not-a-kind"}, 'class="report-kinds has-error"'),
])
def test_an_invalid_report_comes_back_as_422_with_the_form(client, worker, station, form, message):
    response = client.post(f"/stations/{station.id}/report",
                           headers={**HTMX, "Accept-Language": "en"},
                           data={"csrf_token": csrf_token(client), **form})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(StationReport)) is None


def test_details_still_correct_is_one_tap(client, worker, station):
    response = post(client, f"/stations/{station.id}/details-correct")
    assert response.status_code == 303
    db.session.refresh(station)
    assert station.last_verified_on is not None


def test_finder_rows_mark_a_full_station_full_and_still_list_it(client, make_user, make_station):
    full = make_station(capacity=1, name="满员驿站")
    roomy = make_station(capacity=3, name="空闲驿站")
    now = datetime.now(timezone.utc)
    rules.check_in(make_user().id, full.id, now=now, stay=rules.configured_stay())
    page = client.get("/?lat=39.1335&lon=117.2081", headers={"Accept-Language": "en"}).get_data(as_text=True)
    full_row = page[page.index("满员驿站"):page.index("空闲驿站")] if page.index("满员驿站") < page.index("空闲驿站") \
        else page[page.index("满员驿站"):]
    assert "Full" in full_row and "0 of 1 seats free" in full_row
    assert "3 of 3 seats free" in page


def test_api_features_carry_occupancy_and_capacity(client, make_user, make_station):
    station = make_station(capacity=4)
    rules.check_in(make_user().id, station.id, now=datetime.now(timezone.utc),
                   stay=rules.configured_stay())
    for url in ("/api/stations/nearest?lat=39.1335&lon=117.2081",
                "/api/stations?bbox=117,39,118,40"):
        properties = client.get(url).get_json()["features"][0]["properties"]
        assert (properties["occupancy"], properties["capacity"], properties["full"]) == (1, 4, False)


@pytest.mark.parametrize("open_now", [False, True])
def test_the_nearest_search_loads_seats_with_the_stations(app, make_user, make_station, open_now):
    busy = make_station(capacity=4, name="忙的驿站", lat=39.1335, lon=117.2081)
    quiet = make_station(capacity=4, name="闲的驿站", lat=39.1400, lon=117.2100)
    now = datetime.now(timezone.utc)
    short, long = timedelta(minutes=10), timedelta(minutes=90)
    rules.check_in(make_user().id, busy.id, now=now, stay=long)
    rules.check_in(make_user().id, busy.id, now=now, stay=short)  # gone by `later`
    rules.check_in(make_user().id, busy.id, now=now, stay=long, remote=True)  # takes no seat
    left = make_user()
    rules.check_in(left.id, busy.id, now=now, stay=long)
    rules.check_out(left.id, now=now)
    later = now + timedelta(minutes=30)
    for moment, seats in ((now, 2), (later, 1)):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            found = nearest_stations(39.1335, 117.2081, limit=5, open_now=open_now, now=moment)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert {hit.station.name: hit.seats_taken for hit in found} == {
            "忙的驿站": seats, "闲的驿站": 0}
        # In the statement that loads the stations, not one more round trip of its own.
        counting = [sql for sql in statements if "check_in" in sql]
        assert counting and all("station.name" in sql for sql in counting)
    assert seats_taken([busy.id, quiet.id], now) == {busy.id: 2}


def test_a_text_search_lists_seats_taken_too(client, make_user, make_station):
    full = make_station(capacity=1, name="满员驿站")
    rules.check_in(make_user().id, full.id, now=datetime.now(timezone.utc),
                   stay=rules.configured_stay())
    page = client.get("/?q=满员", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "满员驿站" in page and "0 of 1 seats free" in page


def test_a_poster_scan_asks_once_and_records_a_poster_check_in(client, worker, station):
    token = poster_token(station.id, 1)
    page = client.get(f"/check-in/{token}")
    assert page.status_code == 200 and open_check_ins() == []
    assert f'value="{token}"' in page.get_data(as_text=True)
    assert post(client, f"/stations/{station.id}/check-in", {"poster": token}).status_code == 303
    assert [row.source for row in open_check_ins()] == ["poster"]


def test_a_rotated_poster_says_it_was_replaced(client, worker, station, make_user):
    old = poster_token(station.id, 1)
    rules.rotate_poster(station.id, make_user("admin").id, now=datetime.now(timezone.utc))
    response = client.get(f"/check-in/{old}", headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert "This poster has been replaced" in response.get_data(as_text=True)
    assert post(client, f"/stations/{station.id}/check-in", {"poster": old}).status_code == 410
    assert client.get(f"/check-in/{poster_token(station.id, 2)}").status_code == 200
    assert open_check_ins() == []


@pytest.mark.parametrize("token", ["nonsense", "WzEsMV0.forged-signature"])
def test_a_forged_code_is_not_valid(client, worker, station, token):
    assert client.get(f"/check-in/{token}").status_code == 404


def test_staff_print_a_poster_with_a_png_qr_code(client, make_user, station):
    log_in(client, make_user("staff", organisation_id=station.organisation_id))
    page = client.get(f"/staff/stations/{station.id}/poster").get_data(as_text=True)
    assert station.name in page and "poster.png" in page
    image = client.get(f"/staff/stations/{station.id}/poster.png")
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")


def test_staff_see_usage_charts_and_download_csv(client, make_user, station):
    now = datetime.now(timezone.utc)
    rules.check_in(make_user().id, station.id, now=now, stay=rules.configured_stay())
    rules.file_report(station, None, "water_empty", now=now)
    log_in(client, make_user("staff", organisation_id=station.organisation_id))
    page = client.get("/staff/usage", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count('<svg class="chart"') == 2 and "leaflet-heat.js" in page
    detail = client.get(f"/staff/stations/{station.id}/usage").get_data(as_text=True)
    assert '<svg class="chart"' in detail
    csv = client.get(f"/staff/usage.csv?station={station.id}")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("station_id,station,checked_in_at") and len(lines) == 2


def test_an_htmx_report_navigates_to_the_station_instead_of_swapping_a_redirect(client, worker,
                                                                                  station):
    response = client.post(f"/stations/{station.id}/report", headers=HTMX, data={
        "csrf_token": csrf_token(client), "kind": "microwave_broken"})
    assert response.status_code == 204  # pages.redirect_after_write, the one idiom
    assert response.headers["HX-Redirect"] == f"/stations/{station.id}"
    assert db.session.scalar(db.select(StationReport.kind)) == "microwave_broken"


def test_staff_print_every_poster_of_their_organisation_one_per_page(client, make_user, station,
                                                                      make_station):
    second = make_station(name="第二个驿站", lat=39.2, organisation_id=station.organisation_id)
    make_station(name="停用的驿站", lat=39.3, organisation_id=station.organisation_id,
                 status="delisted")
    make_station(name="别人的驿站", lat=39.4)
    log_in(client, make_user("staff", organisation_id=station.organisation_id, language="en"))
    page = client.get("/staff/posters").get_data(as_text=True)
    assert page.count('class="poster-page"') == 2
    assert station.name in page and second.name in page
    assert "停用的驿站" not in page and "别人的驿站" not in page
    assert f"/staff/stations/{second.id}/poster.png" in page
    assert "js-print" in page and "Print all posters" in page
    single = client.get(f"/staff/stations/{station.id}/poster").get_data(as_text=True)
    assert "Print this poster" in single and "/staff/posters" in single
