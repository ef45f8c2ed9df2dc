"""The check-in rules, as plain functions a test can call without a request.

Every function takes `now` (an aware datetime) instead of reading the clock, so expiry is
tested without sleeping. Writes run inside `transactions.transaction()`: called from a view
that already opened one, they join it; called alone (a test, the CLI), they are their own.
One worker's writes are serialised by locking the worker's row (`lock_row`: BEGIN IMMEDIATE
on SQLite, FOR UPDATE on PostgreSQL), so a double tap reads the first tap's check-in. The
partial unique index on open check-ins (checkins.models) stays as the backstop: a second
open check-in for the same worker is impossible, whatever path wrote it.

Seats: riders see only check-ins that count (`seats_taken_by_station`), i.e. made through
the station's poster or with a location near it; `occupancy_by_station` counts every open
check-in, remote ones too, for staff and for the tests that count what was recorded.
"""
import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, update

import clock
from accounts.models import User
from checkins.models import FINE_KINDS, CheckIn, PosterCode, StationReport
from extensions import db
from rest_stations.display import Seats, seats_of
from rest_stations.geo import geodesic_m
from rest_stations.models import Station
from transactions import lock_row, transaction

DEFAULT_STAY_MINUTES = 90
DEFAULT_PRESENCE_RADIUS_M = 300.0


class StationNotOpen(ValueError):
    """Check-ins and "details still correct" need a station that is open for visitors."""

    def __init__(self, station: Station | None):
        super().__init__("no such station" if station is None
                         else f"station {station.id} is {station.status}")
        self.station = station


def configured_stay() -> timedelta:
    """How long an open check-in lasts when nobody checks out (CHECK_IN_STAY_MINUTES)."""
    return timedelta(minutes=int(current_app.config.get("CHECK_IN_STAY_MINUTES",
                                                        DEFAULT_STAY_MINUTES)))


def presence_radius_m() -> float:
    """How near the station a browser location must be to count (CHECK_IN_PRESENCE_RADIUS_M)."""
    return float(current_app.config.get("CHECK_IN_PRESENCE_RADIUS_M", DEFAULT_PRESENCE_RADIUS_M))


def is_remote(station: Station, *, source: str, position: tuple[float, float] | None,
              radius_m: float) -> bool:
    """Whether a check-in is remote: neither made through the poster's code nor with a
    browser location within `radius_m` of the station."""
    if source == "poster":
        return False
    if position is None or not all(math.isfinite(part) for part in position):
        return True
    return geodesic_m(position[0], position[1], station.lat, station.lon) > radius_m


def _close_at(now: datetime):
    """When an open check-in ends if its worker leaves at `now` (an SQL expression). An
    expired one ends when it expired, not when we noticed; one that began after `now` (a
    later tap from the worker's other phone took the lock first: see _ordered_after) ends
    when it began."""
    return case((CheckIn.expires_at <= now, CheckIn.expires_at),
                (CheckIn.checked_in_at > now, CheckIn.checked_in_at), else_=now)


def _open_check_in(user_id: int) -> CheckIn | None:
    return db.session.scalar(db.select(CheckIn).where(CheckIn.user_id == user_id,
                                                      CheckIn.checked_out_at.is_(None)))


def _ordered_after(open_row: CheckIn | None, now: datetime) -> datetime:
    """The moment a locked write takes effect: `now`, or the start of the worker's open
    check-in if that is later. The caller read the clock before it queued for the worker's
    lock, and a tap from the worker's other phone (or a retry) may have read it later but
    taken the lock first: this write comes after that one, so nothing ends before it began
    (a check constraint, and a 500 under load, before this)."""
    if open_row is None:
        return now
    return max(now, clock.as_utc(open_row.checked_in_at))


def check_in(user_id: int, station_id: int, *, now: datetime, stay: timedelta,
             source: str = "tap", remote: bool = False) -> CheckIn:
    """The worker's running check-in at this station: the one they already have, or a new one.
    A check-in elsewhere, or one that has expired, is closed in the same transaction.
    Raises StationNotOpen for a closed or delisted station."""
    now = clock.as_utc(now)
    with transaction():
        lock_row(User, user_id)  # the worker's taps (double tap, retry) queue here
        station = db.session.get(Station, station_id)
        if station is None or station.status != "active":
            raise StationNotOpen(station)
        # At most one (the partial unique index), read afresh now that the lock is held.
        existing = db.session.scalar(
            db.select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.checked_out_at.is_(None))
            .execution_options(populate_existing=True))
        now = _ordered_after(existing, now)
        if existing is not None:
            expires_at = clock.as_utc(existing.expires_at)
            if existing.station_id == station_id and expires_at > now:
                # A retry or double tap: the same check-in, not a second.
                if existing.remote and not remote:  # the second tap brought a location
                    existing.remote = False
                db.session.flush()
                return existing
            # Elsewhere, or expired (it ends when it expired, not when we noticed).
            existing.checked_out_at = min(expires_at, now)
            db.session.flush()  # closed before the new one opens: the partial unique index
        row = CheckIn(user_id=user_id, station_id=station_id, source=source, remote=remote,
                      checked_in_at=now, expires_at=now + stay)
        db.session.add(row)
        db.session.flush()
        return row


def check_out(user_id: int, *, now: datetime) -> CheckIn | None:
    """Close the worker's open check-in, if any; returns it (already closed if it expired)."""
    now = clock.as_utc(now)
    with transaction():
        lock_row(User, user_id)
        closed_id = db.session.scalar(
            update(CheckIn)
            .where(CheckIn.user_id == user_id, CheckIn.checked_out_at.is_(None))
            .values(checked_out_at=_close_at(now))
            .returning(CheckIn.id)
            .execution_options(synchronize_session=False))
        if closed_id is None:
            return None
        return db.session.get(CheckIn, closed_id, populate_existing=True)


def current_check_in(user_id: int, *, now: datetime) -> CheckIn | None:
    """The worker's check-in that still counts (open and not expired), or None."""
    row = _open_check_in(user_id)
    if row is None or clock.as_utc(row.expires_at) <= now:
        return None
    return row


def _open_by_station(station_ids: Iterable[int], now: datetime, *conditions) -> dict[int, int]:
    ids = sorted(set(station_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(CheckIn.station_id, func.count())
        .where(CheckIn.station_id.in_(ids), *_still_open(clock.as_utc(now)), *conditions)
        .group_by(CheckIn.station_id))
    return {station_id: count for station_id, count in rows}


def _still_open(now) -> tuple:
    """A check-in counts at `now` while it is neither checked out nor expired."""
    return CheckIn.checked_out_at.is_(None), CheckIn.expires_at > now


# Remote check-ins (made from afar, for the record) take no seat.
_TAKES_A_SEAT = CheckIn.remote.is_(False)


def occupancy_by_station(station_ids: Iterable[int], *, now: datetime) -> dict[int, int]:
    """Open, unexpired check-ins per station, remote ones included, in one query; stations
    with none are absent. Riders see seats_taken_by_station."""
    return _open_by_station(station_ids, now)


def seats_taken_by_station(station_ids: Iterable[int], *, now: datetime) -> dict[int, int]:
    """Seats taken per station as riders see them: open check-ins that are not remote."""
    return _open_by_station(station_ids, now, _TAKES_A_SEAT)


def seats_taken_sql(station_id, now):
    """seats_taken_by_station as SQL: the seats taken at the station whose id is the column
    `station_id`, at `now` (a moment or a bind parameter), as a count correlated to that
    column. A search selects it beside each station it loads, in the same statement
    (registered through rest_stations.display.register_seats)."""
    return (db.select(func.count()).select_from(CheckIn)
            .where(CheckIn.station_id == station_id, *_still_open(now), _TAKES_A_SEAT)
            .correlate_except(CheckIn).scalar_subquery())


def remote_by_station(station_ids: Iterable[int], *, now: datetime) -> dict[int, int]:
    """Open remote check-ins per station, shown to staff apart."""
    return _open_by_station(station_ids, now, CheckIn.remote.is_(True))


def occupancy_of(station: Station, *, now: datetime) -> Seats:
    """The seats riders see at one station (remote check-ins left out)."""
    return seats_of(station, seats_taken_by_station([station.id], now=now))


def station_today(station: Station, now: datetime) -> date:
    return clock.today(station.timezone, at=now)


def file_report(station: Station, user_id: int | None, kind: str, note: str = "", *,
                now: datetime, check_in_id: int | None = None) -> StationReport:
    """Store a report. "All good" and "details still correct" need no staff and are stored
    resolved; "details still correct" also marks the station as verified today, and is
    refused (StationNotOpen) for a closed or delisted station, whose details nobody saw."""
    now = clock.as_utc(now)
    with transaction():
        if kind == "details_correct":
            locked = lock_row(Station, station.id)
            if locked is None or locked.status != "active":
                raise StationNotOpen(locked or station)
            locked.last_verified_on = station_today(locked, now)
        report = StationReport(station_id=station.id, user_id=user_id, kind=kind,
                               note=note.strip(), created_at=now, check_in_id=check_in_id,
                               resolved_at=now if kind in FINE_KINDS else None)
        db.session.add(report)
        db.session.flush()
        return report


def resolve_report(report_id: int, staff_id: int, *, now: datetime) -> bool:
    """Mark a report resolved; False when someone else already did (the update is conditional)."""
    with transaction():
        result = db.session.execute(
            update(StationReport)
            .where(StationReport.id == report_id, StationReport.resolved_at.is_(None))
            .values(resolved_at=clock.as_utc(now), resolved_by_id=staff_id)
            .execution_options(synchronize_session=False))
        return result.rowcount == 1


def poster_version(station_id: int) -> int:
    return db.session.scalar(db.select(PosterCode.version)
                             .where(PosterCode.station_id == station_id)) or 1


def rotate_poster(station_id: int, staff_id: int, *, now: datetime) -> int:
    """Give the station a new poster code; posters with older codes stop working."""
    now = clock.as_utc(now)
    with transaction():
        lock_row(Station, station_id)  # two rotations at once: one after the other
        code = db.session.get(PosterCode, station_id, populate_existing=True)
        if code is None:
            code = PosterCode(station_id=station_id, version=1)
            db.session.add(code)
        code.version = (code.version or 1) + 1
        code.rotated_at, code.rotated_by_id = now, staff_id
        db.session.flush()
        return code.version
