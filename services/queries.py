"""Reading events and registrations: the catalogue, my registrations, rosters, satisfaction."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

import clock
from extensions import db
from rest_stations.geo import geodesic_m
from services.models import Registration, ServiceEvent

NEAR_KM = 10


@dataclass
class Listed:
    event: ServiceEvent
    distance_m: float | None = None


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants where a Beijing calendar day starts and ends."""
    start = datetime.combine(day, time(0), clock.DEFAULT_ZONE)
    return start, start + timedelta(days=1)


def catalogue(*, now: datetime, category: str = "", day: date | None = None,
              near: tuple[float, float] | None = None, limit: int = 100) -> list[Listed]:
    """Upcoming scheduled events, soonest first (nearest first with `near`, within NEAR_KM)."""
    query = select(ServiceEvent).options(joinedload(ServiceEvent.station)).where(
        ServiceEvent.status == "scheduled", ServiceEvent.ends_at > now)
    if category:
        query = query.where(ServiceEvent.category == category)
    if day is not None:
        start, end = local_day_bounds(day)
        query = query.where(ServiceEvent.starts_at >= start, ServiceEvent.starts_at < end)
    events = db.session.scalars(query.order_by(ServiceEvent.starts_at, ServiceEvent.id).limit(
        limit if near is None else 2000)).all()
    if near is None:
        return [Listed(event) for event in events]
    listed = []
    for event in events:
        if event.position is None:
            continue
        metres = geodesic_m(near[0], near[1], *event.position)
        if metres <= NEAR_KM * 1000:
            listed.append(Listed(event, metres))
    listed.sort(key=lambda item: (item.distance_m, item.event.starts_at))
    return listed[:limit]


def registrations_of(worker_id: int, event_id: int | None = None) -> list[Registration]:
    """A worker's registrations (for one event, or all), newest event last."""
    query = select(Registration).options(joinedload(Registration.event)).join(ServiceEvent) \
        .where(Registration.worker_id == worker_id)
    if event_id is not None:
        query = query.where(Registration.event_id == event_id)
    return list(db.session.scalars(query.order_by(ServiceEvent.starts_at, Registration.id)))


def my_services(worker_id: int, now: datetime) -> tuple[list[Registration], list[Registration]]:
    """(upcoming, past) registrations of a worker."""
    upcoming, past = [], []
    for registration in registrations_of(worker_id):
        (upcoming if registration.event.ends_at > now else past).append(registration)
    past.reverse()
    return upcoming, past


ROSTER_ORDER = {"confirmed": 0, "attended": 1, "no_show": 2, "offered": 3, "waitlisted": 4}


def roster(event_id: int) -> list[Registration]:
    """Everyone on an event's list: places first, then offers and the waiting list in order."""
    rows = db.session.scalars(select(Registration).options(joinedload(Registration.worker))
                              .where(Registration.event_id == event_id)
                              .order_by(Registration.id)).all()
    return sorted(rows, key=lambda r: ROSTER_ORDER.get(r.state, 9))


@dataclass
class Satisfaction:
    ratings: int
    average: float | None
    satisfied_pct: int | None  # share of ratings of 4 or 5, as unions report it


def _satisfaction(count: int, total: int | None, satisfied: int | None) -> Satisfaction:
    if not count:
        return Satisfaction(0, None, None)
    return Satisfaction(count, round(total / count, 1), (100 * (satisfied or 0)) // count)


def _rated():
    return (func.count(Registration.rating), func.sum(Registration.rating),
            func.sum(func.cast(Registration.rating >= 4, db.Integer)))


def satisfaction_by_event(event_ids: list[int]) -> dict[int, Satisfaction]:
    rows = db.session.execute(select(Registration.event_id, *_rated())
                              .where(Registration.event_id.in_(event_ids),
                                     Registration.rating.is_not(None))
                              .group_by(Registration.event_id)).all()
    return {event_id: _satisfaction(c, t, s) for event_id, c, t, s in rows}


def satisfaction_by_category(organisation_id: int | None) -> dict[str, Satisfaction]:
    """Per category, for one organisation (None: all)."""
    query = select(ServiceEvent.category, *_rated()).join(ServiceEvent) \
        .where(Registration.rating.is_not(None)).group_by(ServiceEvent.category)
    if organisation_id is not None:
        query = query.where(ServiceEvent.organisation_id == organisation_id)
    return {category: _satisfaction(c, t, s) for category, c, t, s in db.session.execute(query)}
