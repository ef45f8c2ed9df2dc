"""What happens to events and registrations. Every function takes `now` (tests pass a clock)
and commits its own transaction.

Capacity (the pretix pattern): a registration locks its event row first, reads how many
places are held, and inserts the registration and the new count in the same transaction.
PostgreSQL: SELECT ... FOR UPDATE; a second sign-up waits at the lock and then sees the
first one's place. SQLite: BEGIN IMMEDIATE takes the one write lock before anything is read,
so sign-ups run one after another (busy_timeout queues them). The CHECK on places_held and
the partial unique index on registrations are the backstop if any code path forgot.
"""
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from babel.lists import format_list
from flask import has_request_context
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from accounts.policy import has_permission
from extensions import db
from notifications.inbox import notify, path_for, register_kinds
from services import rules
from services.models import HOLDS_PLACE, Registration, ServiceEvent, ServiceSeries

LOCAL = ZoneInfo("Asia/Shanghai")

register_kinds({
    "service_offer": _l("A place is free for “%(title)s” on %(when)s. Accept it before %(until)s, "
                        "or it goes to the next person."),
    "service_event_cancelled": _l("“%(title)s” on %(when)s is cancelled: %(reason)s"),
    "service_registration_cancelled": _l("Union staff cancelled your place for “%(title)s” on "
                                         "%(when)s."),
    "service_reminder": _l("Reminder: “%(title)s” is tomorrow, %(when)s, at %(place)s."),
    "service_offer_lapsed": _l("Your offer for “%(title)s” lapsed; the place went to the next "
                               "person."),
})


class ServiceError(ValueError):
    """A rule was broken; the message is for the person who tried."""


class RegistrationRefused(ServiceError):
    pass


class NotAllowed(ServiceError):
    pass


def now() -> datetime:
    return datetime.now(timezone.utc)


def when_text(moment: datetime) -> str:
    """An event time in the reader's language and Shanghai time: 11月28日周六 09:30, Sat, Nov 28 09:30."""
    local = moment.astimezone(LOCAL)
    locale = (get_locale() if has_request_context() else None) or "zh_Hans"
    return f"{format_skeleton('MMMEd', local, locale=locale)} {local:%H:%M}"


def days_text(moments) -> str:
    """Shanghai days as a list in the reader's language: 12月5日周六、12月12日周六和12月19日周六."""
    locale = (get_locale() if has_request_context() else None) or "zh_Hans"
    return format_list([format_skeleton("MMMEd", moment.astimezone(LOCAL), locale=locale)
                        for moment in moments], locale=locale)


def notice_time(moment: datetime) -> str:
    """A time for a notification, "2026-11-28 09:30" in Beijing time: a notice is stored once
    and read later in the reader's language, so its times are language-neutral."""
    return f"{moment.astimezone(LOCAL):%Y-%m-%d %H:%M}"


def _lock_event(event_id: int) -> ServiceEvent:
    """Lock the event row until commit and return it freshly read (see the module docstring)."""
    if db.session.get_bind().dialect.name == "sqlite":
        connection = db.session.connection()
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:  # already writing in this transaction, so the write lock is already ours
            connection.execute(update(ServiceEvent).where(ServiceEvent.id == event_id)
                               .values(places_held=ServiceEvent.places_held))
    query = select(ServiceEvent).where(ServiceEvent.id == event_id) \
        .execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalars(query).one()


def _begin_fresh() -> None:
    """End any read-only transaction, so the lock is the next transaction's first statement."""
    db.session.commit()


# Registering ----------------------------------------------------------------------------

def _window_message(event: ServiceEvent, now_: datetime) -> str | None:
    if event.status != "scheduled":
        return _("This event was cancelled.")
    problem = rules.window_problem(event.registration_opens_at, event.registration_closes_at, now_)
    if problem == "not_open":
        return _("Sign-up opens on %(when)s. Please come back then.",
                 when=when_text(event.registration_opens_at))
    if problem == "closed":
        return _("Sign-up closed on %(when)s.", when=when_text(event.registration_closes_at))
    return None


def attendance_in_series(series_id: int, worker_id: int, person_key: str) -> tuple[int, int]:
    """(sessions attended, sessions held) for one person in one series."""
    rows = db.session.execute(
        select(Registration.state, func.count()).join(ServiceEvent)
        .where(ServiceEvent.series_id == series_id, Registration.worker_id == worker_id,
               Registration.person_key == person_key,
               Registration.state.in_(("attended", "no_show")))
        .group_by(Registration.state)).all()
    counts = dict(rows)
    return counts.get("attended", 0), counts.get("attended", 0) + counts.get("no_show", 0)


def eligibility_problem(event: ServiceEvent, worker_id: int, person_key: str) -> str | None:
    """The series rule: below the minimum attendance in the previous period, no sign-up."""
    series = event.series
    if series is None or series.previous_id is None or not series.min_attendance_pct:
        return None
    attended, held = attendance_in_series(series.previous_id, worker_id, person_key)
    pct = rules.attendance_pct(attended, held)
    if pct is not None and pct < series.min_attendance_pct:
        return _("Attendance in the previous period was %(pct)d%%, below the %(min)d%% needed "
                 "to sign up for this one.", pct=pct, min=series.min_attendance_pct)
    return None


def register(event_id: int, worker: User, *, now: datetime, dependant_name: str = "",
             dependant_age: int | None = None) -> Registration:
    """Sign `worker` (or their dependant) up: confirmed while places remain, else waitlisted."""
    dependant_name = (dependant_name or "").strip()
    _begin_fresh()
    event = db.session.get(ServiceEvent, event_id)
    if event is None:
        raise RegistrationRefused(_("This event does not exist."))
    problem = _window_message(event, now)
    if problem is None and dependant_name and not event.allows_dependants:
        problem = _("This event is for workers themselves; children cannot be signed up.")
    if problem is None and dependant_name and dependant_age is None:
        problem = _("Please give the child's age.")
    if problem is None:
        problem = eligibility_problem(event, worker.id, dependant_name)
    if problem:
        db.session.rollback()
        raise RegistrationRefused(problem)
    _begin_fresh()
    event = _lock_event(event_id)
    ahead = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event_id, Registration.state == "waitlisted"))
    state = "confirmed" if event.places_held < event.capacity and not ahead else "waitlisted"
    registration = Registration(
        event_id=event_id, worker_id=worker.id, person_key=dependant_name,
        dependant_name=dependant_name, dependant_age=dependant_age if dependant_name else None,
        state=state, queued_at=now, changed_at=now)
    db.session.add(registration)
    if state == "confirmed":
        event.places_held += 1
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RegistrationRefused(
            _("%(name)s is already signed up for this event.", name=dependant_name)
            if dependant_name else _("You are already signed up for this event.")) from None
    return registration


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when the registration is not waiting."""
    if registration.state != "waitlisted":
        return None
    ahead = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == registration.event_id, Registration.state == "waitlisted",
        (Registration.queued_at < registration.queued_at)
        | ((Registration.queued_at == registration.queued_at) & (Registration.id < registration.id))))
    return (ahead or 0) + 1


# Moving registrations through the table ----------------------------------------------------

def _apply(event: ServiceEvent, registration: Registration, action: str, now_: datetime) -> str:
    """Apply one legal step to a registration of the locked `event`; the caller commits."""
    step = rules.step_for(registration.state, action)
    if step is None:
        raise NotAllowed(_("This registration cannot be changed that way now."))
    from_state = registration.state
    event.places_held += rules.place_change(from_state, step.to_state)
    registration.state = step.to_state
    registration.changed_at = now_
    registration.offer_expires_at = rules.offer_deadline(now_, event.starts_at) \
        if step.to_state == "offered" else None
    return from_state


def _fill_free_places(event: ServiceEvent, now_: datetime) -> list[Registration]:
    """Offer free places to the first in line, while the event has not started."""
    offered = []
    if event.status != "scheduled" or now_ >= event.starts_at:
        return offered
    while event.places_held < event.capacity:
        first = db.session.scalars(
            select(Registration).where(Registration.event_id == event.id,
                                       Registration.state == "waitlisted")
            .order_by(Registration.queued_at, Registration.id).limit(1)).first()
        if first is None:
            break
        _apply(event, first, "offer", now_)
        notify(first.worker_id, "service_offer", link=path_for("services.mine"),
               title=event.title, when=notice_time(event.starts_at),
               until=notice_time(first.offer_expires_at))
        offered.append(first)
    return offered


def _lapse_offers(event: ServiceEvent, now_: datetime) -> int:
    lapsed = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.state == "offered",
        Registration.offer_expires_at <= now_)).all()
    for registration in lapsed:
        _apply(event, registration, "lapse", now_)
        notify(registration.worker_id, "service_offer_lapsed", link=path_for("services.mine"),
               title=event.title)
    return len(lapsed)


def act(registration_id: int, action: str, actor: User, *, now: datetime) -> Registration:
    """Take `action` on a registration as `actor` (its worker, or staff of the event's
    organisation), then offer any freed place to the next in line; commits."""
    _begin_fresh()
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotAllowed(_("This registration does not exist."))
    event = _lock_event(registration.event_id)
    db.session.refresh(registration)
    _lapse_offers(event, now)
    step = rules.step_for(registration.state, action)
    if step is None or step.party == rules.SYSTEM or (
            step.party == rules.WORKER and registration.worker_id != actor.id) or (
            step.party == rules.STAFF and not event.is_managed_by(actor)):
        db.session.rollback()
        raise NotAllowed(_("This registration cannot be changed that way now."))
    if action in ("accept",) and now >= event.starts_at:
        db.session.rollback()
        raise NotAllowed(_("The event has started."))
    _apply(event, registration, action, now)
    if action == "staff_cancel":
        notify(registration.worker_id, "service_registration_cancelled",
               link=path_for("services.mine"), title=event.title, when=notice_time(event.starts_at))
    _fill_free_places(event, now)
    db.session.commit()
    return registration


def sweep_offers(event_id: int, *, now: datetime) -> int:
    """Lapse the event's overdue offers and pass the places on; returns how many lapsed."""
    _begin_fresh()
    overdue = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event_id, Registration.state == "offered",
        Registration.offer_expires_at <= now))
    if not overdue:
        return 0
    event = _lock_event(event_id)
    count = _lapse_offers(event, now)
    _fill_free_places(event, now)
    db.session.commit()
    return count


def sweep_all_offers(*, now: datetime) -> int:
    """Every overdue offer everywhere (the `flask services tick` job)."""
    event_ids = db.session.scalars(select(Registration.event_id).distinct().where(
        Registration.state == "offered", Registration.offer_expires_at <= now)).all()
    return sum(sweep_offers(event_id, now=now) for event_id in event_ids)


def send_reminders(*, now: datetime) -> int:
    """Remind everyone holding a place at events starting in the next 24 h, once per event."""
    events = db.session.scalars(select(ServiceEvent).where(
        ServiceEvent.status == "scheduled", ServiceEvent.reminded_at.is_(None),
        ServiceEvent.starts_at > now, ServiceEvent.starts_at <= now + timedelta(hours=24))).all()
    sent = 0
    for event in events:
        for worker_id in set(db.session.scalars(select(Registration.worker_id).where(
                Registration.event_id == event.id, Registration.state == "confirmed"))):
            notify(worker_id, "service_reminder", link=path_for("services.mine"),
                   title=event.title, when=notice_time(event.starts_at), place=event.place_name)
            sent += 1
        event.reminded_at = now
    db.session.commit()
    return sent


# Staff: events and series ------------------------------------------------------------------

@dataclass
class EventDraft:
    """What staff enter for an event; times are aware datetimes."""

    title: str
    description: str
    category: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    registration_opens_at: datetime
    registration_closes_at: datetime
    station_id: int | None = None
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    allows_dependants: bool = False


def create_events(organisation_id: int, draft: EventDraft, *, creator: User | None = None,
                  weeks: int = 1, min_attendance_pct: int | None = None,
                  previous_series_id: int | None = None, now: datetime) -> list[ServiceEvent]:
    """One event, or a weekly series of `weeks` events (same weekday and time) in one step.

    Each session's sign-up window moves with it, so every Saturday opens and closes at the
    same distance from its start."""
    series = None
    if weeks > 1 or min_attendance_pct or previous_series_id:
        series = ServiceSeries(organisation_id=organisation_id, title=draft.title,
                               previous_id=previous_series_id,
                               min_attendance_pct=min_attendance_pct or None, created_at=now)
        db.session.add(series)
        db.session.flush()
    events = []
    for week in range(max(weeks, 1)):
        shift = timedelta(weeks=week)
        fields = vars(draft).copy()
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            fields[name] = fields[name] + shift
        event = ServiceEvent(organisation_id=organisation_id, series_id=series.id if series else None,
                             created_by_id=creator.id if creator else None, created_at=now,
                             places_held=0, status="scheduled", **fields)
        db.session.add(event)
        events.append(event)
    db.session.commit()
    return events


def _change_event(event: ServiceEvent, draft: EventDraft, now_: datetime) -> None:
    """Apply `draft` to the locked `event` under the editing rules; the caller commits.

    Capacity may not drop below the places already held; a larger capacity offers the new
    places to the waiting list."""
    if draft.capacity < event.places_held:
        raise ServiceError(_("%(count)d places are already taken; the capacity cannot be lower.",
                             count=event.places_held))
    for name, value in vars(draft).items():
        setattr(event, name, value)
    _fill_free_places(event, now_)


def update_event(event_id: int, draft: EventDraft, *, now: datetime) -> ServiceEvent:
    """Change one event (see _change_event for the rules); commits."""
    _begin_fresh()
    event = _lock_event(event_id)
    try:
        _change_event(event, draft, now)
    except ServiceError:
        db.session.rollback()
        raise
    db.session.commit()
    return event


def later_sessions(event: ServiceEvent, now: datetime) -> list[ServiceEvent]:
    """The sessions of the event's series after it that a series edit changes: scheduled and
    not yet started (past and cancelled sessions are left alone)."""
    if event.series_id is None:
        return []
    return list(db.session.scalars(select(ServiceEvent).where(
        ServiceEvent.series_id == event.series_id, ServiceEvent.id != event.id,
        ServiceEvent.status == "scheduled", ServiceEvent.starts_at > event.starts_at,
        ServiceEvent.starts_at > now).order_by(ServiceEvent.starts_at, ServiceEvent.id)))


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL).replace(tzinfo=None)


def draft_for_later_session(draft: EventDraft, edited: ServiceEvent,
                            session: ServiceEvent) -> EventDraft:
    """What a series edit makes of a later session: the draft's details, the session's own
    date, and the edited session's change of start time of day and of duration, counted on
    the Beijing wall clock. Its sign-up window opens and closes as long before its start as
    the edited session's does (as create_events lays a series out)."""
    old_start, new_start = _local(edited.starts_at), _local(draft.starts_at)
    start_shift = datetime.combine(old_start.date(), new_start.time()) - old_start
    duration_change = (draft.ends_at - draft.starts_at) - (edited.ends_at - edited.starts_at)
    starts_at = (_local(session.starts_at) + start_shift).replace(tzinfo=LOCAL) \
        .astimezone(timezone.utc)
    return replace(
        draft, starts_at=starts_at,
        ends_at=starts_at + (session.ends_at - session.starts_at) + duration_change,
        registration_opens_at=starts_at - (draft.starts_at - draft.registration_opens_at),
        registration_closes_at=starts_at - (draft.starts_at - draft.registration_closes_at))


class SessionRefused(ServiceError):
    """One session of a series cannot take a series edit; nothing was changed."""

    def __init__(self, message: str, event_id: int):
        super().__init__(message)
        self.event_id = event_id


def update_series_from(event_id: int, draft: EventDraft, *, now: datetime) -> list[ServiceEvent]:
    """Change an event and every later session of its series (see later_sessions) in one
    transaction, each under update_event's rules: if any session refuses, nothing changes
    and SessionRefused names it. Returns the changed events, the edited one first."""
    _begin_fresh()
    edited = db.session.get(ServiceEvent, event_id)
    if edited is None or edited.series_id is None:
        raise ServiceError(_("This event is not part of a series."))
    # Lock every session the edit touches, in id order (two series edits lock alike), then
    # decide on what the locked rows say.
    ids = sorted({edited.id, *(session.id for session in later_sessions(edited, now))})
    _begin_fresh()
    locked = {number: _lock_event(number) for number in ids}
    edited = locked[event_id]
    later = [session for session in later_sessions(edited, now) if session.id in locked]
    # Every session's new times come from the edited session's times before the edit.
    plan = [(edited, draft)] + [(session, draft_for_later_session(draft, edited, session))
                                for session in later]
    for session, session_draft in plan:
        try:
            _change_event(session, session_draft, now)
        except ServiceError as refusal:
            db.session.rollback()
            raise SessionRefused(
                _("The session on %(when)s cannot be changed: %(reason)s Nothing was saved.",
                  when=when_text(session.starts_at), reason=str(refusal)), session.id) from None
    if edited.series is not None:
        edited.series.title = draft.title
    db.session.commit()
    return [session for session, _draft in plan]


def cancel_event(event_id: int, reason: str, *, now: datetime) -> int:
    """Cancel an event and every live registration, telling each worker; returns how many."""
    _begin_fresh()
    event = _lock_event(event_id)
    if event.status == "cancelled":
        db.session.rollback()
        return 0
    event.status = "cancelled"
    event.cancel_reason = reason.strip()
    live = db.session.scalars(select(Registration).where(
        Registration.event_id == event_id,
        Registration.state.in_(("confirmed", "waitlisted", "offered")))).all()
    for registration in live:
        _apply(event, registration, "staff_cancel", now)
    for worker_id in sorted({r.worker_id for r in live}):
        notify(worker_id, "service_event_cancelled", link=path_for("services.detail", event_id=event_id),
               title=event.title, when=notice_time(event.starts_at), reason=event.cancel_reason or "—")
    db.session.commit()
    return len(live)


# Feedback ------------------------------------------------------------------------------------

def give_feedback(registration_id: int, worker: User, rating: int, comment: str, *,
                  now: datetime) -> Registration:
    """Rate an attended event once (1–5) with an optional comment."""
    changed = db.session.execute(
        update(Registration).where(Registration.id == registration_id,
                                   Registration.worker_id == worker.id,
                                   Registration.state == "attended",
                                   Registration.rated_at.is_(None))
        .values(rating=rating, comment=comment.strip()[:500], rated_at=now)
        .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        db.session.rollback()
        raise NotAllowed(_("Only people who attended can rate an event, and only once."))
    db.session.commit()
    return db.session.get(Registration, registration_id)


def places_held_count(event_id: int) -> int:
    """Recount the places held from the registrations (tests compare it to the counter)."""
    return db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event_id, Registration.state.in_(HOLDS_PLACE))) or 0

