"""Factories for services: make_event(...) with sensible defaults, a fixed clock, and
`ops`: services.operations with each write in its own transaction, as a view runs it."""
from datetime import datetime, timedelta, timezone
from functools import wraps
from itertools import count
from types import FunctionType

import pytest

from extensions import db
from services import operations
from services.models import ServiceEvent
from transactions import transaction


class InTransactions:
    """`operations`, but every function call runs in its own transaction() (operations only
    flush; the caller commits). Everything else (errors, EventDraft, ...) passes through."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        found = getattr(self._module, name)
        if not isinstance(found, FunctionType) or found.__module__ != self._module.__name__:
            return found

        @wraps(found)
        def committed(*args, **kwargs):
            with transaction():
                return found(*args, **kwargs)
        return committed


ops = InTransactions(operations)


def places_held_count(event_id: int) -> int:
    """The places held, recounted from the registrations (to compare with the counter)."""
    from services.models import HOLDS_PLACE, Registration

    return db.session.scalar(db.select(db.func.count(Registration.id)).where(
        Registration.event_id == event_id, Registration.state.in_(HOLDS_PLACE))) or 0

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


@pytest.fixture
def union(make_organisation):
    return make_organisation("河东区总工会", district="河东区")


@pytest.fixture
def in_request(app):
    """An English request context, for domain functions whose messages are translated."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def make_event(app, union, make_station):
    numbers = count(1)

    def make(capacity: int = 30, **fields) -> ServiceEvent:
        number = next(numbers)
        starts_at = fields.pop("starts_at", NOW + timedelta(days=5))
        if "station_id" not in fields and "lat" not in fields:
            fields["station_id"] = make_station(organisation_id=union.id).id
        event = ServiceEvent(
            organisation_id=fields.pop("organisation_id", union.id),
            title=fields.pop("title", f"暑期托管班 {number}"),
            description=fields.pop("description", "骑手子女托管,含午餐。"),
            category=fields.pop("category", "childcare"), starts_at=starts_at,
            ends_at=fields.pop("ends_at", starts_at + timedelta(hours=3)), capacity=capacity,
            places_held=0,
            registration_opens_at=fields.pop("registration_opens_at", NOW - timedelta(days=1)),
            registration_closes_at=fields.pop("registration_closes_at", starts_at - timedelta(hours=2)),
            status="scheduled", **fields)
        db.session.add(event)
        db.session.commit()
        return event

    return make


@pytest.fixture
def staff_user(make_user, union):
    return make_user("staff", organisation_id=union.id)
