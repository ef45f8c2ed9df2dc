"""What happens to wishes: submit one, and move one through wishes.rules.TRANSITIONS.

Every change is one conditional UPDATE (`... WHERE id = ? AND status = <from>`) accepted
only when exactly one row changed, plus its history row and the notices. Two people acting
at once cannot both win: the database lets one UPDATE match, and the other sees zero rows and
gets `WishConflict`. Operations only flush: the view or command wraps them in
`transactions.transaction()`, which commits, or rolls back when one raises.
"""
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select, update

import clock
from accounts.models import Organisation, User
from extensions import db
from notifications.inbox import notify, path_for, register_kinds
from regions import divisions
from rest_stations.models import Station
from transactions import lock_row
from wishes import rules
from wishes.models import MAX_OPEN_WISHES, OPEN_STATES, Wish, WishEvent


class WishError(ValueError):
    """A rule was broken; the message is for the person who tried."""


class NotAllowed(WishError):
    """This person may not take this action on this wish in its current state."""


class WishConflict(WishError):
    """Someone else changed the wish first (e.g. claimed it a moment earlier)."""


class TooManyOpenWishes(WishError):
    pass


def claimed_by_someone_else() -> str:
    return _("Someone just claimed this wish. Thank you all the same: there are more on the wall.")


register_kinds({
    "wish_published": _l("Your wish “%(title)s” is on the wish wall now."),
    "wish_declined": _l("Your wish “%(title)s” was not published: %(reason)s"),
    "wish_claimed": _l("Good news: someone has claimed your wish “%(title)s”."),
    "wish_released": _l("The claim on your wish “%(title)s” was released; it is back on the wall."),
    "wish_fulfilled": _l("Your wish “%(title)s” is ready: %(place)s. Please confirm when you have it."),
    "wish_edited": _l("Union staff edited the wording of your wish “%(title)s”."),
    "wish_confirmed": _l("The worker confirmed that the wish “%(title)s” was met. Thank you!"),
    "wish_not_received": _l("The worker has not received the wish “%(title)s” yet. Please "
                            "check the hand-over and record it again. %(reason)s"),
})
# The worker hears about every step taken by someone else; the claimant hears the thanks.
_NOTICE_TO_WORKER = {"publish": "wish_published", "decline": "wish_declined",
                     "claim": "wish_claimed", "release": "wish_released",
                     "fulfil": "wish_fulfilled", "edit": "wish_edited"}


def moderating_organisation(station: Station | None, region_code: str | None) -> int | None:
    """The union branch that moderates a wish: the station's, else the one whose region code
    is the wish's (the first made, when a district has two). Names are never compared."""
    if station is not None and station.organisation_id is not None:
        return station.organisation_id
    if region_code:
        return db.session.scalar(select(Organisation.id).where(Organisation.region_code == region_code)
                                 .order_by(Organisation.id).limit(1))
    return None


def open_wish_count(worker_id: int) -> int:
    return db.session.scalar(select(func.count(Wish.id)).where(
        Wish.worker_id == worker_id, Wish.status.in_(OPEN_STATES))) or 0


def submit(worker: User, *, title: str, details: str, category: str, urgency: str,
           station: Station | None = None, region_code: str | None = None,
           at: datetime | None = None) -> Wish:
    """Create a submitted wish for `worker`, unless they already have MAX_OPEN_WISHES open.

    The hand-over district is the one chosen, else the station's, else the worker's home;
    the worker's row is locked first, so two submissions at once cannot both pass the count.
    Flushes; the caller's transaction() commits."""
    at = at or clock.now()
    region_code = region_code or (station.region_code if station else None) or worker.home_region_code
    district = divisions.district(region_code)
    lock_row(User, worker.id)
    if open_wish_count(worker.id) >= MAX_OPEN_WISHES:
        raise TooManyOpenWishes(_(
            "You already have %(count)d open wishes. Wait until one is met, or withdraw one, "
            "before making another.", count=MAX_OPEN_WISHES))
    wish = Wish(worker_id=worker.id, title=title.strip(), details=details.strip(),
                category=category, urgency=urgency, station_id=station.id if station else None,
                region_code=district.code if district else None,
                district=district.name if district else ((station.district if station else "")
                                                         or worker.home_district),
                organisation_id=moderating_organisation(station, district.code if district else None),
                status="submitted", created_at=at)
    db.session.add(wish)
    db.session.flush()
    db.session.add(WishEvent(wish_id=wish.id, actor_id=worker.id, action="submit",
                             from_state=None, to_state="submitted", created_at=at))
    db.session.flush()
    return wish


# Columns each action sets besides the state, from the keyword arguments of transition().
_STAMPS = {"publish": "published_at", "claim": "claimed_at", "fulfil": "fulfilled_at",
           "confirm": "closed_at", "decline": "closed_at", "withdraw": "closed_at"}


def _moderators(wish: Wish) -> list[int]:
    """The staff of the wish's branch, who hear when a hand-over went wrong."""
    if wish.organisation_id is None:
        return []
    return list(db.session.scalars(select(User.id).where(
        User.organisation_id == wish.organisation_id, User.role == "staff",
        User.deleted_at.is_(None)).order_by(User.id)))


def transition(wish: Wish, action: str, actor: User, note: str = "", *,
               at: datetime | None = None, **changes) -> Wish:
    """Take `action` on `wish` as `actor`, if the table allows it; flushes.

    Raises NotAllowed when the person or the state does not permit it, and WishConflict when
    someone else changed the wish between reading it and this UPDATE (the caller's
    transaction() then rolls back).
    """
    at = at or clock.now()
    note = (note or "").strip()
    from_state = wish.status
    step = rules.step_for(from_state, action)
    if step is None or not (step.parties & rules.parties(actor, wish)):
        raise NotAllowed(_("This wish cannot be changed that way now."))
    if step.note_required and not note:
        raise WishError(_("Please give a reason."))
    values = dict(changes, status=step.to_state)
    if action in _STAMPS:
        values[_STAMPS[action]] = at
    if action == "decline":
        values["decline_reason"] = note
    if action == "claim":
        values["claimant_id"] = actor.id
    if action == "release":
        values.update(claimant_id=None, claimed_at=None)
    if action == "fulfil":
        values["fulfil_note"] = note
    if action == "not_received":  # back to the claimant, who hands it over again
        values.update(fulfilled_at=None, handover_place="", fulfil_note="")
    if action == "confirm":
        values["thanks_note"] = note
    worker_id, title = wish.worker_id, changes.get("title", wish.title)
    result = db.session.execute(
        update(Wish).where(Wish.id == wish.id, Wish.status == from_state).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        if action == "claim":
            raise WishConflict(claimed_by_someone_else())
        raise WishConflict(_("This wish changed a moment ago. Please look at it again."))
    db.session.add(WishEvent(wish_id=wish.id, actor_id=actor.id, action=action,
                             from_state=from_state, to_state=step.to_state, note=note,
                             created_at=at))
    link = path_for("wishes.detail", wish_id=wish.id)
    if action in _NOTICE_TO_WORKER and actor.id != worker_id:
        notify(worker_id, _NOTICE_TO_WORKER[action], link=link, title=title, reason=note,
               place=changes.get("handover_place") or note)
    if action == "confirm" and wish.claimant_id:
        notify(wish.claimant_id, "wish_confirmed", link=link, title=title)
    if action == "not_received":
        for person in dict.fromkeys([wish.claimant_id, *_moderators(wish)]):
            if person and person != actor.id:
                notify(person, "wish_not_received", link=link, title=title, reason=note)
    db.session.flush()
    db.session.refresh(wish)
    return wish
