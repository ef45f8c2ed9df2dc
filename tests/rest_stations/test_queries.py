"""The nearest engine must rank exactly as a brute-force geopy.distance.geodesic loop does."""
import random
from datetime import datetime, timezone

import pytest
from geopy.distance import geodesic

from extensions import db
from rest_stations.models import Station
from rest_stations.queries import nearest_stations, stations_in_bbox
from rest_stations.vocabulary import AMENITIES

TIANJIN_STATION = (39.1335, 117.2081)


def brute_force(stations, lat, lon, limit, accept=lambda station: True):
    ranked = sorted(
        (geodesic((lat, lon), (s.lat, s.lon)).meters, s.id) for s in stations if accept(s)
    )
    return ranked[:limit]


def assert_same_ranking(found, expected):
    assert len(found) == len(expected)
    for hit, (distance, station_id) in zip(found, expected):
        assert hit.distance_m == pytest.approx(distance, abs=0.01)
        if hit.station.id != station_id:
            # A tie within 1 m may fall either way.
            assert abs(hit.distance_m - distance) < 1.0


@pytest.fixture
def random_stations(app):
    """1,500 stations around three cities, plus a sparse scatter over the whole globe."""
    rng = random.Random(7)
    codes = list(AMENITIES)
    centres = [(39.9, 116.4, 0.2), (31.2, 121.5, 0.2), (43.8, 87.6, 0.1)]
    rows = []
    for number in range(1500):
        if number % 10 == 0:
            lat, lon = rng.uniform(-80, 80), rng.uniform(-180, 180)
        else:
            clat, clon, spread = rng.choice(centres)
            lat, lon = clat + rng.gauss(0, spread), clon + rng.gauss(0, spread)
        rows.append(Station(
            name=f"随机驿站 {number}", lat=round(lat, 6), lon=round(lon, 6),
            amenities=[code for code in codes if rng.random() < 0.4],
            kind=rng.choice(["union", "partner", "driver_home"]),
            opening_hours=rng.choice(["24/7", "Mo-Su 08:00-20:00", "Mo-Su 20:00-04:00", ""]),
        ))
    # "shower" exists nowhere, so a filter on it must match nothing.
    for station in rows:
        station.amenities = [code for code in station.amenities if code != "shower"]
    db.session.add_all(rows)
    db.session.commit()
    return db.session.scalars(db.select(Station)).all()


def query_points(count, seed):
    rng = random.Random(seed)
    points = [TIANJIN_STATION, (39.9, 116.4), (-89.9, 0.0), (89.9, 179.9), (0.0, -179.99),
              (-33.9, 151.2), (30.0, -40.0)]  # poles, the antimeridian, mid-Atlantic
    while len(points) < count:
        points.append((rng.uniform(-90, 90), rng.uniform(-180, 180)))
    return points


def test_nearest_matches_brute_force_geodesic(random_stations):
    for lat, lon in query_points(40, seed=1):
        found = nearest_stations(lat, lon, limit=5)
        assert_same_ranking(found, brute_force(random_stations, lat, lon, 5))


def test_nearest_with_amenity_and_kind_filters_matches_brute_force(random_stations):
    wanted = {"microwave", "toilet"}
    for lat, lon in query_points(20, seed=2):
        found = nearest_stations(lat, lon, limit=7, amenities=sorted(wanted), kind="partner")
        expected = brute_force(
            random_stations, lat, lon, 7,
            accept=lambda s: wanted <= set(s.amenities) and s.kind == "partner",
        )
        assert_same_ranking(found, expected)
        assert all(wanted <= set(hit.station.amenities) for hit in found)


def test_open_now_filter_matches_brute_force(random_stations):
    # 03:00 in Shanghai: only 24/7 and the overnight stations are open.
    now = datetime(2026, 11, 23, 19, 0, tzinfo=timezone.utc)
    for lat, lon in query_points(10, seed=3):
        found = nearest_stations(lat, lon, limit=5, open_now=True, now=now)
        expected = brute_force(
            random_stations, lat, lon, 5,
            accept=lambda s: s.opening_hours in ("24/7", "Mo-Su 20:00-04:00"),
        )
        assert_same_ranking(found, expected)
        assert all(hit.hours.open is True for hit in found)


def test_filter_that_matches_nothing_returns_empty_list(random_stations):
    assert nearest_stations(*TIANJIN_STATION, amenities=["shower"]) == []


def test_remote_point_finds_stations_hundreds_of_kilometres_away(make_station):
    far = make_station(lat=43.8, lon=87.6)  # Urumqi
    found = nearest_stations(29.65, 91.17, limit=5)  # Lhasa, about 1,600 km away
    assert [hit.station.id for hit in found] == [far.id]
    assert found[0].distance_m == pytest.approx(
        geodesic((29.65, 91.17), (43.8, 87.6)).meters, abs=0.01)


def test_limit_larger_than_station_count_returns_all_sorted(make_station):
    near = make_station(lat=39.134, lon=117.209)
    farther = make_station(lat=39.2, lon=117.3)
    found = nearest_stations(*TIANJIN_STATION, limit=50)
    assert [hit.station.id for hit in found] == [near.id, farther.id]


def test_empty_database_returns_empty_list(app):
    assert nearest_stations(*TIANJIN_STATION) == []


def test_temporarily_closed_station_is_listed_closed_and_left_out_of_open_now(make_station):
    closed = make_station(status="temporarily_closed")
    [hit] = nearest_stations(*TIANJIN_STATION)
    assert hit.station.id == closed.id and hit.hours.open is False
    assert nearest_stations(*TIANJIN_STATION, open_now=True) == []


def test_bbox_returns_stations_inside_and_reports_truncation(make_station):
    inside = [make_station(lat=39.1 + i / 100, lon=117.2) for i in range(3)]
    make_station(lat=31.2, lon=121.5)
    stations, truncated = stations_in_bbox(117.0, 39.0, 117.5, 39.5, limit=10)
    assert {s.id for s in stations} == {s.id for s in inside} and not truncated
    stations, truncated = stations_in_bbox(117.0, 39.0, 117.5, 39.5, limit=2)
    assert len(stations) == 2 and truncated


def test_bbox_across_the_antimeridian(make_station):
    east = make_station(lat=-17.0, lon=179.5)
    west = make_station(lat=-17.0, lon=-179.5)
    make_station(lat=-17.0, lon=0.0)
    stations, _ = stations_in_bbox(179.0, -18.0, -179.0, -16.0, limit=10)
    assert {s.id for s in stations} == {east.id, west.id}
