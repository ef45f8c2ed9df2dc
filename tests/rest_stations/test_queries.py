"""The nearest engine must rank exactly as a brute-force geodesic loop does, on SQLite (the
cell engine) and on PostgreSQL (PostGIS), within the distance bound and without it."""
import math
import random
from datetime import datetime, timezone

import pytest
from geopy.distance import geodesic
from pyproj import Geod
from sqlalchemy import event, insert, text, update

from app import create_app
from extensions import db
from rest_stations.geo import position_columns
from rest_stations.geojson import FEATURE_COLUMNS
from rest_stations.models import Station
from rest_stations.queries import bbox_statement, nearest_stations, stations_in_bbox
from rest_stations.vocabulary import AMENITIES

TIANJIN_STATION = (39.1335, 117.2081)
UNBOUNDED = math.inf
# PROJ's Karney geodesic over whole arrays at once: the oracle's own instance, checked
# against geopy.distance.geodesic in test_geo.py.
ORACLE = Geod(ellps="WGS84")


def brute_force(stations, lat, lon, limit, accept=lambda station: True, within_m=math.inf):
    """The `limit` nearest (geodesic metres, id) of the accepted stations within within_m."""
    kept = [s for s in stations if accept(s)]
    if not kept:
        return []
    distances = ORACLE.inv([lon] * len(kept), [lat] * len(kept),
                           [s.lon for s in kept], [s.lat for s in kept])[2]
    return sorted((distance, s.id) for distance, s in zip(distances, kept)
                  if distance <= within_m)[:limit]


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
    # In one statement: the ORM's unit of work would take seconds on PostgreSQL.
    db.session.execute(insert(Station), [
        {column: getattr(station, column) for column in (
            "name", "lat", "lon", "x", "y", "z", "cell", "amenity_mask", "kind",
            "opening_hours")} for station in rows])
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
        found = nearest_stations(lat, lon, limit=5, max_distance_km=UNBOUNDED)
        assert_same_ranking(found, brute_force(random_stations, lat, lon, 5))


def test_nearest_within_the_default_bound_matches_brute_force(random_stations):
    # Random points worldwide: many have nothing within 1,000 km, some a few stations.
    empty = 0
    for lat, lon in query_points(40, seed=5):
        found = nearest_stations(lat, lon, limit=5)
        expected = brute_force(random_stations, lat, lon, 5, within_m=1_000_000)
        assert_same_ranking(found, expected)
        assert found.max_distance_km == 1000
        assert found.none_within_bound == (expected == [])
        empty += expected == []
    assert 0 < empty < 40


@pytest.mark.parametrize("within_km", [UNBOUNDED, 1000.0])
def test_nearest_with_amenity_and_kind_filters_matches_brute_force(random_stations, within_km):
    wanted = {"microwave", "toilet"}
    for lat, lon in query_points(20, seed=2):
        found = nearest_stations(lat, lon, limit=7, amenities=sorted(wanted), kind="partner",
                                 max_distance_km=within_km)
        expected = brute_force(
            random_stations, lat, lon, 7,
            accept=lambda s: wanted <= set(s.amenities) and s.kind == "partner",
            within_m=within_km * 1000,
        )
        assert_same_ranking(found, expected)
        assert all(wanted <= set(hit.station.amenities) for hit in found)


@pytest.mark.parametrize("within_km", [UNBOUNDED, 1000.0])
def test_open_now_filter_matches_brute_force(random_stations, within_km):
    # 03:00 in Shanghai: only 24/7 and the overnight stations are open.
    now = datetime(2026, 11, 23, 19, 0, tzinfo=timezone.utc)
    for lat, lon in query_points(10, seed=3):
        found = nearest_stations(lat, lon, limit=5, open_now=True, now=now,
                                 max_distance_km=within_km)
        expected = brute_force(
            random_stations, lat, lon, 5,
            accept=lambda s: s.opening_hours in ("24/7", "Mo-Su 20:00-04:00"),
            within_m=within_km * 1000,
        )
        assert_same_ranking(found, expected)
        assert all(hit.hours.open is True for hit in found)


@pytest.mark.parametrize("search", [
    {}, {"amenities": ["microwave", "toilet"], "kind": "partner"},
    # 03:00 in Shanghai, most stations closed: more rounds than the first, on PostgreSQL.
    {"open_now": True, "now": datetime(2026, 11, 23, 19, 0, tzinfo=timezone.utc)},
])
def test_a_search_that_loads_columns_finds_what_one_that_loads_stations_does(
        random_stations, search):
    """The nearest API loads FEATURE_COLUMNS rows instead of Stations: the same stations,
    distances, hours and seats, and each row holds the station's values."""
    stations = {station.id: station for station in random_stations}
    for lat, lon in query_points(12, seed=4):
        whole = nearest_stations(lat, lon, limit=6, max_distance_km=UNBOUNDED, **search)
        rows = nearest_stations(lat, lon, limit=6, max_distance_km=UNBOUNDED,
                                columns=FEATURE_COLUMNS, **search)
        assert [(hit.station.id, hit.distance_m, hit.hours, hit.seats_taken) for hit in rows] == [
            (hit.station.id, hit.distance_m, hit.hours, hit.seats_taken) for hit in whole]
        for hit in rows:
            assert not isinstance(hit.station, Station)
            assert {column.key: getattr(hit.station, column.key) for column in FEATURE_COLUMNS} == {
                column.key: getattr(stations[hit.station.id], column.key)
                for column in FEATURE_COLUMNS}


def test_delisted_stations_are_never_offered(random_stations):
    db.session.execute(update(Station).where(Station.id % 3 == 0).values(status="delisted"))
    db.session.commit()
    listed = db.session.scalars(db.select(Station).where(Station.status != "delisted")).all()
    assert len(listed) < len(random_stations)
    for lat, lon in query_points(10, seed=4):
        assert_same_ranking(nearest_stations(lat, lon, limit=5, max_distance_km=UNBOUNDED),
                            brute_force(listed, lat, lon, 5))


def test_filter_that_matches_nothing_returns_empty_list(random_stations):
    assert nearest_stations(*TIANJIN_STATION, amenities=["shower"]) == []


def test_filter_that_matches_nothing_anywhere_is_not_called_far(random_stations):
    found = nearest_stations(*TIANJIN_STATION, amenities=["shower"], max_distance_km=UNBOUNDED)
    assert found == [] and not found.none_within_bound


def test_remote_point_finds_stations_hundreds_of_kilometres_away(make_station):
    far = make_station(lat=43.8, lon=87.6)  # Urumqi
    # Lhasa, about 1,600 km away: beyond the default bound, so the search is widened.
    found = nearest_stations(29.65, 91.17, limit=5, max_distance_km=2000)
    assert [hit.station.id for hit in found] == [far.id]
    assert found[0].distance_m == pytest.approx(
        geodesic((29.65, 91.17), (43.8, 87.6)).meters, abs=0.01)


def test_point_beyond_the_bound_answers_no_station_within_it(make_station):
    make_station(lat=43.8, lon=87.6)  # Urumqi, about 1,600 km from Lhasa
    found = nearest_stations(29.65, 91.17, limit=5)
    assert found == [] and found.none_within_bound and found.max_distance_km == 1000
    assert nearest_stations(0.0, 0.0).none_within_bound


def test_the_bound_keeps_exactly_the_stations_within_it(make_station):
    # Due north of Tianjin, 100 km apart: the bound falls between two of them.
    stations = [make_station(lat=TIANJIN_STATION[0] + step * 0.9, lon=TIANJIN_STATION[1])
                for step in range(1, 6)]
    distances = [geodesic(TIANJIN_STATION, (s.lat, s.lon)).meters for s in stations]
    bound_km = (distances[2] + distances[3]) / 2 / 1000
    found = nearest_stations(*TIANJIN_STATION, limit=5, max_distance_km=bound_km)
    assert [hit.station.id for hit in found] == [s.id for s in stations[:3]]
    assert not found.none_within_bound
    # A bound a metre short of a station leaves it out; a metre beyond keeps it.
    assert len(nearest_stations(*TIANJIN_STATION, max_distance_km=distances[0] / 1000 - 0.001)) == 0
    assert len(nearest_stations(*TIANJIN_STATION, max_distance_km=distances[0] / 1000 + 0.001)) == 1


def test_the_bound_is_a_setting_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEAREST_MAX_DISTANCE_KM", "250")
    assert create_app("testing").config["NEAREST_MAX_DISTANCE_KM"] == 250.0
    monkeypatch.delenv("NEAREST_MAX_DISTANCE_KM")
    assert create_app("testing").config["NEAREST_MAX_DISTANCE_KM"] == 1000.0


def test_the_bound_comes_from_the_setting(app, make_station):
    make_station(lat=40.8, lon=117.2081)  # 185 km north of Tianjin
    app.config["NEAREST_MAX_DISTANCE_KM"] = 100.0
    try:
        found = nearest_stations(*TIANJIN_STATION)
        assert found == [] and found.max_distance_km == 100
    finally:
        app.config["NEAREST_MAX_DISTANCE_KM"] = 1000.0
    assert len(nearest_stations(*TIANJIN_STATION)) == 1


def count_statements(search) -> int:
    statements = []
    engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        search()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


@pytest.fixture
def cities_only(app):
    """2,000 stations in six Chinese cities, none elsewhere."""
    rng = random.Random(11)
    centres = [(39.9, 116.4), (31.2, 121.5), (23.1, 113.3), (30.6, 104.1), (43.8, 87.6),
               (45.8, 126.6)]
    rows = []
    for number in range(2000):
        clat, clon = centres[number % len(centres)]
        rows.append(Station(name=f"城市驿站 {number}", lat=clat + rng.gauss(0, 0.1),
                            lon=clon + rng.gauss(0, 0.1)))
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_a_point_far_from_every_station_costs_no_more_statements_than_a_city(cities_only):
    city = count_statements(lambda: nearest_stations(39.95, 116.45))
    # Null island (a failed geolocation), mid-Pacific, the Southern Ocean, the North Pole.
    for point in [(0.0, 0.0), (15.0, -140.0), (-60.0, 100.0), (89.9, 0.0)]:
        far = count_statements(lambda: nearest_stations(*point))
        assert nearest_stations(*point).none_within_bound
        assert far <= city + 5, (point, far, city)


def test_the_maps_box_is_read_through_the_latitude_index(app):
    # 2,000 stations along a meridian; a box holds a few of them.
    db.session.execute(insert(Station), [
        {"name": f"经线驿站 {number}", "lat": 20.0 + number / 100, "lon": 110.0,
         **position_columns(20.0 + number / 100, 110.0)} for number in range(2000)])
    db.session.commit()
    found, capped = stations_in_bbox(109.9, 30.0, 110.1, 30.1, limit=500)
    assert sorted(hit.station.lat for hit in found) == pytest.approx(
        [30.0 + step / 100 for step in range(11)]) and not capped
    statement = str(bbox_statement(109.9, 30.0, 110.1, 30.1, limit=500).compile(
        db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(str(row) for row in db.session.execute(text(
            "EXPLAIN QUERY PLAN " + statement)))
    else:
        db.session.execute(text("ANALYZE station"))
        # Few rows may rightly make the planner prefer a scan; this asks what the index offers.
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(db.session.execute(text("EXPLAIN " + statement)).scalars())
    assert "ix_station_lat_lon" in plan, plan
