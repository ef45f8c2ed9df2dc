"""Editing rules, duplicates and the data-quality lists, called without a request."""
import itertools
import random
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from checkins.rules import file_report
from extensions import db
from rest_stations.geo import geodesic_m
from station_admin.operations import (check_closure, check_station_form, duplicate_pairs,
                                      likely_duplicates)
from station_admin.quality import quality_report
from rest_stations.models import Station

GOOD = {"name": "驿站", "lat": "39.1", "lon": "117.2", "capacity": "3", "opening_hours": "24/7",
        "phone": "13812345678", "kind": "union"}


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Give the station a name"),
    ("lat", "95", "between -90 and 90"),
    ("lon", "east", "Enter a number"),
    ("opening_hours", "Mo-Fr 25:00-26:00", "OpenStreetMap syntax"),
    ("capacity", "-1", "whole number of seats"),
    ("capacity", "2.5", "whole number of seats"),
    ("phone", "12345", "Enter a phone number"),
    ("kind", "castle", "Choose a kind"),
])
def test_each_bad_field_gets_its_own_message(field, value, message):
    checked = check_station_form({**GOOD, field: value}, ["water"])
    assert message in checked.errors[field]


def test_amenities_come_from_the_vocabulary():
    assert "jacuzzi" in check_station_form(GOOD, ["water", "jacuzzi"]).errors["amenities"]
    assert check_station_form(GOOD, ["wifi", "water"]).values["amenities"] == ["water", "wifi"]


def test_closure_needs_a_reason_and_no_past_date():
    values, errors = check_closure("  装修  ", "2026-12-01", date(2026, 11, 23))
    assert errors == {} and values["closed_reason"] == "装修"
    _, errors = check_closure("", "2026-11-01", date(2026, 11, 23))
    assert set(errors) == {"closed_reason", "reopens_on"}


def test_stations_within_30_m_are_likely_duplicates(make_station):
    near = make_station(lat=39.13350, lon=117.20810)
    make_station(lat=39.13400, lon=117.20810)  # about 55 m north
    make_station(lat=39.13351, lon=117.20811, status="delisted")
    assert [s.id for s, _ in likely_duplicates(39.13360, 117.20815)] == [near.id]
    assert likely_duplicates(39.13360, 117.20815, exclude_id=near.id) == []


def test_likely_duplicates_are_nearest_first_up_to_30_m_of_geodesic_distance(make_station):
    # Due north of the point: 0.0001° of latitude is 11.1 m at 39°.
    at_11_m = make_station(lat=39.13370, lon=117.20815)
    at_28_m = make_station(lat=39.13385, lon=117.20815)
    make_station(lat=39.13388, lon=117.20815)  # 31.1 m: beyond
    closed = make_station(lat=39.13360, lon=117.20816, status="temporarily_closed")  # 0.9 m
    found = likely_duplicates(39.13360, 117.20815)
    assert [station.id for station, _ in found] == [closed.id, at_11_m.id, at_28_m.id]
    assert [round(metres) for _, metres in found] == [1, 11, 28]


def test_quality_report_lists_what_needs_attention(make_station, make_user, organisation):
    staff = make_user("staff", organisation_id=organisation.id)
    stale = make_station(name="久未核实", organisation_id=organisation.id,
                         last_verified_on=date(2025, 1, 1))
    fresh = make_station(name="刚核实", lat=39.2, organisation_id=organisation.id,
                         last_verified_on=date(2026, 11, 1), opening_hours="")
    twin = make_station(name="双胞胎", lat=39.2, lon=117.20811, organisation_id=organisation.id,
                        last_verified_on=date(2026, 11, 1))
    make_station(name="别的组织", lat=39.5, last_verified_on=None)
    file_report(stale, None, "water_empty", now=datetime.now(timezone.utc))
    report = quality_report(Station.managed_by(staff), date(2026, 11, 23))
    assert [s.name for s in report.not_verified] == ["久未核实"]
    assert [(s.name, n) for s, n in report.reported] == [("久未核实", 1)]
    assert [s.name for s in report.hours_unknown] == ["刚核实"]
    assert {(a.id, b.id) for a, b, _ in report.duplicates} in ({(fresh.id, twin.id)},
                                                               {(twin.id, fresh.id)})
    assert duplicate_pairs(Station.managed_by(staff), radius_m=0.1) == []


def test_duplicate_pairs_are_every_pair_within_30_m_in_latitude_order(make_station):
    rng = random.Random(5)
    # Clusters of two to four stations a few metres apart, spread over a city.
    for cluster in range(40):
        lat, lon = 39.0 + rng.uniform(0, 0.3), 117.0 + rng.uniform(0, 0.3)
        for _ in range(rng.randint(2, 4)):
            make_station(lat=lat + rng.uniform(-0.0002, 0.0002),
                         lon=lon + rng.uniform(-0.0002, 0.0002))
    stations = db.session.scalars(select(Station)).all()
    wanted = {frozenset((a.id, b.id)) for a, b in itertools.combinations(stations, 2)
              if geodesic_m(a.lat, a.lon, b.lat, b.lon) <= 30.0}
    pairs = duplicate_pairs(select(Station), limit=10_000)
    assert {frozenset((a.id, b.id)) for a, b, _ in pairs} == wanted and len(pairs) == len(wanted)
    assert all(metres == pytest.approx(geodesic_m(a.lat, a.lon, b.lat, b.lon))
               for a, b, metres in pairs)
    first = [min(a.lat, b.lat) for a, b, _ in pairs]
    assert first == sorted(first)
    assert duplicate_pairs(select(Station), limit=3) == pairs[:3]
