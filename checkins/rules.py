"""The check-in rules, as plain functions a test can call without a request.

Every function takes `now` (an aware datetime) instead of reading the clock, so expiry is
tested without sleeping. Writes commit their own transaction. The invariants are the
database's: the partial unique index on open check-ins (checkins.models) makes a second open
check-in for the same worker impossible, whatever the timing of the taps.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, func, or_, update
from sqlalchemy.exc import IntegrityError

from checkins.models import FINE_KINDS, CheckIn, PosterCode, StationReport
from extensions import db
from rest_stations.models import Station

DEFAULT_STAY_MINUTES = 90
# A worker's taps can race each other (double tap, retry, two stations at once); each race
# loses at most once to the unique index, so a few attempts always settle it.
ATTEMPTS = 3


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def configured_stay() -> timedelta:
    """How long an open check-in lasts when nobody checks out (CHECK_IN_STAY_MINUTES)."""
    return timedelta(minutes=int(current_app.config.get("CHECK_IN_STAY_MINUTES",
                                                        DEFAULT_STAY_MINUTES)))


def _close_at(now: datetime):
    # An expired check-in ends when it expired, not when we noticed.
    return case((CheckIn.expires_at <= now, CheckIn.expires_at), else_=now)


def _open_check_in(user_id: int) -> CheckIn | None:
    return db.session.scalar(db.select(CheckIn).where(CheckIn.user_id == user_id,
                                                      CheckIn.checked_out_at.is_(None)))


def check_in(user_id: int, station_id: int, *, now: datetime, stay: timedelta,
             source: str = "tap") -> CheckIn:
    """The worker's running check-in at this station: the one they already have, or a new one.
    A check-in elsewhere, or one that has expired, is closed in the same transaction."""
    now = now.astimezone(timezone.utc)
    for attempt in range(ATTEMPTS):
        # A write first: on SQLite it takes the write lock (waiting up to busy_timeout) before
        # anything is read, so the transaction never has to upgrade a stale read snapshot,
        # the one case SQLite answers "database is locked" without waiting.
        db.session.execute(
            update(CheckIn)
            .where(CheckIn.user_id == user_id, CheckIn.checked_out_at.is_(None),
                   or_(CheckIn.expires_at <= now, CheckIn.station_id != station_id))
            .values(checked_out_at=_close_at(now))
            .execution_options(synchronize_session=False))
        existing = _open_check_in(user_id)
        if existing is not None:  # a retry or double tap: the same check-in, not a second
            db.session.commit()
            return existing
        row = CheckIn(user_id=user_id, station_id=station_id, source=source,
                      checked_in_at=now, expires_at=now + stay)
        db.session.add(row)
        try:
            db.session.commit()
            return row
        except IntegrityError:
            # A concurrent tap by the same worker committed first (PostgreSQL only: SQLite
            # writers are serialised by the lock above). Start again and find its row.
            db.session.rollback()
    raise RuntimeError(f"check-in for user {user_id} did not settle in {ATTEMPTS} attempts")


def check_out(user_id: int, *, now: datetime) -> CheckIn | None:
    """Close the worker's open check-in, if any; returns it (already closed if it expired)."""
    now = now.astimezone(timezone.utc)
    closed_id = db.session.scalar(
        update(CheckIn)
        .where(CheckIn.user_id == user_id, CheckIn.checked_out_at.is_(None))
        .values(checked_out_at=_close_at(now))
        .returning(CheckIn.id)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return db.session.get(CheckIn, closed_id) if closed_id else None


def current_check_in(user_id: int, *, now: datetime) -> CheckIn | None:
    """The worker's check-in that still counts (open and not expired), or None."""
    row = _open_check_in(user_id)
    if row is None or as_utc(row.expires_at) <= now:
        return None
    return row


def occupancy_by_station(station_ids: Iterable[int], *, now: datetime) -> dict[int, int]:
    """Check-ins that count now, per station, in one query; stations with none are absent."""
    ids = sorted(set(station_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(CheckIn.station_id, func.count())
        .where(CheckIn.station_id.in_(ids), CheckIn.checked_out_at.is_(None),
               CheckIn.expires_at > now.astimezone(timezone.utc))
        .group_by(CheckIn.station_id))
    return {station_id: count for station_id, count in rows}


@dataclass(frozen=True)
class Occupancy:
    """Seats taken against capacity; capacity 0 means the station did not say."""

    taken: int
    capacity: int

    @property
    def full(self) -> bool:
        return self.capacity > 0 and self.taken >= self.capacity

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


def occupancy_of(station: Station, *, now: datetime) -> Occupancy:
    return Occupancy(occupancy_by_station([station.id], now=now).get(station.id, 0),
                     station.capacity or 0)


def station_today(station: Station, now: datetime) -> date:
    return now.astimezone(ZoneInfo(station.timezone or "Asia/Shanghai")).date()


def file_report(station: Station, user_id: int | None, kind: str, note: str = "", *,
                now: datetime, check_in_id: int | None = None) -> StationReport:
    """Store a report. "All good" and "details still correct" need no staff and are stored
    resolved; "details still correct" also marks the station as verified today."""
    now = now.astimezone(timezone.utc)
    report = StationReport(station_id=station.id, user_id=user_id, kind=kind,
                           note=note.strip(), created_at=now, check_in_id=check_in_id,
                           resolved_at=now if kind in FINE_KINDS else None)
    db.session.add(report)
    if kind == "details_correct":
        station.last_verified_on = station_today(station, now)
    db.session.commit()
    return report


def resolve_report(report_id: int, staff_id: int, *, now: datetime) -> bool:
    """Mark a report resolved; False when someone else already did (the update is conditional)."""
    result = db.session.execute(
        update(StationReport)
        .where(StationReport.id == report_id, StationReport.resolved_at.is_(None))
        .values(resolved_at=now.astimezone(timezone.utc), resolved_by_id=staff_id)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def poster_version(station_id: int) -> int:
    return db.session.scalar(db.select(PosterCode.version)
                             .where(PosterCode.station_id == station_id)) or 1


def rotate_poster(station_id: int, staff_id: int, *, now: datetime) -> int:
    """Give the station a new poster code; posters with older codes stop working."""
    now = now.astimezone(timezone.utc)
    for _attempt in range(ATTEMPTS):
        result = db.session.execute(
            update(PosterCode).where(PosterCode.station_id == station_id)
            .values(version=PosterCode.version + 1, rotated_at=now, rotated_by_id=staff_id)
            .execution_options(synchronize_session=False))
        if result.rowcount == 0:
            db.session.add(PosterCode(station_id=station_id, version=2, rotated_at=now,
                                      rotated_by_id=staff_id))
        try:
            db.session.commit()
            return poster_version(station_id)
        except IntegrityError:  # two first rotations at once; the second becomes an update
            db.session.rollback()
    raise RuntimeError("poster rotation did not settle")
