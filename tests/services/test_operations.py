"""Registration with capacity, the waiting list and time-limited offers, windows,
dependants, eligibility, event cancellation, reminders and feedback; no sleeps, a clock."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from extensions import db
from notifications.models import Notification
from services import operations
from services.models import Registration, ServiceEvent
from tests.services.conftest import NOW, ops, places_held_count


def _state(registration) -> str:
    db.session.expire_all()
    return db.session.get(Registration, registration.id).state


def _held(event) -> int:
    db.session.expire_all()
    held = db.session.get(ServiceEvent, event.id).places_held
    assert held == places_held_count(event.id)
    return held


def _kinds(user) -> list[str]:
    return list(db.session.scalars(db.select(Notification.kind).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_registrations_are_confirmed_until_full_then_waitlisted_in_order(make_event, make_user, in_request):
    event = make_event(capacity=2)
    results = [ops.register(event.id, make_user("worker"), now=NOW) for _ in range(4)]
    assert [r.state for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [operations.waitlist_position(r) for r in results] == [None, None, 1, 2]
    assert _held(event) == 2


def test_a_worker_cannot_register_twice_for_the_same_event(make_event, make_user, in_request):
    event, worker = make_event(), make_user("worker")
    ops.register(event.id, worker, now=NOW)
    with pytest.raises(operations.RegistrationRefused, match="already signed up"):
        ops.register(event.id, worker, now=NOW)
    assert _held(event) == 1


def test_the_database_refuses_a_second_live_registration_for_the_same_person(make_event, make_user):
    event, worker = make_event(), make_user("worker")
    for _ in range(2):
        db.session.add(Registration(event_id=event.id, worker_id=worker.id, person_key="",
                                    state="waitlisted", queued_at=NOW, changed_at=NOW))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_database_refuses_more_places_than_capacity(make_event):
    event = make_event(capacity=1)
    event.places_held = 2
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_after_cancelling_a_worker_may_sign_up_again(make_event, make_user, in_request):
    event, worker = make_event(), make_user("worker")
    first = ops.register(event.id, worker, now=NOW)
    ops.act(first.id, "cancel", worker, now=NOW)
    assert ops.register(event.id, worker, now=NOW).state == "confirmed"


def test_a_worker_may_register_each_child_once(make_event, make_user, in_request):
    event, worker = make_event(allows_dependants=True), make_user("worker")
    ops.register(event.id, worker, now=NOW, dependant_name="小明", dependant_age=8)
    ops.register(event.id, worker, now=NOW, dependant_name="小红", dependant_age=6)
    with pytest.raises(operations.RegistrationRefused, match="小明 is already signed up"):
        ops.register(event.id, worker, now=NOW, dependant_name="小明", dependant_age=8)
    assert _held(event) == 2


@pytest.mark.parametrize("fields, name, age, message", [
    ({"allows_dependants": False}, "小明", 8, "children cannot be signed up"),
    ({"allows_dependants": True}, "小明", None, "child's age"),
])
def test_dependant_rules(fields, name, age, message, make_event, make_user, in_request):
    event = make_event(**fields)
    with pytest.raises(operations.RegistrationRefused, match=message):
        ops.register(event.id, make_user("worker"), now=NOW, dependant_name=name,
                            dependant_age=age)


@pytest.mark.parametrize("opens, closes, message", [
    (NOW + timedelta(hours=1), NOW + timedelta(days=2), "Sign-up opens on"),
    (NOW - timedelta(days=2), NOW, "Sign-up closed on"),
])
def test_sign_up_outside_the_window_is_refused_with_a_clear_message(opens, closes, message,
                                                                     make_event, make_user, in_request):
    event = make_event(registration_opens_at=opens, registration_closes_at=closes)
    with pytest.raises(operations.RegistrationRefused, match=message):
        ops.register(event.id, make_user("worker"), now=NOW)


def test_sign_up_for_a_cancelled_event_is_refused(make_event, make_user, in_request):
    event = make_event()
    ops.cancel_event(event.id, "场地维修", now=NOW)
    with pytest.raises(operations.RegistrationRefused, match="cancelled"):
        ops.register(event.id, make_user("worker"), now=NOW)


def test_a_freed_place_is_offered_to_the_first_in_line_for_24_hours(make_event, make_user, in_request):
    event = make_event(capacity=1)
    first, second, third = (make_user("worker") for _ in range(3))
    a = ops.register(event.id, first, now=NOW)
    b = ops.register(event.id, second, now=NOW + timedelta(minutes=1))
    c = ops.register(event.id, third, now=NOW + timedelta(minutes=2))
    ops.act(a.id, "cancel", first, now=NOW + timedelta(hours=1))
    assert (_state(b), _state(c)) == ("offered", "waitlisted")
    offered = db.session.get(Registration, b.id)
    assert offered.offer_expires_at == NOW + timedelta(hours=25)
    assert _kinds(second) == ["service_offer"]
    assert _held(event) == 1
    # A new sign-up cannot take the offered place.
    assert ops.register(event.id, make_user("worker"), now=NOW + timedelta(hours=2)).state == "waitlisted"
    ops.act(b.id, "accept", second, now=NOW + timedelta(hours=3))
    assert _state(b) == "confirmed" and _held(event) == 1


def test_a_lapsed_offer_passes_to_the_next_person(make_event, make_user, in_request):
    event = make_event(capacity=1)
    first, second, third = (make_user("worker") for _ in range(3))
    a = ops.register(event.id, first, now=NOW)
    b = ops.register(event.id, second, now=NOW)
    c = ops.register(event.id, third, now=NOW)
    ops.act(a.id, "cancel", first, now=NOW)
    assert ops.sweep_offers(event.id, now=NOW + timedelta(hours=23)) == 0
    assert ops.sweep_offers(event.id, now=NOW + timedelta(hours=24)) == 1
    assert (_state(b), _state(c)) == ("offer_lapsed", "offered")
    assert _kinds(second) == ["service_offer", "service_offer_lapsed"]
    with pytest.raises(operations.NotAllowed):
        ops.act(b.id, "accept", second, now=NOW + timedelta(hours=24))


def test_declining_an_offer_offers_it_to_the_next(make_event, make_user, in_request):
    event = make_event(capacity=1)
    users = [make_user("worker") for _ in range(3)]
    regs = [ops.register(event.id, u, now=NOW) for u in users]
    ops.act(regs[0].id, "cancel", users[0], now=NOW)
    ops.act(regs[1].id, "decline", users[1], now=NOW)
    assert [_state(r) for r in regs] == ["cancelled_by_worker", "cancelled_by_worker", "offered"]


def test_no_offers_once_the_event_has_started(make_event, make_user, in_request):
    event = make_event(capacity=1)
    users = [make_user("worker") for _ in range(2)]
    regs = [ops.register(event.id, u, now=NOW) for u in users]
    ops.act(regs[0].id, "cancel", users[0], now=event.starts_at)
    assert _state(regs[1]) == "waitlisted"


def test_cancelling_an_event_cancels_every_registration_and_tells_each_worker(make_event, make_user,
                                                                              in_request):
    event = make_event(capacity=1)
    users = [make_user("worker") for _ in range(2)]
    regs = [ops.register(event.id, u, now=NOW) for u in users]
    assert ops.cancel_event(event.id, "暴雨预警", now=NOW) == 2
    assert [_state(r) for r in regs] == ["cancelled_by_staff"] * 2
    assert [_kinds(u) for u in users] == [["service_event_cancelled"]] * 2
    assert _held(event) == 0


def test_raising_capacity_offers_the_new_places_and_lowering_below_held_is_refused(
        make_event, make_user, in_request):
    event = make_event(capacity=1)
    regs = [ops.register(event.id, make_user("worker"), now=NOW) for _ in range(3)]
    from services.forms import EventForm  # noqa: F401  (drafts come from forms in the app)
    draft = operations.EventDraft(
        title=event.title, description="", category=event.category, starts_at=event.starts_at,
        ends_at=event.ends_at, capacity=3, registration_opens_at=event.registration_opens_at,
        registration_closes_at=event.registration_closes_at, station_id=event.station_id)
    ops.update_event(event.id, draft, now=NOW)
    assert [_state(r) for r in regs] == ["confirmed", "offered", "offered"]
    draft.capacity = 2
    with pytest.raises(operations.ServiceError, match="cannot be lower"):
        ops.update_event(event.id, draft, now=NOW)


def test_a_weekly_series_is_created_in_one_step(union, make_station, in_request):
    station = make_station(organisation_id=union.id)
    start = NOW + timedelta(days=5)
    draft = operations.EventDraft(
        title="寒假托管班", description="", category="childcare", starts_at=start,
        ends_at=start + timedelta(hours=3), capacity=30, registration_opens_at=NOW,
        registration_closes_at=start - timedelta(hours=1), station_id=station.id,
        allows_dependants=True)
    events = ops.create_events(union.id, draft, weeks=6, now=NOW)
    assert [e.starts_at for e in events] == [start + timedelta(weeks=w) for w in range(6)]
    assert len({e.series_id for e in events}) == 1 and events[0].series_id is not None


def test_attendance_below_the_minimum_blocks_the_next_period(union, make_station, make_user, staff_user,
                                                             in_request):
    """The Guangdong rule: under 70% attendance in one period, no place in the next."""
    station = make_station(organisation_id=union.id)
    start = NOW + timedelta(days=1)
    draft = operations.EventDraft(
        title="托管班第一期", description="", category="childcare", starts_at=start,
        ends_at=start + timedelta(hours=3), capacity=30, registration_opens_at=NOW - timedelta(days=1),
        registration_closes_at=start - timedelta(hours=1), station_id=station.id, allows_dependants=True)
    period_one = ops.create_events(union.id, draft, weeks=4, now=NOW)
    parent = make_user("worker")
    for number, event in enumerate(period_one):
        for child in ("小明", "小红"):
            registration = ops.register(event.id, parent, now=event.registration_opens_at,
                                               dependant_name=child,
                                               dependant_age=7)
            attended = child == "小红" or number < 2  # 小明 attends 2 of 4: 50%
            ops.act(registration.id, "mark_attended" if attended else "mark_no_show",
                           staff_user, now=event.ends_at)
    draft.title, draft.starts_at = "托管班第二期", start + timedelta(weeks=5)
    draft.ends_at, draft.registration_closes_at = draft.starts_at + timedelta(hours=3), draft.starts_at
    (period_two,) = ops.create_events(union.id, draft, min_attendance_pct=70,
                                             previous_series_id=period_one[0].series_id, now=NOW)
    with pytest.raises(operations.RegistrationRefused, match="50%"):
        ops.register(period_two.id, parent, now=NOW, dependant_name="小明", dependant_age=7)
    assert ops.register(period_two.id, parent, now=NOW, dependant_name="小红",
                               dependant_age=7).state == "confirmed"


def test_feedback_once_and_only_after_attending(make_event, make_user, staff_user, in_request):
    event, worker = make_event(), make_user("worker")
    registration = ops.register(event.id, worker, now=NOW)
    with pytest.raises(operations.NotAllowed):
        ops.give_feedback(registration.id, worker, 5, "", now=NOW)
    ops.act(registration.id, "mark_attended", staff_user, now=NOW)
    ops.give_feedback(registration.id, worker, 4, "老师讲得清楚", now=NOW)
    with pytest.raises(operations.NotAllowed):
        ops.give_feedback(registration.id, worker, 1, "", now=NOW)
    from services.queries import satisfaction_by_category, satisfaction_by_event
    assert satisfaction_by_event([event.id])[event.id].average == 4.0
    assert satisfaction_by_category(event.organisation_id)["childcare"].satisfied_pct == 100


def test_reminders_go_out_once_the_day_before(make_event, make_user, in_request):
    event, worker = make_event(starts_at=NOW + timedelta(hours=20),
                               registration_closes_at=NOW + timedelta(hours=10)), make_user("worker")
    ops.register(event.id, worker, now=NOW)
    assert ops.send_reminders(now=NOW) == 1
    assert ops.send_reminders(now=NOW) == 0
    assert _kinds(worker) == ["service_reminder"]


# Editing a whole series -----------------------------------------------------------------------

LOCAL = ZoneInfo("Asia/Shanghai")


def _series(union, station, starts, *, capacity=30, hours=3, title="托管班") -> list[ServiceEvent]:
    """Sessions of one series at the given starts (created as one weekly series, then moved)."""
    draft = operations.EventDraft(
        title=title, description="作业辅导", category="childcare", starts_at=starts[0],
        ends_at=starts[0] + timedelta(hours=hours), capacity=capacity,
        registration_opens_at=starts[0] - timedelta(days=10),
        registration_closes_at=starts[0] - timedelta(hours=2), station_id=station.id,
        allows_dependants=True)
    events = ops.create_events(union.id, draft, weeks=len(starts), now=NOW)
    for event, start in zip(events, starts):
        event.starts_at, event.ends_at = start, start + timedelta(hours=hours)
        event.registration_opens_at = min(start - timedelta(days=10), NOW - timedelta(days=1))
        event.registration_closes_at = start - timedelta(hours=2)
    db.session.commit()
    return events


def _local(moment):
    return moment.astimezone(LOCAL)


def _draft_from(event, **changes) -> operations.EventDraft:
    fields = {name: getattr(event, name) for name in (
        "title", "description", "category", "starts_at", "ends_at", "capacity",
        "registration_opens_at", "registration_closes_at", "station_id", "address", "lat", "lon",
        "allows_dependants")}
    return operations.EventDraft(**{**fields, **changes})


def _snapshot(event_id: int) -> tuple:
    db.session.expire_all()
    e = db.session.get(ServiceEvent, event_id)
    return (e.title, e.description, e.category, e.starts_at, e.ends_at, e.capacity, e.station_id,
            e.registration_opens_at, e.registration_closes_at, e.allows_dependants, e.places_held)


def test_a_series_edit_changes_this_and_later_sessions_but_keeps_their_dates(
        union, make_station, in_request):
    """Started, past and cancelled sessions stay; the rest take the change on their own day."""
    here, there = make_station(organisation_id=union.id), make_station(organisation_id=union.id)
    # Sessions at 10:00 Beijing: a week ago, one under way now, then three to come.
    starts = [NOW - timedelta(days=7), NOW - timedelta(hours=1)] + \
             [NOW + timedelta(days=7 * week) for week in (1, 2, 3)]
    past, running, first, cancelled, last = _series(union, here, starts)
    ops.cancel_event(cancelled.id, "场地维修", now=NOW)
    untouched = {e.id: _snapshot(e.id) for e in (past, running, cancelled)}
    # Staff edit the first coming session: 07:30–09:30 (before 10:00 Beijing is the day before
    # in UTC), 20 places, elsewhere, no children, sign-up two days before to one hour before.
    new_start = datetime.combine(_local(first.starts_at).date(), time(7, 30), LOCAL)
    draft = _draft_from(first, title="托管班(新时间)", description="新的说明", category="skills",
                        starts_at=new_start, ends_at=new_start + timedelta(hours=2), capacity=20,
                        station_id=there.id, allows_dependants=False,
                        registration_opens_at=new_start - timedelta(days=2),
                        registration_closes_at=new_start - timedelta(hours=1))
    changed = ops.update_series_from(first.id, draft, now=NOW)
    assert [e.id for e in changed] == [first.id, last.id]
    for event, days_after in ((first, 0), (last, 14)):
        title, description, category, starts_at, ends_at, capacity, station_id, opens, closes, \
            children, _held_ = _snapshot(event.id)
        assert _local(starts_at).date() == _local(new_start).date() + timedelta(days=days_after)
        assert (_local(starts_at).time(), _local(ends_at).time()) == (time(7, 30), time(9, 30))
        assert (starts_at - opens, starts_at - closes) == (timedelta(days=2), timedelta(hours=1))
        assert (title, description, category, capacity, station_id, children) == (
            "托管班(新时间)", "新的说明", "skills", 20, there.id, False)
    assert {e.id: _snapshot(e.id) for e in (past, running, cancelled)} == untouched
    assert db.session.get(ServiceEvent, first.id).series.title == "托管班(新时间)"


def test_a_series_edit_shifts_each_session_by_the_time_of_day_change(union, make_station, in_request):
    """A session that was moved on its own keeps its difference: each moves by the same delta."""
    station = make_station(organisation_id=union.id)
    first, moved = _series(union, station, [NOW + timedelta(days=5), NOW + timedelta(days=12, hours=4)])
    # 10:00–13:00 becomes 09:00–13:30 (an hour earlier, ninety minutes longer).
    start = first.starts_at - timedelta(hours=1)
    ops.update_series_from(first.id, _draft_from(first, starts_at=start,
                                                        ends_at=start + timedelta(hours=4, minutes=30)),
                                  now=NOW)
    _t, _d, _c, starts_at, ends_at, *_rest = _snapshot(moved.id)
    assert (_local(starts_at).time(), _local(ends_at).time()) == (time(13, 0), time(17, 30))
    assert _local(starts_at).date() == _local(NOW + timedelta(days=12)).date()


def test_a_series_edit_offers_the_new_places_of_every_session(union, make_station, make_user,
                                                               in_request):
    station = make_station(organisation_id=union.id)
    sessions = _series(union, station, [NOW + timedelta(days=7 * w) for w in (1, 2, 3)], capacity=1)
    waiting = make_user("worker")
    waits = []
    for event in sessions:
        ops.register(event.id, make_user("worker"), now=NOW)
        waits.append(ops.register(event.id, waiting, now=NOW))
    ops.update_series_from(sessions[0].id, _draft_from(sessions[0], capacity=2), now=NOW)
    assert [_state(r) for r in waits] == ["offered"] * 3
    assert [_held(e) for e in sessions] == [2, 2, 2]
    assert _kinds(waiting) == ["service_offer"] * 3


def test_a_series_edit_one_session_refuses_changes_nothing_and_names_that_session(
        union, make_station, make_user, in_request):
    station = make_station(organisation_id=union.id)
    sessions = _series(union, station, [NOW + timedelta(days=7 * w) for w in (1, 2, 3)], capacity=5)
    for _ in range(3):
        ops.register(sessions[1].id, make_user("worker"), now=NOW)
    ops.register(sessions[0].id, make_user("worker"), now=NOW)
    before = {e.id: _snapshot(e.id) for e in sessions}
    draft = _draft_from(sessions[0], title="改名", capacity=2)
    with pytest.raises(operations.SessionRefused) as refused:
        ops.update_series_from(sessions[0].id, draft, now=NOW)
    assert refused.value.event_id == sessions[1].id
    assert operations.when_text(sessions[1].starts_at) in str(refused.value)
    assert "3 places are already taken" in str(refused.value)
    assert {e.id: _snapshot(e.id) for e in sessions} == before
    assert db.session.get(ServiceEvent, sessions[0].id).series.title == "托管班"
    # Only this session: the same change is fine for the first one.
    ops.update_event(sessions[0].id, draft, now=NOW)
    assert _snapshot(sessions[0].id)[0] == "改名" and _snapshot(sessions[1].id)[0] == "托管班"


def test_only_sessions_of_a_series_can_be_edited_as_a_series(make_event, in_request):
    event = make_event()
    with pytest.raises(operations.ServiceError, match="not part of a series"):
        ops.update_series_from(event.id, _draft_from(event), now=NOW)


# Fair capacity, terms, the queue stamped under the lock ----------------------------------------

def test_a_worker_cannot_book_19_of_20_places_with_invented_children(make_event, make_user, in_request):
    """Childcare allows 3 places per worker by default; a real parent still gets a place."""
    event = make_event(capacity=20, allows_dependants=True)
    assert event.max_places_per_worker == 3
    hoarder = make_user("worker")
    for number in range(3):
        ops.register(event.id, hoarder, now=NOW, dependant_name=f"孩子{number}", dependant_age=6)
    with pytest.raises(operations.RegistrationRefused, match="at most 3 places"):
        ops.register(event.id, hoarder, now=NOW, dependant_name="孩子3", dependant_age=6)
    assert ops.register(event.id, make_user("worker"), now=NOW, dependant_name="小明",
                        dependant_age=8).state == "confirmed"
    assert _held(event) == 4


def test_other_events_allow_one_place_per_worker_unless_staff_set_more(make_event, make_user, in_request):
    worker = make_user("worker")
    single = make_event(category="legal", allows_dependants=True)
    assert single.max_places_per_worker == 1
    ops.register(single.id, worker, now=NOW)
    with pytest.raises(operations.RegistrationRefused, match="take 1 place at this event"):
        ops.register(single.id, worker, now=NOW, dependant_name="小明", dependant_age=8)
    family = make_event(category="health", allows_dependants=True, max_places_per_worker=2)
    ops.register(family.id, worker, now=NOW)
    ops.register(family.id, worker, now=NOW, dependant_name="小明", dependant_age=8)
    assert _held(family) == 2


def test_the_waiting_list_is_in_the_order_the_lock_was_won_not_the_request_time(make_event, make_user,
                                                                              in_request):
    """A request that started earlier but won the lock later is behind: the order is taken
    inside the locked transaction."""
    event = make_event(capacity=1)
    ops.register(event.id, make_user("worker"), now=NOW)
    later = ops.register(event.id, make_user("worker"), now=NOW + timedelta(seconds=2))
    earlier_start = ops.register(event.id, make_user("worker"), now=NOW + timedelta(seconds=1))
    assert (operations.waitlist_position(later), operations.waitlist_position(earlier_start)) == (1, 2)


def _term(union, station, *, capacity=2, weeks=3, **fields):
    start = NOW + timedelta(days=5)
    draft = operations.EventDraft(
        title="托管班第二期", description="", category="childcare", starts_at=start,
        ends_at=start + timedelta(hours=3), capacity=capacity,
        registration_opens_at=NOW - timedelta(days=1),
        registration_closes_at=start - timedelta(hours=12), station_id=station.id,
        allows_dependants=True)
    return ops.create_events(union.id, draft, weeks=weeks, as_term=True, **fields, now=NOW)


def test_one_term_sign_up_takes_a_place_at_every_session(union, make_station, make_user, in_request):
    sessions = _term(union, make_station(organisation_id=union.id))
    series = sessions[0].series
    assert series.signup_as_term and series.registration_opens_at == NOW - timedelta(days=1)
    # Every session shares the term's window, not one a week later each.
    assert {(e.registration_opens_at, e.registration_closes_at) for e in sessions} == {
        (series.registration_opens_at, series.registration_closes_at)}
    parent = make_user("worker")
    registration = ops.register(sessions[1].id, parent, now=NOW, dependant_name="小明", dependant_age=7)
    assert registration.event_id == sessions[1].id
    term = operations.term_registrations(registration)
    assert [r.event_id for r in term] == [e.id for e in sessions]
    assert {r.state for r in term} == {"confirmed"} and [_held(e) for e in sessions] == [1, 1, 1]
    with pytest.raises(operations.RegistrationRefused, match="already signed up"):
        ops.register(sessions[2].id, parent, now=NOW, dependant_name="小明", dependant_age=7)


def test_a_full_term_waitlists_and_a_cancelled_term_is_offered_on_for_every_session(
        union, make_station, make_user, in_request):
    sessions = _term(union, make_station(organisation_id=union.id), capacity=1)
    first, second = make_user("worker"), make_user("worker")
    mine = ops.register(sessions[0].id, first, now=NOW)
    theirs = ops.register(sessions[0].id, second, now=NOW)
    assert {r.state for r in operations.term_registrations(theirs)} == {"waitlisted"}
    outcome = ops.act(mine.id, "cancel", first, now=NOW)
    assert (outcome.sessions, outcome.passed_on) == (3, 3)
    assert _kinds(second) == ["service_offer"] * 3
    outcome = ops.act(theirs.id, "accept", second, now=NOW)
    assert outcome.sessions == 3
    db.session.expire_all()
    assert {r.state for r in operations.term_registrations(db.session.get(Registration, theirs.id))} == {"confirmed"}
    assert [_held(e) for e in sessions] == [1, 1, 1]


def test_a_term_is_signed_up_for_within_its_own_window_and_not_once_started(
        union, make_station, make_user, in_request):
    sessions = _term(union, make_station(organisation_id=union.id))
    with pytest.raises(operations.RegistrationRefused, match="Sign-up closed on"):
        ops.register(sessions[0].id, make_user("worker"), now=sessions[0].starts_at - timedelta(hours=1))
    with pytest.raises(operations.RegistrationRefused, match="closed"):
        ops.register(sessions[2].id, make_user("worker"), now=sessions[1].starts_at + timedelta(hours=1))


def test_the_attendance_rule_is_counted_over_the_whole_previous_term(union, make_station, make_user,
                                                                     staff_user, in_request):
    station = make_station(organisation_id=union.id)
    start = NOW - timedelta(weeks=5)
    draft = operations.EventDraft(
        title="第一期", description="", category="childcare", starts_at=start,
        ends_at=start + timedelta(hours=3), capacity=30, registration_opens_at=start - timedelta(days=9),
        registration_closes_at=start - timedelta(days=1), station_id=station.id, allows_dependants=True)
    first = ops.create_events(union.id, draft, weeks=4, as_term=True, now=start - timedelta(days=10))
    parent = make_user("worker")
    ops.register(first[0].id, parent, now=start - timedelta(days=2), dependant_name="小明", dependant_age=7)
    for number, event in enumerate(first):  # 3 of 4: 75%
        (registration,) = db.session.scalars(db.select(Registration).where(Registration.event_id == event.id))
        ops.act(registration.id, "mark_no_show" if number == 0 else "mark_attended", staff_user,
                now=event.ends_at)
    second = _term(union, station, min_attendance_pct=80, previous_series_id=first[0].series_id)
    with pytest.raises(operations.RegistrationRefused, match="was 75%, below the 80%"):
        ops.register(second[0].id, parent, now=NOW, dependant_name="小明", dependant_age=7)
