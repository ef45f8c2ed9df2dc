"""The editor, status changes, history and scoping, through HTTP."""
from datetime import date, timedelta

from sqlalchemy import select

from extensions import db
from rest_stations.models import Station
from station_admin.models import StationChange
from tests.accounts.helpers import csrf_token, log_in

VALID = {"name": "河东区万达驿站", "address": "津塘路 35 号", "city": "天津市", "district": "河东区",
         "lat": "39.12034", "lon": "117.2351", "kind": "union", "amenities": ["water", "toilet"],
         "opening_hours": "Mo-Su 08:00-20:00", "capacity": "12", "phone": "022-2431 5678"}


def _post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/staff/stations/new"), **data})


def test_staff_add_a_station_for_their_organisation_with_an_audit_entry(staff_client, staff):
    response = _post(staff_client, "/staff/stations/new", VALID)
    assert response.status_code == 303
    station = db.session.scalar(select(Station))
    assert (station.name, station.organisation_id, station.amenities, station.capacity) == (
        "河东区万达驿站", staff.organisation_id, ["water", "toilet"], 12)
    change = db.session.scalar(select(StationChange))
    assert change.action == "create" and change.actor_id == staff.id
    assert change.changes["name"] == [None, "河东区万达驿站"]


def test_the_editor_page_shows_the_map_and_the_hours_preview(staff_client, make_station, staff):
    station = make_station(organisation_id=staff.organisation_id)
    page = staff_client.get(f"/staff/stations/{station.id}/edit").get_data(as_text=True)
    assert "folium-map" in page or "map_" in page
    assert 'id="hours-preview"' in page and station.name in page


def test_invalid_fields_come_back_with_their_messages_and_422(staff_client):
    bad = {**VALID, "opening_hours": "whenever", "capacity": "-3", "phone": "12",
           "amenities": ["water", "jacuzzi"], "lat": "north"}
    response = _post(staff_client, "/staff/stations/new", bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("OpenStreetMap syntax", "whole number of seats", "Enter a phone number",
                    "Unknown amenities: jacuzzi", "Enter a number"):
        assert message in page
    assert db.session.scalar(select(Station)) is None


def test_a_new_station_within_30_m_of_another_needs_a_confirmation(staff_client, make_station):
    make_station(lat=39.12034, lon=117.23512, name="老驿站")
    response = _post(staff_client, "/staff/stations/new", VALID)
    assert response.status_code == 422 and "老驿站" in response.get_data(as_text=True)
    response = _post(staff_client, "/staff/stations/new", {**VALID, "not_duplicate": "1"})
    assert response.status_code == 303


def test_editing_records_each_changed_field_before_and_after(staff_client, make_station, staff):
    station = make_station(organisation_id=staff.organisation_id, name="旧名", capacity=5)
    data = {**VALID, "name": "新名", "lat": f"{station.lat}", "lon": f"{station.lon}",
            "verified": "1"}
    assert _post(staff_client, f"/staff/stations/{station.id}/edit", data).status_code == 303
    change = db.session.scalar(select(StationChange).where(StationChange.action == "edit"))
    assert change.changes["name"] == ["旧名", "新名"]
    assert change.changes["capacity"] == [5, 12]
    assert "lat" not in change.changes
    history = staff_client.get(f"/staff/stations/{station.id}/history").get_data(as_text=True)
    assert "旧名" in history and "新名" in history


def test_close_with_reason_and_reopen_date_is_shown_to_riders(staff_client, make_station, staff,
                                                               client):
    station = make_station(organisation_id=staff.organisation_id)
    reopen = (date.today() + timedelta(days=10)).isoformat()
    response = _post(staff_client, f"/staff/stations/{station.id}/close",
                     {"closed_reason": "装修", "reopens_on": reopen})
    assert response.status_code == 303
    db.session.refresh(station)
    assert (station.status, station.closed_reason, station.reopens_on.isoformat()) == (
        "temporarily_closed", "装修", reopen)
    page = staff_client.get(f"/stations/{station.id}").get_data(as_text=True)
    assert "装修" in page and "temporarily closed" in page
    assert _post(staff_client, f"/staff/stations/{station.id}/reopen", {}).status_code == 303
    db.session.refresh(station)
    assert (station.status, station.closed_reason, station.reopens_on) == ("active", "", None)


def test_closing_needs_a_reason_and_a_future_date(staff_client, make_station, staff):
    station = make_station(organisation_id=staff.organisation_id)
    response = _post(staff_client, f"/staff/stations/{station.id}/close",
                     {"closed_reason": "", "reopens_on": "2001-01-01"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tell riders why" in page and "in the past" in page


def test_delisting_keeps_the_row_and_hides_it_from_the_nearest_list(staff_client, make_station,
                                                                    staff):
    from rest_stations.queries import nearest_stations, stations_in_bbox

    station = make_station(organisation_id=staff.organisation_id)
    assert _post(staff_client, f"/staff/stations/{station.id}/delist", {}).status_code == 422
    assert _post(staff_client, f"/staff/stations/{station.id}/delist",
                 {"confirm": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Station, station.id).status == "delisted"
    assert nearest_stations(station.lat, station.lon, limit=5) == []
    assert stations_in_bbox(117, 39, 118, 40, limit=10) == ([], False)


def test_staff_of_another_organisation_cannot_edit(client, make_station, make_user,
                                                   make_organisation, organisation):
    station = make_station(organisation_id=organisation.id, name="别人的")
    other = make_user("staff", organisation_id=make_organisation("朝阳区总工会").id,
                      language="en")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(client, other)
    assert client.get(f"/staff/stations/{station.id}/edit").status_code == 404
    assert _post(client, f"/staff/stations/{station.id}/edit", VALID).status_code == 404
    assert _post(client, f"/staff/stations/{station.id}/delist", {"confirm": "1"}).status_code == 404
    db.session.refresh(station)
    assert (station.name, station.status) == ("别人的", "active")


def test_hours_preview_says_what_riders_would_see(staff_client):
    fragment = staff_client.get("/staff/stations/hours-preview?opening_hours=24/7",
                                headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Open 24 hours" in fragment and "<html" not in fragment
    fragment = staff_client.get("/staff/stations/hours-preview?opening_hours=nonsense",
                                headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Not valid yet" in fragment


def test_riders_see_updated_on(client, make_station):
    station = make_station()
    page = client.get(f"/stations/{station.id}", headers={"Accept-Language": "en"})
    assert "Updated on" in page.get_data(as_text=True)
