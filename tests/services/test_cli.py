"""Demo events and the `flask services tick` job."""
from datetime import datetime, timedelta, timezone

from extensions import db
from services.cli import seed_demo_events
from services.models import CATEGORIES, Registration, ServiceEvent


def test_demo_events_are_upcoming_at_union_stations_in_every_category(make_station, union, in_request):
    for _ in range(5):
        make_station(organisation_id=union.id)
    assert "created" in seed_demo_events()
    events = db.session.scalars(db.select(ServiceEvent)).all()
    now = datetime.now(timezone.utc)
    assert len(events) >= 12 and all(e.starts_at > now and e.station_id for e in events)
    assert {e.category for e in events} == set(CATEGORIES)
    assert "already" in seed_demo_events()


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
