"""The registration state machine: every (state, action) pair is either in the table with
its target and party, or refused by services.operations."""
from datetime import timedelta

import pytest

from extensions import db
from services import operations, rules
from services.models import HOLDS_PLACE, STATES, Registration
from tests.services.conftest import NOW, ops, places_held_count

EXPECTED = {
    ("confirmed", "cancel"): ("cancelled_by_worker", "worker"),
    ("waitlisted", "cancel"): ("cancelled_by_worker", "worker"),
    ("offered", "accept"): ("confirmed", "worker"),
    ("offered", "decline"): ("cancelled_by_worker", "worker"),
    ("waitlisted", "offer"): ("offered", "system"),
    ("offered", "lapse"): ("offer_lapsed", "system"),
    ("confirmed", "staff_cancel"): ("cancelled_by_staff", "staff"),
    ("waitlisted", "staff_cancel"): ("cancelled_by_staff", "staff"),
    ("offered", "staff_cancel"): ("cancelled_by_staff", "staff"),
    ("confirmed", "mark_attended"): ("attended", "staff"),
    ("confirmed", "mark_no_show"): ("no_show", "staff"),
    ("no_show", "mark_attended"): ("attended", "staff"),
    ("attended", "mark_no_show"): ("no_show", "staff"),
}
ALL_PAIRS = [(state, action) for state in STATES for action in rules.ACTIONS]


def test_the_table_is_exactly_the_expected_transitions():
    assert {pair: tuple(step) for pair, step in rules.TRANSITIONS.items()} == EXPECTED


def test_cancelled_and_lapsed_registrations_are_final():
    assert rules.FINAL_STATES == {"offer_lapsed", "cancelled_by_worker", "cancelled_by_staff"}


@pytest.mark.parametrize("state, action", ALL_PAIRS)
def test_step_for_every_pair_matches_the_table(state, action):
    step = rules.step_for(state, action)
    assert (tuple(step) if step else None) == EXPECTED.get((state, action))


@pytest.mark.parametrize("from_state, to_state, change", [
    ("waitlisted", "offered", 1), ("offered", "confirmed", 0), ("confirmed", "cancelled_by_worker", -1),
    ("offered", "offer_lapsed", -1), ("confirmed", "attended", 0), ("waitlisted", "cancelled_by_worker", 0)])
def test_place_change_follows_which_states_hold_a_place(from_state, to_state, change):
    assert rules.place_change(from_state, to_state) == change


def test_offer_deadline_is_24_hours_but_never_after_the_start():
    assert rules.offer_deadline(NOW, NOW + timedelta(days=3)) == NOW + timedelta(hours=24)
    assert rules.offer_deadline(NOW, NOW + timedelta(hours=5)) == NOW + timedelta(hours=5)


@pytest.mark.parametrize("moment, problem", [
    (NOW - timedelta(seconds=1), "not_open"), (NOW, None), (NOW + timedelta(hours=1), "closed")])
def test_window_is_open_from_opening_until_just_before_closing(moment, problem):
    assert rules.window_problem(NOW, NOW + timedelta(hours=1), moment) == problem


@pytest.fixture
def staff(make_user, union):
    return make_user("staff", organisation_id=union.id)


def _registration_in(state, event, worker) -> Registration:
    registration = Registration(
        event_id=event.id, worker_id=worker.id, person_key="", state=state, queued_at=NOW,
        changed_at=NOW, offer_expires_at=NOW + timedelta(hours=24) if state == "offered" else None)
    db.session.add(registration)
    event.places_held += int(state in HOLDS_PLACE)
    db.session.commit()
    return registration


@pytest.mark.parametrize("state, action", [p for p in ALL_PAIRS
                                           if rules.step_for(*p) is None or rules.step_for(*p).party != "system"])
def test_operations_apply_legal_steps_and_refuse_illegal_ones(state, action, make_event, make_user,
                                                               staff, in_request):
    event = make_event(capacity=5)
    worker = make_user("worker")
    registration = _registration_in(state, event, worker)
    step = rules.step_for(state, action)
    actor = staff if step is None or step.party == "staff" else worker
    if step is None:
        with pytest.raises(operations.NotAllowed):
            ops.act(registration.id, action, actor, now=NOW)
        assert db.session.get(Registration, registration.id).state == state
    else:
        assert ops.act(registration.id, action, actor, now=NOW).state == step.to_state
    assert db.session.get(type(event), event.id).places_held == places_held_count(event.id)


@pytest.mark.parametrize("action", ["cancel", "accept"])
def test_a_worker_cannot_act_on_someone_elses_registration(action, make_event, make_user, in_request):
    event = make_event()
    registration = _registration_in("offered" if action == "accept" else "confirmed", event,
                                    make_user("worker"))
    with pytest.raises(operations.NotAllowed):
        ops.act(registration.id, action, make_user("worker"), now=NOW)


def test_staff_of_another_organisation_cannot_mark_attendance(make_event, make_user, make_organisation,
                                                              in_request):
    event = make_event()
    registration = _registration_in("confirmed", event, make_user("worker"))
    stranger = make_user("staff", organisation_id=make_organisation("朝阳区总工会").id)
    with pytest.raises(operations.NotAllowed):
        ops.act(registration.id, "mark_attended", stranger, now=NOW)


@pytest.mark.parametrize("action", ["offer", "lapse"])
def test_system_steps_cannot_be_taken_by_people(action, make_event, make_user, staff, in_request):
    event = make_event()
    registration = _registration_in("waitlisted" if action == "offer" else "offered", event,
                                    make_user("worker"))
    with pytest.raises(operations.NotAllowed):
        ops.act(registration.id, action, staff, now=NOW)
