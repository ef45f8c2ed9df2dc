"""What pages read: 附近的活 (posts near a worker), a worker's applications, the staff queues
and per-employer figures. Nothing here writes."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

import clock
from extensions import db
from jobs import rules
from jobs.models import Application, Employer, JobPost, WageCase
from rest_stations.geo import geodesic_m

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


def _box(lat: float, lon: float, radius_m: float):
    """A latitude/longitude box that holds the circle (a cheap prefilter)."""
    import math

    dlat = radius_m / 111_000
    dlon = radius_m / (111_000 * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def nearby_posts(*, now: datetime, near: tuple[float, float] | None = None,
                 category: str = "", daily_only: bool = False, day: str = "",
                 pay_at_least: int | None = None, within_km: int | None = None,
                 kind: str = "", limit: int = LIST_SIZE) -> list[NearbyPost]:
    """Open posts, nearest first when `near` is given (else soonest first), filtered."""
    from rest_stations.models import Station

    query = (select(JobPost).outerjoin(Station, JobPost.station_id == Station.id)
             .options(selectinload(JobPost.employer), selectinload(JobPost.station))
             .where(JobPost.state == "published", JobPost.expires_at > now,
                    or_(JobPost.kind == "job", JobPost.starts_at > now)))
    if category:
        query = query.where(JobPost.category == category)
    if kind:
        query = query.where(JobPost.kind == kind)
    if daily_only:
        query = query.where(JobPost.kind == "gig", JobPost.paid_daily.is_(True))
    if day in DAYS:
        local_day = clock.today(at=now) + timedelta(days=DAYS.index(day))
        start = datetime.combine(local_day, datetime.min.time(), clock.DEFAULT_ZONE)
        query = query.where(JobPost.kind == "gig", JobPost.starts_at >= start,
                            JobPost.starts_at < start + timedelta(days=1))
    if pay_at_least:
        query = query.where(JobPost.pay_max >= pay_at_least)
    lat_column = func.coalesce(Station.lat, JobPost.lat)
    lon_column = func.coalesce(Station.lon, JobPost.lon)
    if near is not None and within_km:
        south, north, west, east = _box(near[0], near[1], within_km * 1000)
        query = query.where(lat_column.between(south, north), lon_column.between(west, east))
    posts = db.session.scalars(query.order_by(JobPost.starts_at, JobPost.id)
                               .limit(limit * 10 if near else limit)).all()
    found = []
    for post in posts:
        distance = geodesic_m(near[0], near[1], *post.position) \
            if near is not None and post.position else None
        if within_km and distance is not None and distance > within_km * 1000:
            continue
        found.append(NearbyPost(post, distance))
    if near is not None:
        found.sort(key=lambda item: (item.distance_m is None, item.distance_m or 0))
    return found[:limit]


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
