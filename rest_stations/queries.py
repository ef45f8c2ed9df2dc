"""Finding stations: the k nearest to a point, and those inside a map box.

The nearest search grows a circle around the point. Each round asks the database for the
stations inside the circle, through grid-cell indexes, nearest first by spherical distance
(plain arithmetic on stored unit vectors, so SQLite and PostgreSQL both compute it), and
ranks them in Python by exact geodesic distance. The two distances differ by under 0.6 %,
which bounds how far the search must look. docs/architecture.md explains the design and
docs/performance.md measures it.
"""
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, literal, or_, select

from extensions import db
from rest_stations.geo import (
    CELL_LEVELS,
    HALF_EQUATOR_M,
    SPHERE_LOWER_BOUND,
    Box,
    cells_covering,
    chord_squared,
    geodesic_m,
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
MAX_CELLS = 256


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
    while True:
        rows = _rows_within(lat, lon, radius, mask, kind, open_now, fetch)
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
        elif radius >= 2 * HALF_EQUATOR_M:
            return _load(best, now)  # the whole globe has been searched
        elif len(best) == limit:
            # A circle reaching the furthest of these on the ellipsoid is the last round.
            radius = best[-1][0] / SPHERE_LOWER_BOUND * 1.000001
        else:
            radius *= 4


def _rows_within(lat, lon, radius, mask, kind, open_now, fetch):
    """Up to fetch + 1 matching rows within a spherical radius, nearest first."""
    target = position_columns(lat, lon)
    chord2 = ((Station.x - target["x"]) * (Station.x - target["x"])
              + (Station.y - target["y"]) * (Station.y - target["y"])
              + (Station.z - target["z"]) * (Station.z - target["z"])).label("chord2")
    columns = [Station.id, Station.lat, Station.lon, chord2]
    if open_now:
        columns += [Station.opening_hours, Station.timezone, Station.status]
    query = select(*columns).where(chord2 <= chord_squared(radius) * (1 + 1e-9) + 1e-15)
    cells = _cell_condition(lat, lon, radius)
    if cells is not None:
        query = query.where(cells)
    if mask:
        query = query.where(Station.amenity_mask.op("&")(mask) == mask)
    if kind:
        query = query.where(Station.kind == kind)
    return db.session.execute(query.order_by(chord2).limit(fetch + 1)).all()


def _cell_condition(lat: float, lon: float, radius: float):
    """`cell_<level> IN (...)` at the finest grid level that covers the circle in few cells."""
    for level, cells_per_degree in CELL_LEVELS.items():
        cells = cells_covering(lat, lon, radius, cells_per_degree, max_cells=MAX_CELLS)
        if cells is not None:
            return getattr(Station, f"cell_{level}").in_(cells)
    return None  # most of the globe: scan it all


def _rank(lat, lon, rows, limit, open_filter) -> list[tuple[float, int]]:
    """The nearest `limit` (geodesic distance, id) pairs among rows sorted by spherical distance."""
    best: list[tuple[float, int]] = []  # max-heap of (-distance, id), at most `limit` long
    for row in rows:
        if len(best) == limit and (
                spherical_from_chord_squared(row.chord2) * SPHERE_LOWER_BOUND > -best[0][0]):
            break  # this row and every later one are further than the current k-th
        if open_filter and not open_filter(row.opening_hours, row.timezone, row.status):
            continue
        distance = geodesic_m(lat, lon, row.lat, row.lon)
        if len(best) < limit:
            heapq.heappush(best, (-distance, row.id))
        elif distance < -best[0][0]:
            heapq.heapreplace(best, (-distance, row.id))
    return sorted((-negative, station_id) for negative, station_id in best)


def _load(found: list[tuple[float, int]], now: datetime | None) -> list[NearbyStation]:
    if not found:
        return []
    stations = {
        station.id: station
        for station in db.session.scalars(
            select(Station).where(Station.id.in_([station_id for _, station_id in found]))
        )
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
               or_(*(Station.lon.between(west, east) for west, east in lon_ranges)))
        .order_by(Station.id)
        .limit(limit + 1)
    )
    stations = db.session.scalars(query).all()
    return list(stations[:limit]), len(stations) > limit
