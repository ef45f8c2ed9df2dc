"""Factories for wishes: make_wish(state=..., ...) puts a wish straight into any state, with
the organisation, worker and claimant it needs."""
from datetime import datetime, timezone
from itertools import count

import pytest

from extensions import db
from regions import divisions
from wishes.models import Wish, WishEvent


@pytest.fixture
def union(make_organisation):
    return make_organisation("河东区总工会", district="河东区")


@pytest.fixture
def make_wish(app, union, make_user):
    numbers = count(1)

    def make(status: str = "published", worker=None, claimant=None, **fields) -> Wish:
        number = next(numbers)
        worker = worker or make_user("worker")
        if status in ("claimed", "fulfilled", "confirmed") and claimant is None:
            claimant = make_user("volunteer")
        now = datetime.now(timezone.utc)
        district = fields.pop("district", "河东区")
        fields.setdefault("region_code", divisions.match("天津市", district))
        wish = Wish(worker_id=worker.id, title=fields.pop("title", f"护膝 {number}"),
                    details=fields.pop("details", "冬天骑车用。"),
                    category=fields.pop("category", "goods"), urgency=fields.pop("urgency", "week"),
                    district=district,
                    organisation_id=fields.pop("organisation_id", union.id), status=status,
                    claimant_id=claimant.id if claimant else None,
                    published_at=now if status not in ("submitted", "declined") else None,
                    claimed_at=now if claimant else None, **fields)
        db.session.add(wish)
        db.session.flush()
        db.session.add(WishEvent(wish_id=wish.id, actor_id=worker.id, action="submit",
                                 to_state="submitted"))
        db.session.commit()
        return wish

    return make


@pytest.fixture
def in_request(app):
    """A request context, for calling domain functions whose messages are translated."""
    with app.test_request_context("/"):
        yield
