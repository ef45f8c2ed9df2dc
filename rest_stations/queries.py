"""Finding stations: the k nearest to a point, and those inside a map box.

The nearest search grows a circle around the point. Each round asks the database for the
stations inside the circle, through grid-cell indexes, nearest first by spherical distance
(plain arithmetic on stored unit vectors, so SQLite and PostgreSQL both compute it), and
ranks them in Python by exact geodesic distance. The two distances differ by under 0.6 %,
which bounds how far the search must look. docs/architecture.md explains the design and
docs/performance.md measures it.
"""
import functools
import heapq
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, bindparam, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from extensions import db
from rest_stations.geo import (
    CELL_LEVELS,
    HALF_EQUATOR_M,
    LAMBERT_RELATIVE_ERROR,
    LAMBERT_TRUSTED_BELOW_M,
    SPHERE_LOWER_BOUND,
    Box,
    cells_covering,
    chord_squared,
    geodesic_m,
    lambert_m,
    position_columns,
    spherical_from_chord_squared,
)
from rest_stations.hours import HoursStatus, hours_status
from rest_stations.models import Station
from rest_stations.vocabulary import amenity_mask

FIRST_RADIUS_M = 2_000.0
# Rows one round asks for; more are fetched only when these cannot settle the answer.
FIRST_FETCH = 64
# A cover of more cells than this moves to the next coarser grid level.
MAX_CELLS = 1024
# While the circle is still growing, a cover holding more rows than this is narrowed.
MAX_SCAN = 3_000
MIN_STEP_M = 1_000.0


@dataclass(frozen=True)
class NearbyStation:
    station: Station
    distance_m: float
    hours: HoursStatus


def station_hours(station: Station, now: datetime | None = None) -> HoursStatus:
    """Open, closed or unknown now; a temporarily closed station is closed whatever its hours."""
    if station.status == "temporarily_closed":
        return HoursStatus(open=False)
    return hours_status(station.opening_hours, station.timezone, now)


def nearest_stations(
    lat: float,
    lon: float,
    *,
    limit: int = 5,
    amenities: Sequence[str] = (),
    open_now: bool = False,
    kind: str | None = None,
    now: datetime | None = None,
) -> list[NearbyStation]:
    """The `limit` stations nearest to (lat, lon) by geodesic distance, nearest first.

    Every listed amenity must be present; open_now keeps only stations known to be open.
    """
    if limit <= 0:
        return []
    mask = amenity_mask(amenities)
    open_cache: dict[tuple[str, str], bool] = {}

    def passes_open_filter(hours_text: str, tz_name: str, status: str) -> bool:
        if status != "active":
            return False
        key = (hours_text, tz_name)
        if key not in open_cache:
            open_cache[key] = hours_status(hours_text, tz_name, now).open is True
        return open_cache[key]

    fetch = max(FIRST_FETCH, limit * 4)
    radius = FIRST_RADIUS_M  # spherical radius of the circle the database is asked for
    too_few = 0.0  # a radius known to hold fewer than `limit` matches
    crowded: float | None = None  # a radius whose cells hold more rows than worth scanning
    while True:
        cells = _cell_condition(lat, lon, radius)
        growing = radius < HALF_EQUATOR_M and (crowded is None or radius < crowded)
        if growing and cells is not None and cells.level != "fine" \
                and radius - too_few > _step(radius) and _count(cells) > MAX_SCAN:
            # Far from any station the circle grows fast; when it swallows whole cities,
            # step back towards the last radius that was too small rather than scan them.
            crowded = radius
            radius = (too_few + radius) / 2
            continue
        rows = _rows_within(lat, lon, radius, cells, mask, kind, open_now, fetch)
        truncated = len(rows) > fetch
        if truncated:
            rows = rows[:fetch]
            # Unfetched stations are at least as far, on the sphere, as the last one fetched.
            searched = spherical_from_chord_squared(rows[-1].chord2)
        else:
            searched = radius
        best = _rank(lat, lon, rows, limit, passes_open_filter if open_now else None)
        # Anything not yet fetched is at least this far away on the ellipsoid.
        certain = searched * SPHERE_LOWER_BOUND
        if len(best) == limit and best[-1][0] <= certain:
            return _load(best, now)
        if truncated:
            fetch *= 4  # the nearest fetched rows could not settle it: take more
        elif radius >= HALF_EQUATOR_M:
            return _load(best, now)  # the whole globe has been searched
        elif len(best) == limit:
            # A circle reaching the furthest of these on the ellipsoid is the last round.
            radius = best[-1][0] / SPHERE_LOWER_BOUND * 1.000001
        else:
            too_few = radius
            if crowded is not None and crowded - radius > _step(radius):
                radius = (radius + crowded) / 2
            elif crowded is not None:
                radius, crowded = crowded, None  # close enough: scan the crowded cells
            else:
                radius *= 4 if radius < 100_000 else 2


def _step(radius: float) -> float:
    """The finest step worth taking when narrowing the circle around this radius."""
    return max(MIN_STEP_M, radius / 8)


class _InCells(ColumnElement):
    """`cell IN (the cells of the cover)`, with the whole list as one parameter.

    PostgreSQL takes an array (`= ANY`); SQLite takes JSON, read back with json_each. On
    SQLite the condition also carries a likelihood() hint: its statistics describe the
    average cell, and cities make cells anything but average, so without the hint the
    planner may scan the table instead of the index.
    """

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]
    _is_implicitly_boolean = True  # render as a condition, not "(...) = 1"

    def __init__(self, column):
        self.column = column


@compiles(_InCells)
def _compile_in_cells(element, compiler, **kw):
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY({compiler.process(bindparam('cells'), **kw)})"


@compiles(_InCells, "sqlite")
def _compile_in_cells_sqlite(element, compiler, **kw):
    column = compiler.process(element.column, **kw)
    cells = compiler.process(bindparam("cells"), **kw)
    return f"likelihood({column} IN (SELECT value FROM json_each({cells})), 0.001)"


def _cells_parameter(ids: list[int]):
    if db.session.get_bind().dialect.name == "sqlite":
        return json.dumps(ids)
    return ids


@dataclass(frozen=True)
class _Cells:
    level: str
    ids: list[int]


def _cell_condition(lat: float, lon: float, radius: float) -> _Cells | None:
    """The cells, at the finest grid level that needs few of them, that cover the circle."""
    for level, cells_per_degree in CELL_LEVELS.items():
        ids = cells_covering(lat, lon, radius, cells_per_degree, max_cells=MAX_CELLS)
        if ids is not None:
            return _Cells(level, ids)
    return None  # most of the globe: scan it all


def _in_cells(level: str):
    return _InCells(getattr(Station, f"cell_{level}"))


@functools.cache
def _count_statement(level: str):
    return select(func.count()).select_from(Station).where(_in_cells(level))


def _count(cells: _Cells) -> int:
    return db.session.connection().execute(
        _count_statement(cells.level), {"cells": _cells_parameter(cells.ids)}).scalar_one()


@functools.cache
def _rows_statement(level: str | None, with_mask: bool, with_kind: bool, open_now: bool):
    """The candidate query, built once per shape; only its parameters change per call."""
    chord2 = ((Station.x - bindparam("x")) * (Station.x - bindparam("x"))
              + (Station.y - bindparam("y")) * (Station.y - bindparam("y"))
              + (Station.z - bindparam("z")) * (Station.z - bindparam("z"))).label("chord2")
    # The status is read, not filtered on: a WHERE on it would fetch the table row of every
    # candidate, where the distance filter otherwise runs on index entries alone. _rank
    # skips delisted stations instead.
    columns = [Station.id, Station.lat, Station.lon, chord2, Station.status]
    if open_now:
        columns += [Station.opening_hours, Station.timezone]
    query = select(*columns).where(chord2 <= bindparam("max_chord2"))
    if level is not None:
        query = query.where(_in_cells(level))
    if with_mask:
        query = query.where(Station.amenity_mask.op("&")(bindparam("mask")) == bindparam("mask"))
    if with_kind:
        query = query.where(Station.kind == bindparam("kind"))
    return query.order_by(chord2).limit(bindparam("fetch"))


def _rows_within(lat, lon, radius, cells, mask, kind, open_now, fetch):
    """Up to fetch + 1 matching rows within a spherical radius, nearest first."""
    statement = _rows_statement(cells.level if cells else None, bool(mask), bool(kind), open_now)
    target = position_columns(lat, lon)
    parameters = {
        "x": target["x"], "y": target["y"], "z": target["z"],
        "max_chord2": chord_squared(radius) * (1 + 1e-9) + 1e-15,
        "cells": _cells_parameter(cells.ids) if cells else None, "mask": mask, "kind": kind, "fetch": fetch + 1,
    }
    return db.session.connection().execute(statement, parameters).all()


def _rank(lat, lon, rows, limit, open_filter) -> list[tuple[float, int]]:
    """The nearest `limit` (geodesic distance, id) pairs among rows sorted by spherical distance."""
    best: list[tuple[float, int]] = []  # max-heap of (-distance, id), at most `limit` long
    for row in rows:
        if len(best) == limit and (
                spherical_from_chord_squared(row.chord2) * SPHERE_LOWER_BOUND > -best[0][0]):
            break  # this row and every later one are further than the current k-th
        if row.status == "delisted":  # kept for its history, never offered to riders
            continue
        if open_filter and not open_filter(row.opening_hours, row.timezone, row.status):
            continue
        if len(best) == limit:
            # Far away, the spherical bound is loose; Lambert's cheap distance can still
            # rule this row out before the costly geodesic.
            rough = lambert_m(lat, lon, row.lat, row.lon)
            if rough < LAMBERT_TRUSTED_BELOW_M and \
                    rough * (1 - LAMBERT_RELATIVE_ERROR) > -best[0][0]:
                continue
        distance = geodesic_m(lat, lon, row.lat, row.lon)
        if len(best) < limit:
            heapq.heappush(best, (-distance, row.id))
        elif distance < -best[0][0]:
            heapq.heapreplace(best, (-distance, row.id))
    return sorted((-negative, station_id) for negative, station_id in best)


_STATIONS_BY_ID = select(Station).where(Station.id.in_(bindparam("ids", expanding=True)))


def _load(found: list[tuple[float, int]], now: datetime | None) -> list[NearbyStation]:
    if not found:
        return []
    stations = {
        station.id: station
        for station in db.session.scalars(
            _STATIONS_BY_ID, {"ids": [station_id for _, station_id in found]})
    }
    return [
        NearbyStation(stations[station_id], distance, station_hours(stations[station_id], now))
        for distance, station_id in found
    ]


def stations_in_bbox(
    min_lon: float, min_lat: float, max_lon: float, max_lat: float, *, limit: int
) -> tuple[list[Station], bool]:
    """Stations inside a lon/lat box (west may exceed east across ±180°), and whether capped."""
    lon_ranges = ((min_lon, max_lon),) if min_lon <= max_lon else ((min_lon, 180.0), (-180.0, max_lon))
    query = (
        select(Station)
        .where(Station.lat.between(min_lat, max_lat),
               or_(*(Station.lon.between(west, east) for west, east in lon_ranges)),
               Station.status != "delisted")
        .order_by(Station.id)
        .limit(limit + 1)
    )
    stations = db.session.scalars(query).all()
    return list(stations[:limit]), len(stations) > limit
