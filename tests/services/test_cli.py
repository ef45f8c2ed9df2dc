"""Demo events and the `flask services tick` job."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from accounts import services as accounts
from accounts.cli import seed_demo_accounts
from accounts.models import User
from extensions import db
from rest_stations.cli import assign_demo_stations, seed_demo_stations
from services import operations
from services.cli import seed_demo_events
from services.models import CATEGORIES, Registration, ServiceEvent, ServiceSeries
from tests.services.conftest import ops

LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def demo_people(in_request):
    """What `flask seed-demo` loads before the events: the demo stations and accounts, and
    each city's stations given to its union branch."""
    seed_demo_stations()
    seed_demo_accounts()
    assign_demo_stations()


def _periods() -> tuple[list[ServiceEvent], list[ServiceEvent]]:
    first, second = (db.session.scalars(db.select(ServiceEvent).where(ServiceEvent.title == title)
                                        .order_by(ServiceEvent.starts_at)).all()
                     for title in ("骑手子女假期托管班（第一期）", "骑手子女假期托管班（第二期）"))
    return first, second


def test_demo_events_are_upcoming_at_union_stations_in_every_category(demo_people):
    assert "created" in seed_demo_events()
    events = db.session.scalars(db.select(ServiceEvent)).all()
    now = datetime.now(timezone.utc)
    upcoming = [e for e in events if e.starts_at > now]
    assert len(upcoming) >= 12 and all(e.station_id for e in events)
    assert {e.category for e in upcoming} == set(CATEGORIES)


def test_the_demo_childcare_class_runs_the_attendance_rule_end_to_end(demo_people):
    """A past first period with attendance taken; the second applies the 70% rule to it."""
    seed_demo_events()
    now = datetime.now(timezone.utc)
    first, second = _periods()
    assert len(first) == len(second) == 6
    assert all(e.ends_at < now and e.capacity == 30 and e.allows_dependants for e in first)
    assert all(e.starts_at > now for e in second)
    local = [e.starts_at.astimezone(LOCAL) for e in first + second]
    assert {(moment.weekday(), moment.hour, moment.minute) for moment in local} == {(5, 9, 0)}  # Saturdays
    assert second[0].series.previous_id == first[0].series_id
    assert (second[0].series.min_attendance_pct, first[0].series.min_attendance_pct) == (70, None)
    # Every place in the first period has its attendance taken; some children fell short.
    states = db.session.scalars(db.select(Registration.state).where(
        Registration.event_id.in_([e.id for e in first]))).all()
    assert states and set(states) == {"attended", "no_show"}
    staff = accounts.user_by_phone("+8613800000001")
    assert all(e.is_managed_by(staff) for e in first + second)
    # 老张 (13800000101) cannot sign 张小宇 up again; 小李's 李乐乐 (83%) can.
    lao_zhang, xiao_li = (accounts.user_by_phone(p) for p in ("+8613800000101", "+8613800000102"))
    with pytest.raises(operations.RegistrationRefused,
                       match="Attendance in the previous period was 50%, below the 70% needed"):
        ops.register(second[0].id, lao_zhang, now=now, dependant_name="张小宇", dependant_age=8)
    assert ops.register(second[0].id, xiao_li, now=now, dependant_name="李乐乐",
                               dependant_age=9).state == "confirmed"


def test_seeding_the_demo_events_twice_adds_nothing(demo_people):
    seed_demo_events()

    def counts():
        return [db.session.scalar(db.select(db.func.count()).select_from(model))
                for model in (ServiceEvent, ServiceSeries, Registration, User)]

    before = counts()
    assert "already" in seed_demo_events()
    assert counts() == before


def test_tick_lapses_overdue_offers_and_passes_the_place_on(runner, make_event, make_user):
    now = datetime.now(timezone.utc)
    event = make_event(capacity=1, starts_at=now + timedelta(days=3))
    event.places_held = 1
    first, second = make_user("worker"), make_user("worker")
    db.session.add_all([
        Registration(event_id=event.id, worker_id=first.id, state="offered", queued_at=now,
                     changed_at=now, offer_expires_at=now - timedelta(minutes=1)),
        Registration(event_id=event.id, worker_id=second.id, state="waitlisted",
                     queued_at=now + timedelta(seconds=1), changed_at=now)])
    db.session.commit()
    result = runner.invoke(args=["services", "tick"])
    assert result.exit_code == 0, "".join(__import__("traceback").format_exception(result.exception))
    db.session.expire_all()
    states = dict(db.session.execute(db.select(Registration.worker_id, Registration.state)).all())
    assert states == {first.id: "offer_lapsed", second.id: "offered"}
