"""Presence: a check-in counts toward the seats riders see only when made through the
station's poster or with a browser location near it; others are kept as "remote", shown to
staff apart. Closed and delisted stations refuse check-ins and "details still correct"."""
import base64
from datetime import datetime, timezone

import pytest
from itsdangerous import URLSafeSerializer

from checkins import rules
from checkins.models import CheckIn, StationReport
from checkins.posters import poster_token
from extensions import db
from tests.accounts.helpers import csrf_token, log_in, post

HTMX = {"HX-Request": "true"}
# About 450 m north of the default test station (39.1335, 117.2081); 200 m north is 39.1353.
FAR = (39.1375, 117.2081)
NEAR = (39.1353, 117.2081)


@pytest.fixture
def station(make_organisation, make_station):
    return make_station(capacity=4, organisation_id=make_organisation().id)


@pytest.fixture
def worker(client, make_user):
    user = make_user(language="en")
    log_in(client, user)
    return user


def the_check_in() -> CheckIn:
    return db.session.scalars(db.select(CheckIn)).one()


def seats_line(client, station) -> str:
    return client.get(f"/stations/{station.id}/check-in/panel", headers=HTMX).get_data(as_text=True)


def test_a_tap_without_location_is_kept_as_remote_and_left_out_of_the_seats(client, worker, station):
    response = post(client, f"/stations/{station.id}/check-in")
    assert response.status_code == 303
    row = the_check_in()
    assert (row.user_id, row.source, row.remote) == (worker.id, "tap", True)
    panel = seats_line(client, station)
    assert "4 of 4 seats free" in panel
    assert "not counted in the free seats" in panel
    now = datetime.now(timezone.utc)
    assert rules.seats_taken_by_station([station.id], now=now) == {}
    assert rules.remote_by_station([station.id], now=now) == {station.id: 1}


@pytest.mark.parametrize("position, remote", [(NEAR, False), (FAR, True)])
def test_a_tap_counts_only_with_a_location_within_300_m(client, worker, station, position, remote):
    post(client, f"/stations/{station.id}/check-in", {"lat": position[0], "lon": position[1]})
    assert the_check_in().remote is remote
    assert ("3 of 4 seats free" if not remote else "4 of 4 seats free") in seats_line(client, station)


def test_the_presence_radius_is_a_setting(app, client, worker, station):
    app.config["CHECK_IN_PRESENCE_RADIUS_M"] = 600
    try:
        post(client, f"/stations/{station.id}/check-in", {"lat": FAR[0], "lon": FAR[1]})
    finally:
        app.config["CHECK_IN_PRESENCE_RADIUS_M"] = 300
    assert the_check_in().remote is False


def test_a_poster_check_in_counts_without_a_location(client, worker, station):
    post(client, f"/stations/{station.id}/check-in", {"poster": poster_token(station.id, 1)})
    row = the_check_in()
    assert (row.source, row.remote) == ("poster", False)


def test_tapping_again_near_the_station_makes_a_remote_check_in_count(client, worker, station):
    post(client, f"/stations/{station.id}/check-in")
    post(client, f"/stations/{station.id}/check-in", {"lat": NEAR[0], "lon": NEAR[1]})
    assert the_check_in().remote is False


@pytest.mark.parametrize("lat, lon", [("nan", "117.2"), ("1e400", "117.2"), ("91", "117.2"),
                                      ("39.1", "-inf"), ("north", "117.2")])
def test_an_unreadable_location_is_refused_with_422(client, worker, station, lat, lon):
    response = client.post(f"/stations/{station.id}/check-in",
                           headers={**HTMX, "Accept-Language": "en"},
                           data={"csrf_token": csrf_token(client), "lat": lat, "lon": lon})
    assert response.status_code == 422
    assert "We could not read your location" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(CheckIn)) is None


def test_staff_usage_shows_remote_check_ins_apart_and_the_csv_marks_them(client, make_user, station):
    now = datetime.now(timezone.utc)
    stay = rules.configured_stay()
    rules.check_in(make_user().id, station.id, now=now, stay=stay, source="poster")
    rules.check_in(make_user().id, station.id, now=now, stay=stay, remote=True)
    log_in(client, make_user("staff", organisation_id=station.organisation_id, language="en"))
    page = client.get(f"/staff/stations/{station.id}/usage",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Here now: 1" in page and "+1 remote" in page
    figures = page[page.index('class="usage-figures"'):page.index("</dl>")]
    assert "Remote check-ins (not counted)</dt><dd>1</dd>" in figures
    assert "Check-ins</dt><dd>1</dd>" in figures
    lines = client.get(f"/staff/usage.csv?station={station.id}").get_data(as_text=True).splitlines()
    assert lines[0].endswith(",source,remote")
    assert sorted(line.rsplit(",", 2)[1:] for line in lines[1:]) == [["poster", "no"], ["tap", "yes"]]


# --- Closed and delisted stations --------------------------------------------------------

def test_a_closed_station_refuses_check_in_and_details_still_correct(client, worker, make_station):
    closed = make_station(status="temporarily_closed", closed_reason="装修")
    for url in (f"/stations/{closed.id}/check-in", f"/stations/{closed.id}/details-correct"):
        response = post(client, url, {"lat": closed.lat, "lon": closed.lon})
        assert response.status_code == 409, url
        assert "This station is closed" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(CheckIn)) is None
    assert db.session.scalar(db.select(StationReport)) is None
    db.session.refresh(closed)
    assert closed.last_verified_on is None
    with pytest.raises(rules.StationNotOpen):
        rules.file_report(closed, worker.id, "details_correct", now=datetime.now(timezone.utc))


def test_a_closed_stations_panel_disables_check_in_and_hides_details_correct(client, worker,
                                                                             make_station):
    closed = make_station(status="temporarily_closed")
    panel = seats_line(client, closed)
    assert '<button class="button button-primary button-big" type="button" disabled>Check in</button>' in panel
    assert "details-correct" not in panel and "Report a problem" in panel


def test_a_delisted_station_refuses_every_check_in_write(client, worker, make_station):
    gone = make_station(status="delisted")
    assert post(client, f"/stations/{gone.id}/check-in").status_code == 404
    assert post(client, f"/stations/{gone.id}/details-correct").status_code == 404
    assert client.get(f"/stations/{gone.id}/check-in/panel").status_code == 404
    assert client.get(f"/check-in/{poster_token(gone.id, 1)}").status_code == 404
    assert db.session.scalar(db.select(CheckIn)) is None
    with pytest.raises(rules.StationNotOpen):
        rules.check_in(worker.id, gone.id, now=datetime.now(timezone.utc),
                       stay=rules.configured_stay())


# --- Bad input is a 4xx, never a 500 -----------------------------------------------------

def _raw_token(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + ".forged"


@pytest.mark.parametrize("token", [
    _raw_token(b"[1e400,1]"), _raw_token(b"[2147483648,1]"), _raw_token(b"[1,1e400]"),
    _raw_token(b"[-1,1]"), _raw_token(b"[true,1]"), _raw_token(b"{}"),
])
def test_poster_payloads_that_overflow_are_not_found(client, worker, station, token):
    assert client.get(f"/check-in/{token}").status_code == 404
    assert post(client, f"/stations/{station.id}/check-in", {"poster": token}).status_code == 404


def test_a_signed_poster_token_with_a_huge_id_is_not_found(app, client, worker):
    token = URLSafeSerializer(app.config["SECRET_KEY"]).dumps([2**31, 1])
    assert client.get(f"/check-in/{token}").status_code == 404


@pytest.mark.parametrize("query", ["station=2147483648", "station=99999999999999999999999",
                                   "station=-1", "station=abc", "days=99999999999999999999"])
def test_usage_csv_with_a_huge_or_bad_station_is_4xx(client, make_user, station, query):
    log_in(client, make_user("staff", organisation_id=station.organisation_id))
    response = client.get(f"/staff/usage.csv?{query}")
    expected = 200 if query.startswith("days") else 404  # a huge day count is capped
    assert response.status_code == expected


@pytest.mark.parametrize("url", ["/stations/2147483648/check-in/panel", "/stations/2147483648",
                                 "/staff/stations/2147483648/usage",
                                 "/staff/stations/9223372036854775808/poster"])
def test_huge_station_ids_are_not_found(client, make_user, url):
    log_in(client, make_user("admin"))
    assert client.get(url).status_code == 404


def test_the_usage_csv_neutralises_formulas_in_station_names(client, make_user, make_organisation,
                                                             make_station):
    station = make_station(name='=HYPERLINK("http://evil.example","点我")',
                           organisation_id=make_organisation().id)
    rules.check_in(make_user().id, station.id, now=datetime.now(timezone.utc),
                   stay=rules.configured_stay())
    log_in(client, make_user("staff", organisation_id=station.organisation_id))
    body = client.get(f"/staff/usage.csv?station={station.id}").get_data(as_text=True)
    assert body.startswith("\ufeff")
    row = body.splitlines()[1]
    assert ",\"'=HYPERLINK(" in row and ",\"=HYPERLINK(" not in row
