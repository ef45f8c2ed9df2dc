"""The check-in rules, called directly with a clock passed in: no requests, no sleeps."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

import clock
from checkins import rules
from checkins.models import CheckIn, StationReport
from extensions import db

NOON = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)  # 14:00 in Shanghai
STAY = timedelta(minutes=90)


def open_rows(user_id: int) -> list[CheckIn]:
    return list(db.session.scalars(db.select(CheckIn).where(CheckIn.user_id == user_id,
                                                            CheckIn.checked_out_at.is_(None))))


def test_check_in_records_one_open_check_in_that_expires_after_the_stay(make_user, make_station):
    worker, station = make_user(), make_station()
    row = rules.check_in(worker.id, station.id, now=NOON, stay=STAY)
    assert clock.as_utc(row.expires_at) == NOON + STAY
    assert [r.id for r in open_rows(worker.id)] == [row.id]


def test_a_double_tap_returns_the_same_check_in(make_user, make_station):
    worker, station = make_user(), make_station()
    first = rules.check_in(worker.id, station.id, now=NOON, stay=STAY)
    again = rules.check_in(worker.id, station.id, now=NOON + timedelta(seconds=1), stay=STAY)
    assert again.id == first.id
    assert db.session.scalar(db.select(db.func.count(CheckIn.id))) == 1


def test_checking_in_elsewhere_closes_the_first_check_in(make_user, make_station):
    worker, first_station, second_station = make_user(), make_station(), make_station()
    first = rules.check_in(worker.id, first_station.id, now=NOON, stay=STAY)
    later = NOON + timedelta(minutes=20)
    second = rules.check_in(worker.id, second_station.id, now=later, stay=STAY)
    db.session.refresh(first)
    assert clock.as_utc(first.checked_out_at) == later
    assert [r.id for r in open_rows(worker.id)] == [second.id]
    assert rules.occupancy_by_station([first_station.id, second_station.id], now=later) == {
        second_station.id: 1}


def test_a_tap_that_waited_behind_a_later_tap_elsewhere_is_ordered_after_it(make_user,
                                                                            make_station):
    """Two phones of one worker: the first tap read the clock, then queued for the worker's
    lock behind a tap one second later at another station. It takes effect after that one:
    the later check-in ends the moment it began, never before (this was a 500 under load)."""
    worker, first_station, second_station = make_user(), make_station(), make_station()
    later = rules.check_in(worker.id, second_station.id, now=NOON + timedelta(seconds=1), stay=STAY)
    waited = rules.check_in(worker.id, first_station.id, now=NOON, stay=STAY)
    db.session.refresh(later)
    assert clock.as_utc(later.checked_out_at) == NOON + timedelta(seconds=1)
    assert clock.as_utc(waited.checked_in_at) == NOON + timedelta(seconds=1)
    assert [r.id for r in open_rows(worker.id)] == [waited.id]


def test_a_check_out_that_waited_behind_a_later_check_in_closes_it_when_it_began(make_user,
                                                                                 make_station):
    worker, station = make_user(), make_station()
    later = rules.check_in(worker.id, station.id, now=NOON + timedelta(seconds=1), stay=STAY)
    closed = rules.check_out(worker.id, now=NOON)
    assert closed.id == later.id
    assert clock.as_utc(closed.checked_out_at) == NOON + timedelta(seconds=1)
    assert open_rows(worker.id) == []


def test_the_database_refuses_a_second_open_check_in(make_user, make_station):
    worker, station = make_user(), make_station()
    rules.check_in(worker.id, station.id, now=NOON, stay=STAY)
    db.session.add(CheckIn(user_id=worker.id, station_id=make_station().id, source="tap",
                           checked_in_at=NOON, expires_at=NOON + STAY))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_expired_check_in_stops_counting_and_ends_when_it_expired(make_user, make_station):
    worker, station = make_user(), make_station()
    first = rules.check_in(worker.id, station.id, now=NOON, stay=STAY)
    after = NOON + STAY + timedelta(minutes=1)
    assert rules.occupancy_by_station([station.id], now=NOON + STAY - timedelta(minutes=1)) == {station.id: 1}
    assert rules.occupancy_by_station([station.id], now=after) == {}
    assert rules.current_check_in(worker.id, now=after) is None
    # Checking in again at the same station starts a new visit; the old one ended at expiry.
    second = rules.check_in(worker.id, station.id, now=after, stay=STAY)
    db.session.refresh(first)
    assert second.id != first.id
    assert clock.as_utc(first.checked_out_at) == NOON + STAY


def test_the_stay_comes_from_configuration(app):
    app.config["CHECK_IN_STAY_MINUTES"] = 45
    try:
        assert rules.configured_stay() == timedelta(minutes=45)
    finally:
        app.config["CHECK_IN_STAY_MINUTES"] = 90
    assert rules.configured_stay() == timedelta(minutes=90)


def test_check_out_frees_the_seat(make_user, make_station):
    worker, station = make_user(), make_station(capacity=1)
    rules.check_in(worker.id, station.id, now=NOON, stay=STAY)
    assert rules.occupancy_of(station, now=NOON).full
    closed = rules.check_out(worker.id, now=NOON + timedelta(minutes=30))
    assert clock.as_utc(closed.checked_out_at) == NOON + timedelta(minutes=30)
    assert rules.occupancy_of(station, now=NOON + timedelta(minutes=31)).taken == 0
    assert rules.check_out(worker.id, now=NOON + timedelta(minutes=32)) is None


def test_occupancy_of_many_stations_is_one_query(make_user, make_station):
    stations = [make_station() for _ in range(5)]
    for number, station in enumerate(stations):
        for _ in range(number):
            rules.check_in(make_user().id, station.id, now=NOON, stay=STAY)
    ids = [s.id for s in stations]
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        counts = rules.occupancy_by_station(ids, now=NOON)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert counts == {station_id: n for n, station_id in enumerate(ids) if n}


def test_details_still_correct_moves_the_last_verified_date(make_user, make_station):
    station = make_station()
    report = rules.file_report(station, make_user().id, "details_correct", now=NOON)
    assert station.last_verified_on == datetime(2026, 11, 23).date()
    assert report.resolved_at is not None


@pytest.mark.parametrize("kind, waits_for_staff", [
    ("all_good", False), ("water_empty", True), ("charger_broken", True),
    ("microwave_broken", True), ("closed_when_open", True), ("details_wrong", True)])
def test_problem_reports_wait_for_staff_and_good_news_does_not(make_user, make_station, kind,
                                                               waits_for_staff):
    report = rules.file_report(make_station(), make_user().id, kind, now=NOON)
    assert (report.resolved_at is None) == waits_for_staff


def test_a_report_is_resolved_once(make_user, make_station):
    staff_id = make_user().id
    report = rules.file_report(make_station(), make_user().id, "water_empty", now=NOON)
    assert rules.resolve_report(report.id, staff_id, now=NOON) is True
    assert rules.resolve_report(report.id, staff_id, now=NOON) is False
    assert db.session.get(StationReport, report.id).resolved_by_id == staff_id


def test_rotating_the_poster_bumps_its_version(make_user, make_station):
    station, staff = make_station(), make_user()
    assert rules.poster_version(station.id) == 1
    assert rules.rotate_poster(station.id, staff.id, now=NOON) == 2
    assert rules.rotate_poster(station.id, staff.id, now=NOON) == 3
