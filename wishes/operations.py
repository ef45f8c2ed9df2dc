"""What happens to wishes: submit one, and move one through wishes.rules.TRANSITIONS.

Every change is one conditional UPDATE (`... WHERE id = ? AND status = <from>`) accepted
only when exactly one row changed, plus its history row and the worker's notice, in one
transaction. Two people acting at once cannot both win: the database lets one UPDATE match,
and the other sees zero rows and gets `WishConflict`.
"""
from datetime import datetime, timezone

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select, update

from accounts.models import Organisation, User
from extensions import db
from notifications.inbox import notify, path_for, register_kinds
from rest_stations.models import Station
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
})
# The worker hears about every step taken by someone else; the claimant hears the thanks.
_NOTICE_TO_WORKER = {"publish": "wish_published", "decline": "wish_declined",
                     "claim": "wish_claimed", "release": "wish_released",
                     "fulfil": "wish_fulfilled", "edit": "wish_edited"}


def now() -> datetime:
    return datetime.now(timezone.utc)


def moderating_organisation(station: Station | None, district: str) -> int | None:
    """The union branch that moderates a wish: the station's, else the district's."""
    if station is not None and station.organisation_id is not None:
        return station.organisation_id
    if district:
        return db.session.scalar(select(Organisation.id).where(Organisation.district == district)
                                 .order_by(Organisation.id).limit(1))
    return None


def open_wish_count(worker_id: int) -> int:
    return db.session.scalar(select(func.count(Wish.id)).where(
        Wish.worker_id == worker_id, Wish.status.in_(OPEN_STATES))) or 0


def _lock_worker(worker_id: int) -> None:
    """Serialise one worker's submissions until commit, so the open-wish count cannot race.

    PostgreSQL: SELECT ... FOR UPDATE on the worker's row; a second submit waits here and
    then counts the first one's wish. SQLite has one writer at a time: a no-op UPDATE as the
    transaction's first statement takes the write lock (as BEGIN IMMEDIATE would), and a
    second writer waits for it (busy_timeout) before reading anything.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(User.id).where(User.id == worker_id).with_for_update())
    else:
        db.session.execute(update(User).where(User.id == worker_id).values(id=User.id))


def submit(worker: User, *, title: str, details: str, category: str, urgency: str,
           station: Station | None = None, district: str = "", at: datetime | None = None) -> Wish:
    """Create a submitted wish for `worker`, unless they already have MAX_OPEN_WISHES open."""
    at = at or now()
    district = (district or (station.district if station else "") or worker.home_district).strip()
    _lock_worker(worker.id)
    if open_wish_count(worker.id) >= MAX_OPEN_WISHES:
        db.session.rollback()
        raise TooManyOpenWishes(_(
            "You already have %(count)d open wishes. Wait until one is met, or withdraw one, "
            "before making another.", count=MAX_OPEN_WISHES))
    wish = Wish(worker_id=worker.id, title=title.strip(), details=details.strip(),
                category=category, urgency=urgency, station_id=station.id if station else None,
                district=district, organisation_id=moderating_organisation(station, district),
                status="submitted", created_at=at)
    db.session.add(wish)
    db.session.flush()
    db.session.add(WishEvent(wish_id=wish.id, actor_id=worker.id, action="submit",
                             from_state=None, to_state="submitted", created_at=at))
    db.session.commit()
    return wish


# Columns each action sets besides the state, from the keyword arguments of transition().
_STAMPS = {"publish": "published_at", "claim": "claimed_at", "fulfil": "fulfilled_at",
           "confirm": "closed_at", "decline": "closed_at", "withdraw": "closed_at"}


def transition(wish: Wish, action: str, actor: User, note: str = "", *,
               at: datetime | None = None, **changes) -> Wish:
    """Take `action` on `wish` as `actor`, if the table allows it; commits.

    Raises NotAllowed when the person or the state does not permit it, and WishConflict when
    someone else changed the wish between reading it and this UPDATE.
    """
    at = at or now()
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
    if action == "confirm":
        values["thanks_note"] = note
    worker_id, title = wish.worker_id, changes.get("title", wish.title)
    result = db.session.execute(
        update(Wish).where(Wish.id == wish.id, Wish.status == from_state).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
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
    db.session.commit()
    db.session.refresh(wish)
    return wish
