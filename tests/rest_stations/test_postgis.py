"""PostGIS on PostgreSQL (migration 0013): the geography column, its index, the migration's
way there and back, and what the schema comparison leaves out. The search itself is held to
the brute-force oracle in test_queries.py and test_station_cells.py, on both databases."""
import importlib.util
import itertools
import math
import os
import random

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Float, bindparam, insert, inspect, select, text, update

from extensions import db
from rest_stations import postgis
from rest_stations.geo import ecef_m, geodesic_at_least_m, position_columns
from rest_stations.models import Station
from rest_stations.postgis import schema_filter
from rest_stations.queries import nearest_stations
from rest_stations.vocabulary import amenity_mask
from tests.rest_stations.test_queries import assert_same_ranking, brute_force, count_statements

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


def load_migration_0013():
    path = os.path.join(MIGRATIONS, "versions", "0013_postgis.py")
    spec = importlib.util.spec_from_file_location("migration_0013", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostGIS is PostgreSQL's")


def geog_positions() -> dict[int, tuple[float, float]]:
    rows = db.session.execute(text("SELECT id, ST_Y(geog::geometry), ST_X(geog::geometry) "
                                   "FROM station")).all()
    return {row[0]: (row[1], row[2]) for row in rows}


def ecef_positions() -> dict[int, tuple[float, float, float]]:
    rows = db.session.execute(text("SELECT id, ST_X(ecef), ST_Y(ecef), ST_Z(ecef), ST_SRID(ecef) "
                                   "FROM station")).all()
    assert {row[4] for row in rows} == {4978}
    return {row[0]: row[1:4] for row in rows}


def assert_ecef_follows(stations: dict[int, tuple[float, float]]) -> None:
    positions = ecef_positions()
    assert positions.keys() == stations.keys()
    for station_id, (lat, lon) in stations.items():
        assert positions[station_id] == pytest.approx(ecef_m(lat, lon), abs=1e-6)


def test_the_geography_column_follows_every_write_path(postgresql, make_station):
    by_orm = make_station(lat=39.1335, lon=117.2081)
    db.session.execute(insert(Station), [{"name": "批量", "lat": -17.0, "lon": 179.5,
                                          **position_columns(-17.0, 179.5)}])
    db.session.commit()
    by_core = db.session.scalar(db.select(Station.id).where(Station.name == "批量"))
    assert geog_positions() == {by_orm.id: (39.1335, 117.2081), by_core: (-17.0, 179.5)}
    assert_ecef_follows({by_orm.id: (39.1335, 117.2081), by_core: (-17.0, 179.5)})

    by_orm.lat, by_orm.lon = 43.8, 87.6
    db.session.execute(text("UPDATE station SET lon = -179.5 WHERE id = :id"), {"id": by_core})
    db.session.commit()
    assert geog_positions() == {by_orm.id: (43.8, 87.6), by_core: (-17.0, -179.5)}
    assert_ecef_follows({by_orm.id: (43.8, 87.6), by_core: (-17.0, -179.5)})


@pytest.mark.parametrize("column, value", [("geog", "POINT(0 0)"),
                                           ("ecef", "SRID=4978;POINT Z (0 0 0)")])
def test_the_column_cannot_be_written_by_hand(postgresql, make_station, column, value):
    station = make_station()
    with pytest.raises(Exception, match="generated column"):
        db.session.execute(text(f"UPDATE station SET {column} = :value WHERE id = :id"),
                           {"id": station.id, "value": value})
    db.session.rollback()


def test_the_knn_search_is_an_index_scan_with_its_filters_and_bound(postgresql):
    db.session.execute(insert(Station), [
        {"name": f"索引 {number}", "lat": 39 + number / 1000, "lon": 117.2,
         **position_columns(39 + number / 1000, 117.2)} for number in range(2000)])
    db.session.execute(text("ANALYZE station"))
    # The index must be able to serve the search in distance order (a planner with a
    # small table may still prefer a scan and a sort; this asks what the index offers).
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.execute(text("""
        EXPLAIN SELECT id FROM station
        WHERE status != 'delisted' AND amenity_mask & 3 >= 3
          AND geog && _ST_Expand(ST_MakePoint(117.2, 39.1)::geography, 1000000)
        ORDER BY geog <-> ST_MakePoint(117.2, 39.1)::geography LIMIT 16""")).scalars())
    assert "Index Scan using ix_station_geog" in plan and "Order By" in plan, plan


def _add_stations_around(centre, spread_degrees, count, name, *, seed, charging_every):
    """`count` stations scattered normally around `centre` in one insert, then ANALYZE:
    every station has charging except one in `charging_every`."""
    rng = random.Random(seed)
    rows = []
    for number in range(count):
        lat = round(centre[0] + rng.gauss(0, spread_degrees), 6)
        lon = round(centre[1] + rng.gauss(0, spread_degrees), 6)
        rows.append({"name": f"{name} {number}", "lat": lat, "lon": lon,
                     "amenity_mask": amenity_mask(["charging"] if number % charging_every else []),
                     **position_columns(lat, lon)})
    db.session.execute(insert(Station), rows)
    db.session.execute(text("ANALYZE station"))


def test_the_engine_walks_the_index_in_distance_order_inside_a_city(postgresql):
    # 20,000 stations around Tianjin, nearly all within the bound of a point among them.
    # Were the planner to expect a handful (ST_DWithin's own estimate, or an amenity
    # filter's), it would choose a bitmap scan of all of them and a sort, which takes
    # 200 ms at 150,000 stations. The plan asked for is the one the search runs.
    _add_stations_around((39.1, 117.2), 0.2, 20_000, "天津驿站", seed=3, charging_every=2)
    # Parallel workers as cheap as on a large table, where a bitmap scan shared by workers
    # looks cheaper still.
    db.session.execute(text("SET LOCAL parallel_setup_cost = 0"))
    db.session.execute(text("SET LOCAL min_parallel_table_scan_size = 0"))
    for with_mask, tier_count in itertools.product((False, True), (1, 3)):
        statement = postgis._ranked_statement(with_mask, False, True, tier_count).compile(
            db.engine)
        parameters = {**statement.params, "lat": 39.1, "lon": 117.2, "within": 1_000_000.0,
                      "mask": amenity_mask(["charging"]), "limit": 5, "max_m": 1_000_000.0,
                      "tier_0": 16, "tier_1": 64, "tier_2": 256,
                      **dict(zip("xyz", ecef_m(39.1, 117.2)))}
        plan = "\n".join(db.session.connection().exec_driver_sql(
            f"EXPLAIN {statement}", parameters).scalars())
        assert plan.count("Index Scan using ix_station_ecef") == tier_count, plan  # each tier
        assert plan.count("Order By: (ecef <<->>") == tier_count, plan
        assert "Bitmap" not in plan and "Seq Scan" not in plan, plan


def test_the_cell_engine_objects_are_gone_and_the_downgrade_restores_them(postgresql,
                                                                          make_station):
    stations = [make_station(lat=lat, lon=lon)
                for lat, lon in [(39.1335, 117.2081), (-17.0, 179.5), (0.0, 0.0)]]
    assert "station_cell" not in inspect(db.engine).get_table_names()
    assert "ix_station_cell" not in {i["name"] for i in inspect(db.engine).get_indexes("station")}
    db.session.commit()
    downgrade(directory=MIGRATIONS, revision=load_migration_0013().down_revision)
    try:
        tables = inspect(db.engine)
        assert "geog" not in {c["name"] for c in tables.get_columns("station")}
        assert "ix_station_cell" in {i["name"] for i in tables.get_indexes("station")}
        micro = set(db.session.execute(text(
            "SELECT cell FROM station_cell WHERE level = 'micro'")).scalars())
        assert micro == {s.cell for s in stations}
        # The trigger is back: a new station lists its cells.
        db.session.execute(text(
            "INSERT INTO station (name, address, city, district, lat, lon, x, y, z, cell, kind, "
            "amenity_mask, opening_hours, timezone, capacity, phone, status, closed_reason, "
            "created_at, updated_at) VALUES ('回来', '', '', '', 1, 1, 0, 0, 0, 123456, 'union', "
            "0, '', 'Asia/Shanghai', 0, '', 'active', '', now(), now())"))
        assert db.session.execute(text(
            "SELECT count(*) FROM station_cell WHERE level = 'micro' AND cell = 123456")).scalar() == 1
        db.session.commit()
    finally:
        upgrade(directory=MIGRATIONS)
    assert "station_cell" not in inspect(db.engine).get_table_names()
    positions = geog_positions()
    assert all(positions[s.id] == (s.lat, s.lon) for s in stations)
    assert [hit.station.id for hit in nearest_stations(39.1, 117.2)] == [stations[0].id]


def test_a_server_without_postgis_gets_a_message_naming_the_package(postgresql):
    migration = load_migration_0013()
    with pytest.raises(RuntimeError, match="postgresql-15-postgis-3"):
        migration.create_extension(db.session.connection(), name="postgis_not_installed_here")
    db.session.rollback()


def test_the_schema_comparison_leaves_out_what_one_database_has_alone(app):
    on_postgresql, on_sqlite = schema_filter("postgresql"), schema_filter("sqlite")
    geog = ("geog", "column", True, None)
    cell_table = Station.metadata.tables["station_cell"]
    assert not on_postgresql(None, *geog) and on_sqlite(None, *geog)
    assert not on_postgresql(None, "spatial_ref_sys", "table", True, None)
    assert not on_postgresql(cell_table, "station_cell", "table", False, None)
    assert on_sqlite(cell_table, "station_cell", "table", False, None)
    station = Station.metadata.tables["station"]
    assert on_postgresql(station, "station", "table", False, None)
    # Anything else the database has and the models lack is still reported.
    assert on_postgresql(None, "stray", "column", True, None)


def test_bulk_updates_move_the_search_too(postgresql, make_station):
    moved = make_station(lat=31.2, lon=121.5)
    db.session.execute(update(Station).where(Station.id == moved.id)
                       .values(lat=39.1335, lon=117.2081, **position_columns(39.1335, 117.2081)))
    db.session.commit()
    [hit] = nearest_stations(39.1335, 117.2081)
    assert hit.station.id == moved.id and hit.distance_m < 0.01


def test_a_search_in_a_city_is_one_statement(postgresql):
    # The first statement ranks and proves in the database and loads only the winners.
    _add_stations_around((39.1, 117.2), 0.1, 2000, "天津驿站", seed=5, charging_every=2)
    db.session.commit()
    stations = db.session.scalars(db.select(Station)).all()
    for lat, lon in [(39.1, 117.2), (39.15, 117.12), (38.98, 117.31)]:
        for amenities in ([], ["charging"]):
            search = lambda: nearest_stations(lat, lon, limit=5, amenities=amenities)  # noqa: E731
            assert count_statements(search) == 1, (lat, lon, amenities)
            wanted = amenity_mask(amenities)
            assert_same_ranking(search(), brute_force(
                stations, lat, lon, 5, accept=lambda s: s.amenity_mask & wanted == wanted,
                within_m=1_000_000))


@pytest.fixture
def city_seen_from_afar(postgresql):
    """3,000 stations around Chengdu, nothing else: from the Tibetan plateau, 700 km west,
    their distances differ by less than sphere and ellipsoid do, so the first KNN rows
    cannot prove which are nearest."""
    _add_stations_around((30.66, 104.06), 0.15, 3000, "成都驿站", seed=17, charging_every=3)
    db.session.commit()
    return db.session.scalars(db.select(Station)).all()


PLATEAU_POINTS = [(31.0, 97.0), (29.5, 96.5), (33.0, 98.2), (30.66, 97.0)]


def test_a_remote_search_is_proven_in_one_statement(city_seen_from_afar):
    # In geog's sphere order the first rows could not prove it (0.2-0.6 % between sphere
    # and ellipsoid is kilometres at 700 km); the chord is within 130 m of the geodesic.
    for lat, lon in PLATEAU_POINTS:
        for amenities, within_km in itertools.product(([], ["charging"]), (1000.0, math.inf)):
            statements = count_statements(lambda: nearest_stations(
                lat, lon, limit=5, amenities=amenities, max_distance_km=within_km))
            assert statements == 1, (lat, lon, amenities, within_km)
            found = nearest_stations(lat, lon, limit=5, amenities=amenities,
                                     max_distance_km=within_km)
            wanted = amenity_mask(amenities)
            assert_same_ranking(found, brute_force(
                city_seen_from_afar, lat, lon, 5,
                accept=lambda s: s.amenity_mask & wanted == wanted,
                within_m=within_km * 1000))


def test_a_search_its_tiers_cannot_prove_asks_again_with_more_and_stays_exact(postgresql):
    # 1,301 stations along a meridian, seen from 700 km west: within 300 m of one another,
    # a tie closer than sphere and ellipsoid can tell apart, so the rounds of 16, 64, 256 and 1,024
    # rows cannot prove the nearest.
    rows = [{"name": f"经线驿站 {number}", "lat": 30.0 + number / 1000, "lon": 104.06,
             **position_columns(30.0 + number / 1000, 104.06)} for number in range(1301)]
    db.session.execute(insert(Station), rows)
    db.session.commit()
    stations = db.session.scalars(db.select(Station)).all()
    for lat, lon in [(30.66, 97.0), (30.2, 97.3)]:
        for within_km in (1000.0, math.inf):
            statements = count_statements(lambda: nearest_stations(
                lat, lon, limit=1, max_distance_km=within_km))
            assert statements > 1
            assert_same_ranking(
                nearest_stations(lat, lon, limit=1, max_distance_km=within_km),
                brute_force(stations, lat, lon, 1, within_m=within_km * 1000))


def test_the_chord_bound_in_sql_is_the_one_in_python(postgresql):
    chord = bindparam("chord", type_=Float)
    statement = select(postgis._geodesic_at_least_sql(chord))
    for chord_m in (0.0, 1.0, 1_000.0, 700_000.0, 1_000_000.0, 8_000_000.0, 12_756_274.0,
                    20_000_000.0):
        in_sql = db.session.scalar(statement, {"chord": chord_m})
        assert in_sql == pytest.approx(geodesic_at_least_m(chord_m), rel=1e-12)
