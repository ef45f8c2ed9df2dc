"""The occupied-cell table that the database's triggers keep, and the walk over it.

The cell engine is SQLite's: on PostgreSQL, migration 0013 drops the table and its trigger
(PostGIS answers there), so the tests of the table itself run on SQLite only, and the
engine-level tests run on both databases.
"""
import math
import os
import random

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, inspect, text

from extensions import db
from rest_stations import queries
from rest_stations.geo import (
    CELL_LEVELS,
    FINEST,
    cell_id,
    position_columns,
    spherical_beyond_cell_m,
    spherical_to_cell_m,
)
from rest_stations.models import Station, StationCell
from rest_stations.queries import nearest_stations
from rest_stations.station_cells import OccupiedCells, TooManyCells
from tests.rest_stations.test_queries import assert_same_ranking, brute_force, count_statements

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


@pytest.fixture
def cell_table(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the station_cell table is SQLite's; PostgreSQL has PostGIS (migration 0013)")


def listed_cells() -> set[tuple[str, int]]:
    return {(row.level, row.cell) for row in db.session.scalars(db.select(StationCell))}


def cells_of(lat: float, lon: float) -> set[tuple[str, int]]:
    return {(level, cell_id(lat, lon, level)) for level in CELL_LEVELS}


def test_a_new_station_lists_its_cell_at_every_level(cell_table, make_station):
    station = make_station(lat=39.1335, lon=117.2081)
    assert listed_cells() == cells_of(station.lat, station.lon)


def test_a_moved_station_lists_its_new_cells_and_keeps_the_old(cell_table, make_station):
    station = make_station(lat=39.1335, lon=117.2081)
    station.lat, station.lon = 43.8, 87.6
    db.session.commit()
    assert listed_cells() == cells_of(39.1335, 117.2081) | cells_of(43.8, 87.6)


def test_a_bulk_insert_that_bypasses_the_orm_lists_its_cells(cell_table, app):
    positions = [(39.1335, 117.2081), (39.1336, 117.2082), (-33.9, 151.2), (0.0, -179.99)]
    db.session.execute(insert(Station), [
        {"name": f"批量 {number}", "lat": lat, "lon": lon, **position_columns(lat, lon)}
        for number, (lat, lon) in enumerate(positions)])
    db.session.commit()
    assert listed_cells() == set().union(*(cells_of(lat, lon) for lat, lon in positions))


def test_the_triggers_survive_the_migrations(app):
    """A later migration that rebuilds the station table on SQLite would drop them."""
    if db.engine.dialect.name == "postgresql":
        # Migration 0013 drops them there, with the table, and nothing brings them back.
        names = db.session.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'station'::regclass")).scalars()
        assert "station_cell_after_write" not in set(names)
        assert "station_cell" not in inspect(db.engine).get_table_names()
    else:
        names = db.session.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'station'"))
        assert {"station_cell_after_insert", "station_cell_after_move"} <= set(names.scalars())


def test_migration_0007_renumbers_cells_and_lists_them_and_goes_back(app, make_station):
    positions = [(39.1335, 117.2081), (-2.5, -2.5), (43.8, 87.6), (-17.0, 179.5)]
    stations = [make_station(lat=lat, lon=lon) for lat, lon in positions]
    expected = {(s.id, s.cell) for s in stations}
    first_id = stations[0].id
    db.session.commit()  # end the read transaction: PostgreSQL's ALTER TABLE would wait for it
    downgrade(directory=MIGRATIONS, revision="0006")
    try:
        columns = {c["name"] for c in inspect(db.engine).get_columns("station")}
        assert {"cell_fine", "cell_mid", "cell_coarse"} <= columns and "cell" not in columns
        assert "station_cell" not in inspect(db.engine).get_table_names()
        fine = dict(db.session.execute(text("SELECT id, cell_fine FROM station")).all())
        assert fine[first_id] == 391 * 10_000 + 1172  # floor(39.1335 * 10), floor(117.2081 * 10)
        db.session.commit()
    finally:
        upgrade(directory=MIGRATIONS)
    assert set(db.session.execute(text("SELECT id, cell FROM station")).all()) == expected
    if db.engine.dialect.name == "postgresql":  # 0013 drops the cell table again
        assert "station_cell" not in inspect(db.engine).get_table_names()
    else:
        assert listed_cells() == set().union(*(cells_of(lat, lon) for lat, lon in positions))


@pytest.fixture
def scattered_stations(app):
    """400 stations in two cities 1,200 km apart and a few lonely ones between."""
    rng = random.Random(4)
    rows = []
    for number in range(400):
        if number % 40 == 0:
            lat, lon = rng.uniform(30, 40), rng.uniform(100, 110)
        else:
            clat, clon = rng.choice([(39.9, 116.4), (30.6, 104.1)])
            lat, lon = clat + rng.gauss(0, 0.05), clon + rng.gauss(0, 0.05)
        rows.append(Station(name=f"散点 {number}", lat=round(lat, 6), lon=round(lon, 6),
                            amenities=["water"] if number % 7 else ["water", "shower"]))
    db.session.add_all(rows)
    db.session.commit()
    return rows


def finest_cells() -> list[int]:
    return list(db.session.scalars(db.select(StationCell.cell).where(StationCell.level == FINEST)))


@pytest.mark.parametrize("point", [(39.9, 116.4), (35.0, 107.0), (25.0, 80.0), (-40.0, -70.0)])
def test_the_walk_reaches_exactly_the_cells_a_full_scan_would(cell_table, scattered_stations, point):
    lat, lon = point
    cells = finest_cells()
    far_sides = sorted(spherical_beyond_cell_m(lat, lon, cell, FINEST) for cell in cells)
    walk = OccupiedCells(lat, lon, max_cells=1024)
    for count in (1, 5, 40, len(cells)):
        assert walk.radius_reaching(count) == pytest.approx(far_sides[count - 1], abs=1e-6)
    assert walk.radius_reaching(len(cells) + 1) is None
    for radius in (1_000.0, 50_000.0, 600_000.0, 3_000_000.0):
        walk = OccupiedCells(lat, lon, max_cells=1024)
        expected = {cell for cell in cells if spherical_to_cell_m(lat, lon, cell, FINEST) <= radius}
        assert set(walk.finest_cells_within(radius)) == expected


def test_the_walk_stops_at_the_bound_without_opening_cells_beyond_it(cell_table,
                                                                    scattered_stations):
    lat, lon = 35.0, 107.0
    far_sides = sorted(spherical_beyond_cell_m(lat, lon, cell, FINEST) for cell in finest_cells())
    for count in (1, 5, 40):
        reach = far_sides[count - 1]
        walk = OccupiedCells(lat, lon, max_cells=1024)
        assert walk.radius_reaching(count, within=reach + 1) == pytest.approx(reach, abs=1e-6)
        walk = OccupiedCells(lat, lon, max_cells=1024)
        assert walk.radius_reaching(count, within=reach - 1) is None
    # Null island is 10,000 km from these cities: the walk reads the cells around the point
    # (one statement) and opens nothing.
    statements = count_statements(lambda: OccupiedCells(0.0, 0.0, max_cells=1024)
                                  .radius_reaching(5, within=1_000_000.0))
    assert statements == 1


def test_the_walk_refuses_questions_bigger_than_one_query(cell_table, scattered_stations):
    walk = OccupiedCells(39.9, 116.4, max_cells=20)
    with pytest.raises(TooManyCells):
        walk.radius_reaching(21)
    with pytest.raises(TooManyCells):
        OccupiedCells(39.9, 116.4, max_cells=20).finest_cells_within(20_000_000.0)


@pytest.mark.parametrize("within_km", [math.inf, 1000.0])
def test_nearest_from_far_away_with_a_rare_amenity_matches_brute_force(scattered_stations,
                                                                       within_km):
    for lat, lon in [(45.0, 90.0), (20.0, 120.0), (35.0, 107.0), (-10.0, -60.0)]:
        found = nearest_stations(lat, lon, limit=5, amenities=["shower"],
                                 max_distance_km=within_km)
        expected = brute_force(scattered_stations, lat, lon, 5,
                               accept=lambda s: "shower" in s.amenities,
                               within_m=within_km * 1000)
        assert_same_ranking(found, expected)


def test_nearest_falls_back_to_coarser_cells_when_the_walk_gives_up(scattered_stations,
                                                                      monkeypatch):
    monkeypatch.setattr(queries, "MAX_CELLS", 8)
    for lat, lon in [(39.9, 116.4), (35.0, 107.0), (-10.0, -60.0)]:
        found = nearest_stations(lat, lon, limit=7, amenities=["shower"],
                                 max_distance_km=math.inf)
        expected = brute_force(scattered_stations, lat, lon, 7,
                               accept=lambda s: "shower" in s.amenities)
        assert_same_ranking(found, expected)


def test_stations_that_moved_or_left_do_not_confuse_the_search(scattered_stations):
    beijing = [s for s in scattered_stations if abs(s.lat - 39.9) < 1 and abs(s.lon - 116.4) < 1]
    for station in beijing[:100]:  # they leave their cells listed behind them
        station.lat, station.lon = station.lat - 9.3, station.lon - 12.3
    for station in beijing[100:150]:
        db.session.delete(station)
    for station in beijing[150:170]:
        station.status = "delisted"
    db.session.commit()
    remaining = db.session.scalars(db.select(Station).where(Station.status != "delisted")).all()
    for lat, lon in [(39.9, 116.4), (40.5, 117.0), (30.6, 104.1)]:
        assert_same_ranking(nearest_stations(lat, lon, limit=10, max_distance_km=math.inf),
                            brute_force(remaining, lat, lon, 10))
