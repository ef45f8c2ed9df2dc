"""What the wishes domain keeps about a person, for their export and their deletion
(registered with accounts.personal_data): their wishes with each step of their history, and
the wishes they claimed as a volunteer."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

import clock
from accounts import personal_data
from extensions import db
from wishes.models import OPEN_STATES, Wish, WishEvent


def _stamp(moment: datetime | None) -> str | None:
    return clock.format_stamp(moment) if moment else None


def export_wishes(user) -> list[dict]:
    wishes = db.session.scalars(select(Wish).where(Wish.worker_id == user.id).order_by(Wish.id))
    return [{"id": wish.id, "title": wish.title, "details": wish.details,
             "category": wish.category, "urgency": wish.urgency, "district": wish.district,
             "status": wish.status, "created_at": _stamp(wish.created_at),
             "handover_place": wish.handover_place, "fulfil_note": wish.fulfil_note,
             "thanks_note": wish.thanks_note, "decline_reason": wish.decline_reason,
             "history": [{"action": step.action, "to": step.to_state, "note": step.note,
                          "at": _stamp(step.created_at)} for step in wish.events]}
            for wish in wishes]


def export_claims(user) -> list[dict]:
    wishes = db.session.scalars(select(Wish).where(Wish.claimant_id == user.id).order_by(Wish.id))
    return [{"wish_id": wish.id, "title": wish.title, "status": wish.status,
             "claimed_at": _stamp(wish.claimed_at), "fulfilled_at": _stamp(wish.fulfilled_at),
             "fulfil_note": wish.fulfil_note}
            for wish in wishes]


def _record(wish_ids, user, action: str, from_state: str, to_state: str, now: datetime) -> None:
    for wish_id in wish_ids:
        db.session.add(WishEvent(wish_id=wish_id, actor_id=user.id, action=action,
                                 from_state=from_state, to_state=to_state, created_at=now))


def erase(user, now: datetime) -> None:
    """Open wishes leave the wall (withdrawn), fulfilled ones stay for the counts but lose
    every free-text line; wishes the person had claimed go back to the wall."""
    for state in OPEN_STATES:
        ids = db.session.scalars(select(Wish.id).where(Wish.worker_id == user.id,
                                                       Wish.status == state)).all()
        db.session.execute(update(Wish).where(Wish.id.in_(ids)).values(
            status="withdrawn", closed_at=now, claimant_id=None, claimed_at=None)
            .execution_options(synchronize_session=False))
        _record(ids, user, "withdraw", state, "withdrawn", now)
    released = db.session.scalars(select(Wish.id).where(Wish.claimant_id == user.id,
                                                        Wish.status == "claimed")).all()
    db.session.execute(update(Wish).where(Wish.id.in_(released)).values(
        status="published", claimant_id=None, claimed_at=None, handover_place="")
        .execution_options(synchronize_session=False))
    _record(released, user, "release", "claimed", "published", now)
    db.session.execute(update(Wish).where(Wish.worker_id == user.id).values(
        details="", handover_place="", fulfil_note="", thanks_note="", decline_reason="")
        .execution_options(synchronize_session=False))
    db.session.execute(update(Wish).where(Wish.claimant_id == user.id).values(fulfil_note="")
                       .execution_options(synchronize_session=False))
    own = select(Wish.id).where(Wish.worker_id == user.id).scalar_subquery()
    db.session.execute(update(WishEvent).where(or_(WishEvent.actor_id == user.id,
                                                   WishEvent.wish_id.in_(own)))
                       .values(note="").execution_options(synchronize_session=False))
    db.session.flush()


def _erase_none(user, now: datetime) -> None:
    """Claims are released or kept anonymous by `erase`."""


def register_personal_data() -> None:
    personal_data.register("wishes", title=_l("Wishes and their history"), export=export_wishes,
                           erase=erase, order=20)
    personal_data.register("claims", title=_l("Wishes you claimed as a volunteer"),
                           export=export_claims, erase=_erase_none, order=21)
