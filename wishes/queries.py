"""Reading wishes: the public wall, a worker's own, a claimant's, the staff queue and board,
and the figures unions report."""
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, case

import clock
from extensions import db
from rest_stations.models import Station
from wishes.models import Wish

WALL_STATES = ("published",)
WALL_PAGE_SIZE = 60
STALLED_AFTER = timedelta(days=7)
BOARD_STATES = ("submitted", "published", "claimed", "fulfilled", "confirmed")
BOARD_COLUMN_SIZE = 50


HANDOVER_STATIONS = 300


def wall(category: str = "", region_code: str = "", urgency: str = "") -> list[Wish]:
    """Published wishes, newest first, with the wall's filters (the district by its code)."""
    query = db.select(Wish).where(Wish.status.in_(WALL_STATES))
    if category:
        query = query.where(Wish.category == category)
    if region_code:
        query = query.where(Wish.region_code == region_code)
    if urgency:
        query = query.where(Wish.urgency == urgency)
    return list(db.session.scalars(query.order_by(Wish.published_at.desc(), Wish.id.desc())
                                   .limit(WALL_PAGE_SIZE)))


def wall_districts() -> list[str]:
    """Region codes of the districts that have wishes on the wall, for the filter."""
    return list(db.session.scalars(
        db.select(Wish.region_code).where(Wish.status.in_(WALL_STATES), Wish.region_code.is_not(None))
        .distinct().order_by(Wish.region_code)))


def handover_stations(home_region_code: str) -> list[Station]:
    """Open stations for a hand-over: those in the worker's district first, then the rest of
    their city (same first four digits), then everywhere else, by code and name."""
    order = [Station.region_code, Station.city, Station.district, Station.name]
    if len(home_region_code) == 6:
        order.insert(0, case((Station.region_code == home_region_code, 0),
                             (Station.region_code.startswith(home_region_code[:4]), 1), else_=2))
    return list(db.session.scalars(
        db.select(Station).where(Station.status == "active").order_by(*order)
        .limit(HANDOVER_STATIONS)))


def wishes_of(worker_id: int) -> list[Wish]:
    return list(db.session.scalars(db.select(Wish).where(Wish.worker_id == worker_id)
                                   .order_by(Wish.id.desc())))


def claims_of(user_id: int) -> list[Wish]:
    return list(db.session.scalars(db.select(Wish).where(Wish.claimant_id == user_id)
                                   .order_by(Wish.claimed_at.desc())))


def moderation_queue(moderator) -> list[Wish]:
    """Submitted wishes this person moderates, oldest first."""
    return list(db.session.scalars(Wish.managed_by(moderator)
                                   .where(Wish.status == "submitted").order_by(Wish.id)))


def stalled_claims(moderator, now: datetime) -> list[Wish]:
    """Claims this person moderates that have not been handed over within STALLED_AFTER."""
    return list(db.session.scalars(Wish.managed_by(moderator).where(
        Wish.status == "claimed", Wish.claimed_at < now - STALLED_AFTER).order_by(Wish.claimed_at)))


def board(moderator) -> dict[str, list[Wish]]:
    """The wishes this person moderates, by state (newest first, capped per column)."""
    columns = {}
    for state in BOARD_STATES:
        columns[state] = list(db.session.scalars(
            Wish.managed_by(moderator).where(Wish.status == state)
            .order_by(Wish.id.desc()).limit(BOARD_COLUMN_SIZE)))
    return columns


@dataclass
class Figures:
    """What unions report: wishes per month, how many were met, and how fast."""
    months: list[dict] = field(default_factory=list)
    reached_wall: int = 0
    fulfilled: int = 0
    median_days_to_fulfil: float | None = None

    @property
    def fulfilment_rate(self) -> float | None:
        return self.fulfilled / self.reached_wall if self.reached_wall else None


def _month(moment: datetime | None) -> str | None:
    return clock.local(moment).strftime("%Y-%m") if moment else None


def figures(query: Select) -> Figures:
    """Figures for the wishes `query` selects (e.g. Wish.managed_by(staff))."""
    rows = db.session.execute(query.with_only_columns(
        Wish.status, Wish.created_at, Wish.published_at, Wish.fulfilled_at)).all()
    counts: dict[str, Counter] = {}
    days = []
    result = Figures()
    for status, created_at, published_at, fulfilled_at in rows:
        for column, moment in (("submitted", created_at), ("published", published_at),
                               ("fulfilled", fulfilled_at)):
            month = _month(moment)
            if month:
                counts.setdefault(month, Counter())[column] += 1
        if published_at:
            result.reached_wall += 1
        if fulfilled_at:
            result.fulfilled += 1
            if published_at:
                days.append((fulfilled_at - published_at).total_seconds() / 86400)
    result.months = [{"month": month, **{k: counts[month][k] for k in
                                         ("submitted", "published", "fulfilled")}}
                     for month in sorted(counts)]
    result.median_days_to_fulfil = round(statistics.median(days), 1) if days else None
    return result

