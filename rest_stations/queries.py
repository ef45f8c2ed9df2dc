"""Finding stations: the k nearest to a point, and those inside a map box.

The nearest search grows a circle around the point. Each round asks the database, through
the (lat_row, lon) index, for the stations in a box that holds the circle, then ranks them
by exact geodesic distance. Stations inside the circle are certain to be the nearest, so a
round that finds `limit` of them is final; otherwise the radius doubles. docs/architecture.md
explains the design and docs/performance.md measures it.
"""
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from extensions import db
from rest_stations.geo import (
    HALF_EQUATOR_M,
    SPHERE_LOWER_BOUND,
    Box,
    box_around,
    geodesic_m,
    spherical_m,
)
from rest_stations.hours import HoursStatus, hours_status
from rest_stations.models import Station, lat_row_of
from rest_stations.vocabulary import amenity_mask

FIRST_RADIUS_M = 2_000.0
# Beyond this many latitude bands an IN list stops paying off; a range scan is used instead.
MAX_LISTED_ROWS = 64


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

    radius = FIRST_RADIUS_M
    while True:
        found = _nearest_within(lat, lon, radius, limit, mask, kind,
                                passes_open_filter if open_now else None)
        if len(found) >= limit or radius >= HALF_EQUATOR_M:
            break
        radius *= 2
    return _load(found, now)


def _nearest_within(lat, lon, radius, limit, mask, kind, open_filter):
    """Up to `limit` (distance, id) pairs for stations within geodesic `radius`, nearest first."""
    columns = [Station.id, Station.lat, Station.lon]
    if open_filter:
        columns += [Station.opening_hours, Station.timezone, Station.status]
    query = select(*columns).where(_in_box(box_around(lat, lon, radius)))
    if mask:
        query = query.where(Station.amenity_mask.op("&")(mask) == mask)
    if kind:
        query = query.where(Station.kind == kind)
    rows = db.session.execute(query).all()

    candidates = sorted(
        (spherical_m(lat, lon, row[1], row[2]), row) for row in rows
    )
    best: list[tuple[float, int]] = []  # max-heap of (-distance, id), at most `limit` long
    for rough, row in candidates:
        floor = rough * SPHERE_LOWER_BOUND
        if floor > radius or (len(best) == limit and floor > -best[0][0]):
            break
        if open_filter and not open_filter(row[3], row[4], row[5]):
            continue
        distance = geodesic_m(lat, lon, row[1], row[2])
        if distance > radius:
            continue
        if len(best) < limit:
            heapq.heappush(best, (-distance, row[0]))
        elif distance < -best[0][0]:
            heapq.heapreplace(best, (-distance, row[0]))
    return sorted((-negative, station_id) for negative, station_id in best)


def _in_box(box: Box):
    first_row, last_row = lat_row_of(box.min_lat), lat_row_of(box.max_lat)
    if last_row - first_row < MAX_LISTED_ROWS:
        rows = Station.lat_row.in_(range(first_row, last_row + 1))
    else:
        rows = Station.lat_row.between(first_row, last_row)
    conditions = [rows, Station.lat.between(box.min_lat, box.max_lat)]
    if not box.covers_all_longitudes:
        conditions.append(
            or_(*(Station.lon.between(west, east) for west, east in box.lon_ranges))
        )
    return and_(*conditions)


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
    box = Box(min_lat, max_lat, lon_ranges)
    stations = db.session.scalars(
        select(Station).where(_in_box(box)).order_by(Station.id).limit(limit + 1)
    ).all()
    return list(stations[:limit]), len(stations) > limit


