"""What pages read: 附近的活 (posts near a worker), a worker's applications, the staff queues
and per-employer figures. Nothing here writes."""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

import clock
from extensions import db
from jobs import postgis, rules
from jobs.models import Application, Employer, JobPost, WageCase
from rest_stations.geo import geodesic_many_m

DAYS = ("today", "tomorrow")
DISTANCES_KM = (1, 3, 5, 10, 20)
LIST_SIZE = 50


@dataclass(frozen=True)
class NearbyPost:
    post: JobPost
    distance_m: float | None

    @property
    def riding_minutes(self) -> int | None:
        return None if self.distance_m is None else rules.riding_minutes(self.distance_m)


def _rank_key(distance_m: float, starts_at: datetime | None, post_id: int) -> tuple:
    """Nearest first; at one place (posts share stations), the soonest gig, then jobs."""
    return (distance_m, starts_at is None, starts_at.timestamp() if starts_at else 0.0, post_id)


def _open_post_conditions(now: datetime, category: str, daily_only: bool, day: str,
                          pay_at_least: int | None, kind: str) -> list:
    """What 附近的活 shows: published, not expired, a gig not yet started; and the filters."""
    conditions = [JobPost.state == "published", JobPost.expires_at > now,
                  or_(JobPost.kind == "job", JobPost.starts_at > now)]
    if category:
        conditions.append(JobPost.category == category)
    if kind:
        conditions.append(JobPost.kind == kind)
    if daily_only:
        conditions += [JobPost.kind == "gig", JobPost.paid_daily.is_(True)]
    if day in DAYS:
        local_day = clock.today(at=now) + timedelta(days=DAYS.index(day))
        start = datetime.combine(local_day, datetime.min.time(), clock.DEFAULT_ZONE)
        conditions += [JobPost.kind == "gig", JobPost.starts_at >= start,
                       JobPost.starts_at < start + timedelta(days=1)]
    if pay_at_least:
        conditions.append(JobPost.pay_max >= pay_at_least)
    return conditions


def _box(lat: float, lon: float, radius_m: float) -> list:
    """Conditions on a post's place that hold for every point within radius_m (a cheap
    prefilter): a latitude band, and a longitude band unless the circle reaches a pole or
    the antimeridian."""
    from rest_stations.models import Station

    lat_column = func.coalesce(Station.lat, JobPost.lat)
    lon_column = func.coalesce(Station.lon, JobPost.lon)
    # A degree of latitude is at least 110.5 km on WGS-84, and of longitude at least
    # 111.3 km x cos(latitude): these bands are wide enough.
    dlat = radius_m / 110_000
    conditions = [lat_column.between(lat - dlat, lat + dlat)]
    if abs(lat) + dlat < 89:
        dlon = radius_m / (110_000 * math.cos(math.radians(abs(lat) + dlat)))
        if -180 <= lon - dlon and lon + dlon <= 180:
            conditions.append(lon_column.between(lon - dlon, lon + dlon))
    return conditions


def _nearest_by_scan(lat: float, lon: float, conditions: list, *, limit: int,
                     max_distance_m: float) -> list[tuple[float, int]]:
    """SQLite: every open post that passes the filters (and the box, when bounded), ranked
    in Python by geodesic distance: (distance, post id), the first `limit`."""
    from rest_stations.models import Station

    query = (select(JobPost.id, JobPost.starts_at, func.coalesce(Station.lat, JobPost.lat),
                    func.coalesce(Station.lon, JobPost.lon))
             .outerjoin(Station, JobPost.station_id == Station.id).where(*conditions))
    if math.isfinite(max_distance_m):
        query = query.where(*_box(lat, lon, max_distance_m))
    rows = [row for row in db.session.execute(query).all() if row[2] is not None]
    distances = geodesic_many_m(lat, lon, [row[2] for row in rows], [row[3] for row in rows])
    ranked = sorted((_rank_key(distance, row[1], row[0]), distance, row[0])
                    for distance, row in zip(distances, rows) if distance <= max_distance_m)
    return [(distance, post_id) for _key, distance, post_id in ranked[:limit]]


def nearby_posts(*, now: datetime, near: tuple[float, float] | None = None,
                 category: str = "", daily_only: bool = False, day: str = "",
                 pay_at_least: int | None = None, within_km: int | None = None,
                 kind: str = "", limit: int = LIST_SIZE) -> list[NearbyPost]:
    """Open posts, nearest first by geodesic distance when `near` is given (else soonest
    first), filtered. PostgreSQL asks PostGIS (jobs/postgis.py), SQLite ranks in Python."""
    conditions = _open_post_conditions(now, category, daily_only, day, pay_at_least, kind)
    loading = (selectinload(JobPost.employer), selectinload(JobPost.station))
    if near is None:
        return [NearbyPost(post, None) for post in db.session.scalars(
            select(JobPost).where(*conditions).options(*loading)
            .order_by(JobPost.starts_at, JobPost.id).limit(limit))]
    max_distance_m = within_km * 1000 if within_km else math.inf
    if db.session.get_bind().dialect.name == "postgresql":
        ranked = postgis.nearest_posts(near[0], near[1], conditions, limit=limit,
                                       max_distance_m=max_distance_m, rank_key=_rank_key)
    else:
        ranked = _nearest_by_scan(near[0], near[1], conditions, limit=limit,
                                  max_distance_m=max_distance_m)
    posts = {post.id: post for post in db.session.scalars(
        select(JobPost).where(JobPost.id.in_([post_id for _d, post_id in ranked]))
        .options(*loading))}
    return [NearbyPost(posts[post_id], distance) for distance, post_id in ranked]


def applications_of(worker_id: int) -> list[Application]:
    """A worker's applications, newest first."""
    return list(db.session.scalars(
        select(Application).where(Application.worker_id == worker_id)
        .options(selectinload(Application.post).selectinload(JobPost.employer))
        .order_by(Application.applied_at.desc(), Application.id.desc())))


def application_for(worker_id: int, post_id: int) -> Application | None:
    """The worker's newest application for the post."""
    return db.session.scalars(select(Application).where(
        Application.worker_id == worker_id, Application.post_id == post_id)
        .order_by(Application.id.desc()).limit(1)).first()


def roster(post_id: int) -> list[Application]:
    return list(db.session.scalars(select(Application).where(Application.post_id == post_id)
                                   .order_by(Application.applied_at, Application.id)))


def review_queue(user) -> list[JobPost]:
    """Posts waiting for this staff member's review, oldest first."""
    return list(db.session.scalars(JobPost.managed_by(user).where(JobPost.state == "pending")
                                   .order_by(JobPost.created_at, JobPost.id)))


def employers_managed(user) -> list[Employer]:
    """Employers of the staff member's organisation, unverified first."""
    return list(db.session.scalars(Employer.managed_by(user).order_by(
        Employer.verified_at.is_not(None), Employer.name)))


def posts_managed(user, limit: int = 100) -> list[JobPost]:
    return list(db.session.scalars(JobPost.managed_by(user).order_by(JobPost.id.desc())
                                   .limit(limit)))


def wage_cases(user, state: str = "open") -> list[WageCase]:
    """Wage cases routed to the staff member's organisation."""
    query = WageCase.managed_by(user).order_by(WageCase.opened_at.desc(), WageCase.id.desc())
    if state:
        query = query.where(WageCase.state == state)
    return list(db.session.scalars(query))


def legal_events(user, now: datetime) -> list:
    """The organisation's coming legal-aid sessions (services events), where cases go."""
    from services.models import ServiceEvent

    return list(db.session.scalars(ServiceEvent.managed_by(user).where(
        ServiceEvent.category == "legal", ServiceEvent.status == "scheduled",
        ServiceEvent.starts_at > now).order_by(ServiceEvent.starts_at).limit(5)))


def stations_managed(user, limit: int = 30) -> list:
    """The staff member's active stations (for their printable job boards)."""
    from rest_stations.models import Station

    return list(db.session.scalars(Station.managed_by(user).where(Station.status == "active")
                                   .order_by(Station.name).limit(limit)))
