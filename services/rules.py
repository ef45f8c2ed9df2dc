"""The life of a registration as one table: (state, action) -> (next state, who may do it).

Nothing else decides which changes are legal; services.operations applies a step and keeps
the event's `places_held` in line with HOLDS_PLACE. tests/services/test_rules.py walks every
(state, action) pair.
"""
from datetime import datetime, timedelta
from typing import NamedTuple

from services.models import HOLDS_PLACE, STATES

WORKER = "worker"  # the worker who made the registration
STAFF = "staff"    # staff of the event's organisation, or an admin
SYSTEM = "system"  # the app itself: offers and lapses

OFFER_HOURS = 24


class Step(NamedTuple):
    to_state: str
    party: str


TRANSITIONS: dict[tuple[str, str], Step] = {
    ("confirmed", "cancel"): Step("cancelled_by_worker", WORKER),
    ("waitlisted", "cancel"): Step("cancelled_by_worker", WORKER),
    ("offered", "accept"): Step("confirmed", WORKER),
    ("offered", "decline"): Step("cancelled_by_worker", WORKER),
    ("waitlisted", "offer"): Step("offered", SYSTEM),
    ("offered", "lapse"): Step("offer_lapsed", SYSTEM),
    ("confirmed", "staff_cancel"): Step("cancelled_by_staff", STAFF),
    ("waitlisted", "staff_cancel"): Step("cancelled_by_staff", STAFF),
    ("offered", "staff_cancel"): Step("cancelled_by_staff", STAFF),
    ("confirmed", "mark_attended"): Step("attended", STAFF),
    ("confirmed", "mark_no_show"): Step("no_show", STAFF),
    # Corrections of a mis-tap on the roster.
    ("no_show", "mark_attended"): Step("attended", STAFF),
    ("attended", "mark_no_show"): Step("no_show", STAFF),
}
ACTIONS = ("cancel", "accept", "decline", "offer", "lapse", "staff_cancel", "mark_attended",
           "mark_no_show")
FINAL_STATES = frozenset(STATES) - {state for state, _ in TRANSITIONS}


def step_for(state: str, action: str) -> Step | None:
    """The legal step for `action` in `state`, or None."""
    return TRANSITIONS.get((state, action))


def place_change(from_state: str, to_state: str) -> int:
    """How a step changes the event's places held: -1, 0 or +1."""
    return int(to_state in HOLDS_PLACE) - int(from_state in HOLDS_PLACE)


def offer_deadline(now: datetime, starts_at: datetime, hours: int = OFFER_HOURS) -> datetime:
    """When an offer made now lapses: `hours` from now, but never after the event starts."""
    return min(now + timedelta(hours=hours), starts_at)


def window_problem(opens_at: datetime, closes_at: datetime, now: datetime) -> str | None:
    """'not_open', 'closed' or None (open) for a registration window."""
    if now < opens_at:
        return "not_open"
    if now >= closes_at:
        return "closed"
    return None


def attendance_pct(attended: int, expected: int) -> int | None:
    """Whole-number attendance rate, or None when there was nothing to attend."""
    if expected == 0:
        return None
    return (100 * attended) // expected
