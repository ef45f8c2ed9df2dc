"""Finding stations: the k nearest to a point, and those inside a map box.

The nearest search ranks by exact geodesic distance candidates that the database returns
nearest first by spherical distance; the two differ by under 0.6 %, which bounds how far the
search must look. PostgreSQL finds the candidates with PostGIS's KNN index scan and ranks
them on the spheroid in the same statement (postgis.py). SQLite, which has no spatial index, uses the cell engine here: the stations
inside a circle, through grid-cell indexes and stored unit vectors, and when a circle holds
too few, the occupied cells (station_cells.py) say how far the next must reach. Both stop
at NEAREST_MAX_DISTANCE_KM. docs/architecture.md explains the design and
docs/performance.md measures it.
"""
import functools
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, bindparam, or_, select

import clock
from extensions import db
from rest_stations.display import SeatsAt, seat_counters
from rest_stations.geo import (
    CELL_LEVELS,
    FINEST,
    HALF_EQUATOR_M,
    SPHERE_LOWER_BOUND,
    cells_covering,
    chord_squared,
    finest_cells_per_cell,
    geodesic_m,
    position_columns,
    spherical_from_chord_squared,
)
from rest_stations.hours import HoursStatus, hours_status
from rest_stations.loading import row_station, station_rows, station_selection
from rest_stations.models import Station
from rest_stations.postgis import nearest_by_knn
from rest_stations.sql import in_integer_list, integer_list_parameter, select_for_each
from rest_stations.station_cells import OccupiedCells, TooManyCells
from rest_stations.vocabulary import amenity_mask

FIRST_RADIUS_M = 3_000.0
# A circle with too few matches grows up to this radius; beyond it, the occupied cells say
# how far the next must reach.
WALK_BEYOND_M = 16_000.0
# Rows one round asks for, at the least; more only when these cannot settle the answer.
MIN_FETCH = 16
# A query lists at most this many cells; a wider circle moves to a coarser grid level.
MAX_CELLS = 1024


@dataclass(frozen=True)
class NearbyStation:
    station: Station  # or a row of the search's `columns` (the nearest API's)
    distance_m: float
    hours: HoursStatus
    # Seats taken at the search's moment (display.register_seats): the nearest search loads
    # them with the station, the text search counts them for the stations it keeps.
    seats_taken: int = 0


def station_hours(station: Station, now: datetime | None = None, *,
                  judge=hours_status) -> HoursStatus:
    """Open, closed or unknown now; a temporarily closed station is closed whatever its hours.

    judge(opening_hours, timezone, now) reads a timetable; a search passes a cached one.
    """
    if station.status == "temporarily_closed":
        return HoursStatus(open=False)
    return judge(station.opening_hours, station.timezone, now)


class NearestStations(list):
    """The stations found (NearbyStation, nearest first), and how far the search looked.

    Fewer than the limit, or none, means no more match within max_distance_m: the page and
    the API then say "no station within N km" (none_within_bound) and suggest a place search.
    """

    def __init__(self, hits: list[NearbyStation], max_distance_m: float):
        super().__init__(hits)
        self.max_distance_m = max_distance_m

    @property
    def max_distance_km(self) -> float:
        return self.max_distance_m / 1000

    @property
    def none_within_bound(self) -> bool:
        """Nothing matched within the bound (an unbounded search that finds nothing is not
        "far": no station matches anywhere)."""
        return not self and math.isfinite(self.max_distance_m)


def nearest_stations(
    lat: float,
    lon: float,
    *,
    limit: int = 5,
    amenities: Sequence[str] = (),
    open_now: bool = False,
    kind: str | None = None,
    now: datetime | None = None,
    max_distance_km: float | None = None,
    columns: tuple = (),
) -> NearestStations:
    """The `limit` stations nearest to (lat, lon) by geodesic distance, nearest first, of
    those within max_distance_km (the NEAREST_MAX_DISTANCE_KM setting when None; math.inf
    searches the whole globe).

    Every listed amenity must be present; open_now keeps only stations known to be open.
    PostgreSQL answers with PostGIS (postgis.py), SQLite with the cell engine below: the
    same stations, the same distances. Each hit carries its hours and its seats taken at
    `now` (the current moment when None), loaded in the statement that loads the station.
    With `columns` (of Station, including those station_hours reads), each hit's station is
    a row of those columns rather than a Station: the nearest API needs half of them.
    """
    if max_distance_km is None:
        max_distance_km = current_app.config["NEAREST_MAX_DISTANCE_KM"]
    max_distance_m = max_distance_km * 1000
    if limit <= 0:
        return NearestStations([], max_distance_m)
    mask = amenity_mask(amenities)
    lat, lon = float(lat), float(lon)
    # One moment for the whole search, and each timetable read once: most stations share
    # a handful of timetables.
    now = now or clock.now()
    judge = functools.cache(hours_status)

    def passes_open_filter(hours_text: str, tz_name: str, status: str) -> bool:
        return status == "active" and judge(hours_text, tz_name, now).open is True

    open_filter = passes_open_filter if open_now else None
    seats = SeatsAt(seat_counters(), now)
    if db.session.get_bind().dialect.name == "postgresql":
        found = nearest_by_knn(lat, lon, limit=limit, mask=mask, kind=kind,
                               open_filter=open_filter, max_distance_m=max_distance_m,
                               seats=seats, columns=columns)
    else:
        found = _load(_nearest_by_cells(lat, lon, limit, mask, kind, open_filter,
                                        max_distance_m), seats, columns)
    return NearestStations([NearbyStation(station, distance,
                                          station_hours(station, now, judge=judge), taken)
                            for distance, station, taken in found], max_distance_m)


def _nearest_by_cells(lat, lon, limit, mask, kind, open_filter,
                      max_distance_m) -> list[tuple[float, int]]:
    """The cell engine: the nearest `limit` (geodesic distance, id) pairs within the bound."""
    fetch = max(MIN_FETCH, limit * 3)
    # The spherical radius that holds every station within the bound on the ellipsoid;
    # the search stops there.
    last_radius = min(HALF_EQUATOR_M, max_distance_m / SPHERE_LOWER_BOUND)
    radius = min(FIRST_RADIUS_M, last_radius)  # of the circle the database is asked for
    where = _Where(lat, lon, last_radius)
    cells = where.cells_within(radius)
    while True:
        rows = _rows_within(lat, lon, radius, cells, mask, kind, open_filter is not None, fetch)
        truncated = len(rows) > fetch
        if truncated:
            rows = rows[:fetch]
            # Unfetched stations are at least as far, on the sphere, as the last one fetched.
            searched = spherical_from_chord_squared(rows[-1].chord2)
        else:
            searched = radius
        best = _rank(rows, lat, lon, limit, open_filter, max_distance_m)
        # Anything not yet fetched is at least this far away on the ellipsoid.
        beyond = searched * SPHERE_LOWER_BOUND
        if beyond > max_distance_m or (len(best) == limit and best[-1][0] <= beyond):
            return best
        if truncated:
            fetch *= 4  # the nearest fetched rows could not settle it: take more
            continue
        if radius >= last_radius:
            return best  # everything within the bound has been searched
        if len(best) == limit:
            # A circle reaching the furthest of these on the ellipsoid is the last round.
            radius = best[-1][0] / SPHERE_LOWER_BOUND * 1.000001
        else:
            radius = where.wider_radius(radius, limit, len(best))
        radius = min(radius, last_radius)
        cells = where.cells_within(radius)


@dataclass(frozen=True)
class _Cells:
    level: str
    ids: list[int]


class _Where:
    """Where the next circle around a point should reach, and which cells hold it.

    The first circle is covered by its grid cells. Once a circle holds too few matches, the
    walk over occupied cells (station_cells.py) says how far the next must reach and lists
    exactly the occupied cells inside it. A question too big for one query (a filter that
    almost nothing passes) falls back to growing the circle and covering it with coarser cells.
    """

    def __init__(self, lat: float, lon: float, last_radius: float):
        self.lat, self.lon = lat, lon
        self.last_radius = last_radius  # no circle need reach further
        self._walk: OccupiedCells | None = None
        self._walk_gave_up = False

    def wider_radius(self, radius: float, limit: int, found: int) -> float:
        """A radius beyond `radius`, whose circle held `found` of the `limit` matches wanted."""
        # Grow by what the matches so far say of their density: at most fourfold (when
        # none matched), at least by a quarter.
        growth = min(4.0, max(1.25, math.sqrt(4 * limit / max(found, 0.5))))
        if radius < WALK_BEYOND_M:
            # Up to here a wider circle of finest cells costs less than the walk.
            return min(radius * growth, WALK_BEYOND_M)
        if not self._walk_gave_up:
            try:
                if self._walk is None:
                    self._walk = OccupiedCells(self.lat, self.lon, max_cells=MAX_CELLS)
                # More occupied cells than the circle held, in proportion to its area.
                held = len(self._walk.finest_cells_within(radius))
                reach = self._walk.radius_reaching(max(limit, math.ceil(held * growth * growth)),
                                                   within=self.last_radius)
                return self.last_radius if reach is None else reach  # None: fewer within it
            except TooManyCells:
                self._walk_gave_up = True
        return radius * growth

    def cells_within(self, radius: float) -> _Cells | None:
        """Cells that hold every station within the radius; None for all of them."""
        if self._walk is not None and not self._walk_gave_up:
            try:
                return _Cells(FINEST, self._walk.finest_cells_within(radius))
            except TooManyCells:
                self._walk_gave_up = True
        for level in CELL_LEVELS:  # the finest level that needs few cells
            ids = cells_covering(self.lat, self.lon, radius, level, max_cells=MAX_CELLS)
            if ids is not None:
                return _Cells(level, ids)
        return None  # most of the globe: scan it all


@functools.cache
def _rows_statement(dialect: str, level: str | None, with_mask: bool, with_kind: bool,
                    open_now: bool):
    """The candidate query, built once per shape; only its parameters change per call."""
    chord2 = ((Station.x - bindparam("x")) * (Station.x - bindparam("x"))
              + (Station.y - bindparam("y")) * (Station.y - bindparam("y"))
              + (Station.z - bindparam("z")) * (Station.z - bindparam("z"))).label("chord2")
    columns = [Station.id, Station.lat, Station.lon, chord2, Station.status]
    if open_now:
        columns += [Station.opening_hours, Station.timezone]
    # Delisted stations keep their history and their cells, but are never offered.
    conditions = [chord2 <= bindparam("max_chord2"), Station.status != "delisted"]
    if with_mask:
        conditions.append(Station.amenity_mask.op("&")(bindparam("mask")) == bindparam("mask"))
    if with_kind:
        conditions.append(Station.kind == bindparam("kind"))
    if level is None:
        return select(*columns).where(*conditions).order_by(chord2).limit(bindparam("fetch"))
    # The finest cells inside each listed cell are one range of ids: one index seek each.
    # (For the finest cells themselves, equality tells the planner how few rows to expect.)
    span = finest_cells_per_cell(level)

    def in_cell(cell):
        if span == 1:
            return Station.cell == cell
        return Station.cell.between(cell * span, cell * span + (span - 1))

    statement = select_for_each(dialect, "cells", columns,
                                lambda cell: and_(in_cell(cell), *conditions))
    return statement.order_by(statement.selected_columns.chord2).limit(bindparam("fetch"))


def _rows_within(lat, lon, radius, cells, mask, kind, open_now, fetch):
    """Up to fetch + 1 matching rows within a spherical radius, nearest first."""
    dialect = db.session.get_bind().dialect.name
    statement = _rows_statement(dialect, cells.level if cells else None, bool(mask), bool(kind),
                                open_now)
    target = position_columns(lat, lon)
    parameters = {
        "x": target["x"], "y": target["y"], "z": target["z"],
        "max_chord2": chord_squared(radius) * (1 + 1e-9) + 1e-15,
        "cells": integer_list_parameter(cells.ids, dialect) if cells else None,
        "mask": mask, "kind": kind, "fetch": fetch + 1,
    }
    return db.session.connection().execute(statement, parameters).all()


def _rank(rows, lat, lon, limit, open_filter, max_distance_m) -> list[tuple[float, int]]:
    """The nearest `limit` (geodesic distance, id) pairs within max_distance_m, among rows
    sorted by spherical distance."""
    best: list[tuple[float, int]] = []  # max-heap of (-distance, id), at most `limit` long
    for row in rows:
        if len(best) == limit and (
                spherical_from_chord_squared(row.chord2) * SPHERE_LOWER_BOUND > -best[0][0]):
            break  # this row and every later one are further than the current k-th
        if open_filter and not open_filter(row.opening_hours, row.timezone, row.status):
            continue
        distance = geodesic_m(lat, lon, row.lat, row.lon)
        if distance > max_distance_m:
            continue
        if len(best) < limit:
            heapq.heappush(best, (-distance, row.id))
        elif distance < -best[0][0]:
            heapq.heapreplace(best, (-distance, row.id))
    return sorted((-negative, station_id) for negative, station_id in best)


@functools.cache
def _stations_statement(dialect: str, counters: tuple, columns: tuple = ()):
    return (select(*station_selection(columns), SeatsAt.column(counters))
            .where(in_integer_list(Station.id, "ids", dialect)))


def _load(found: list[tuple[float, int]], seats: SeatsAt,
          columns: tuple = ()) -> list[tuple[float, Station, int]]:
    """The stations of (distance, id) pairs, in their order, with their seats taken (rows
    of `columns` rather than Stations when given)."""
    if not found:
        return []
    dialect = db.session.get_bind().dialect.name
    ids = [station_id for _, station_id in found]
    station_of = row_station(columns)
    rows = station_rows(_stations_statement(dialect, seats.counters, columns),
                        {"ids": integer_list_parameter(ids, dialect), **seats.parameters}, columns)
    by_id = {station_of(row).id: (station_of(row), row.seats_taken) for row in rows}
    return [(distance, *by_id[station_id]) for distance, station_id in found]


@dataclass(frozen=True)
class StationInBox:
    station: Station  # or a row of the search's `columns` (the box API's)
    hours: HoursStatus
    seats_taken: int


def stations_in_bbox(
    min_lon: float, min_lat: float, max_lon: float, max_lat: float, *, limit: int,
    columns: tuple = (), now: datetime | None = None,
) -> tuple[list[StationInBox], bool]:
    """Stations inside a lon/lat box (west may exceed east across ±180°), with their hours
    and seats taken at `now` (the current moment when None), and whether capped.

    One statement loads the stations and their seats; with `columns` (of Station, including
    those station_hours reads) each is a row of those columns rather than a Station: a map
    box holds up to 500, and loading them whole through the ORM, then their seats by id, was
    most of the box API's time."""
    now = now or clock.now()
    seats = SeatsAt(seat_counters(), now)
    statement = bbox_statement(min_lon, min_lat, max_lon, max_lat, limit=limit,
                               columns=columns, counters=seats.counters)
    rows = station_rows(statement, seats.parameters, columns)
    station_of = row_station(columns)
    # Most stations share a handful of timetables: each is read once.
    judge = functools.cache(hours_status)
    return [StationInBox(station_of(row), station_hours(station_of(row), now, judge=judge),
                         row.seats_taken) for row in rows[:limit]], len(rows) > limit


def bbox_statement(min_lon: float, min_lat: float, max_lon: float, max_lat: float, *,
                   limit: int, columns: tuple = (), counters: tuple = ()):
    """stations_in_bbox's query: a range of ix_station_lat_lon (migration 0019), filtered by
    longitude, one more row than the limit to tell whether it capped; each station (or its
    `columns`) with its seats taken at the bind parameter `seats_at`."""
    lon_ranges = ((min_lon, max_lon),) if min_lon <= max_lon else ((min_lon, 180.0), (-180.0, max_lon))
    return (
        select(*station_selection(columns), SeatsAt.column(counters))
        .where(Station.lat.between(min_lat, max_lat),
               or_(*(Station.lon.between(west, east) for west, east in lon_ranges)),
               Station.status != "delisted")
        .order_by(Station.id)
        .limit(limit + 1)
    )
