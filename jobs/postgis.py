"""附近的活 on PostgreSQL: PostGIS's KNN index scan over job posts, re-ranked by exact geodesic.

Migration 0017 gives every post `geog geography(Point, 4326)`, its place (its station's
position, or its own lat/lon), kept in step by triggers, with a GiST index. `geog <-> point`
orders by distance on PostGIS's mean-radius sphere and the index returns rows in that order,
applying the SQL filters (open, category, day, pay) as it goes, so LIMIT n is n matching
posts. Python ranks them by geodesic distance and asks for more until the sphere bound
proves that no post not fetched can come before the last one kept, ties included: the
station finder's proof (rest_stations/postgis.py). Many posts share a station, so exact
ties are common; they are ranked by (distance, start time, id), as on SQLite.
"""
import math

from sqlalchemy import Float, bindparam, cast, false, func, literal_column, select

from extensions import db
from jobs.models import JobPost
from rest_stations.geo import SPHERE_LOWER_BOUND, geodesic_many_m, sphere_lower_bound
from rest_stations.postgis import Geography

# Candidates one round asks for, at the least; more only when these cannot settle it.
MIN_FETCH = 16

_GEOG = literal_column("job_post.geog", Geography)
_POINT = cast(func.ST_MakePoint(bindparam("lon"), bindparam("lat")), Geography)
_SPHERE_M = _GEOG.op("<->", return_type=Float)(_POINT)  # metres on PostGIS's mean sphere
_LAT = func.ST_Y(literal_column("job_post.geog::geometry"), type_=Float)
_LON = func.ST_X(literal_column("job_post.geog::geometry"), type_=Float)


def nearest_posts(lat: float, lon: float, conditions: list, *, limit: int,
                  max_distance_m: float, rank_key) -> list[tuple[float, int]]:
    """The first `limit` (geodesic distance, post id) pairs by `rank_key`, of the posts that
    meet `conditions` (SQL on job_post) within max_distance_m."""
    if math.isfinite(max_distance_m):
        # On the sphere (false: not the spheroid), as the KNN order is.
        conditions = [*conditions, func.ST_DWithin(_GEOG, _POINT, bindparam("within"), false())]
    statement = (select(JobPost.id, JobPost.starts_at, _LAT.label("lat"), _LON.label("lon"),
                        _SPHERE_M.label("sphere_m"))
                 .where(*conditions).order_by(_SPHERE_M).limit(bindparam("fetch")))
    parameters = {"lat": lat, "lon": lon, "within": max_distance_m / SPHERE_LOWER_BOUND}
    fetch = max(MIN_FETCH, limit * 3)
    while True:
        rows = db.session.execute(statement, {**parameters, "fetch": fetch}).all()
        distances = geodesic_many_m(lat, lon, [row.lat for row in rows], [row.lon for row in rows])
        best = sorted((rank_key(distance, row.starts_at, row.id), distance, row.id)
                      for distance, row in zip(distances, rows) if distance <= max_distance_m)
        best = [(distance, post_id) for _key, distance, post_id in best[:limit]]
        if len(rows) < fetch:
            break  # every post the bound and the SQL filters allow is in hand
        last = rows[-1].sphere_m  # no post not fetched is nearer on the sphere
        # Strictly beyond the last kept: a post not fetched cannot even tie with it.
        if len(best) == limit and last * sphere_lower_bound(lat, best[-1][0]) > best[-1][0]:
            break
        if last * SPHERE_LOWER_BOUND > max_distance_m:
            break  # whatever was not fetched lies beyond the bound
        fetch *= 4
    return best
