"""What happens to events and registrations. Every function takes `now` (views pass
clock.now(); tests pass a fixed moment) and only adds and flushes: the caller (a view or a
CLI command) wraps the call in transactions.transaction(), which owns the commit and rolls
back on any exception, so a refusal raised half-way leaves nothing behind.

Capacity (the pretix pattern): a registration locks its event row first
(transactions.lock_row; several rows in id order with lock_rows), reads how many places
are held, and inserts the registration and the new count in the same transaction.
PostgreSQL: SELECT ... FOR UPDATE; a second sign-up waits at the lock and then sees the
first one's place. SQLite: transaction() begins with BEGIN IMMEDIATE, so sign-ups run one
after another. The waiting list is in registration id order, and the id is taken when the
row is inserted, under the lock: the order in which the lock was won, so the position a
worker is told at sign-up is the position they really have. The CHECK on places_held and
the partial unique index on registrations are the backstop if any code path forgot.

A series signed up for as a term (ServiceSeries.signup_as_term): one sign-up takes a place
in every session of the period, under the locks of all its sessions, within the series'
window; cancelling, accepting or declining it does the same to every session still to come.
"""
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from babel.lists import format_list
from flask import has_request_context
from flask_babel import get_locale, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import func, select, update

import clock
from accounts.models import User
from extensions import db
from notifications.inbox import notify, path_for, register_kinds
from services import rules
from services.models import (LIVE_STATES, Registration, ServiceEvent, ServiceSeries,
                             default_max_places)
from transactions import lock_row, lock_rows

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


def _locale() -> str:
    return str((get_locale() if has_request_context() else None) or "zh_Hans")


def when_text(moment: datetime) -> str:
    """An event time in the reader's language and Beijing time, with the weekday people plan
    by: 11月28日周六 09:30, Sat, Nov 28 09:30."""
    return clock.format_moment(moment, weekday=True)


def days_text(moments) -> str:
    """Beijing days as a list in the reader's language: 12月5日周六、12月12日周六和12月19日周六."""
    return format_list([clock.format_day(moment, weekday=True) for moment in moments],
                       locale=_locale())


def notice_time(moment: datetime) -> str:
    """A time for a notification, "2026-11-28 09:30" in Beijing time: a notice is stored once
    and read later in the reader's language, so its times are language-neutral."""
    return clock.format_stamp(moment)


# Registering ----------------------------------------------------------------------------

def _window(event: ServiceEvent) -> tuple[datetime, datetime]:
    """The sign-up window that applies: the series' for a term, else the event's own."""
    if event.is_term_session and event.series.registration_opens_at is not None:
        return event.series.registration_opens_at, event.series.registration_closes_at
    return event.registration_opens_at, event.registration_closes_at


def window_problem(event: ServiceEvent, now: datetime) -> str | None:
    """'not_open', 'closed' or None (open) for the window that applies to `event`."""
    return rules.window_problem(*_window(event), now)


def _window_message(event: ServiceEvent, now_: datetime) -> str | None:
    if event.status != "scheduled":
        return _("This event was cancelled.")
    opens_at, closes_at = _window(event)
    problem = rules.window_problem(opens_at, closes_at, now_)
    if problem == "not_open":
        return _("Sign-up opens on %(when)s. Please come back then.", when=when_text(opens_at))
    if problem == "closed":
        return _("Sign-up closed on %(when)s.", when=when_text(closes_at))
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
    """The series rule: below the minimum attendance in the previous period (all its
    sessions together), no sign-up for this one."""
    series = event.series
    if series is None or series.previous_id is None or not series.min_attendance_pct:
        return None
    attended, held = attendance_in_series(series.previous_id, worker_id, person_key)
    pct = rules.attendance_pct(attended, held)
    if pct is not None and pct < series.min_attendance_pct:
        return _("Attendance in the previous period was %(pct)d%%, below the %(min)d%% needed "
                 "to sign up for this one.", pct=pct, min=series.min_attendance_pct)
    return None


def term_sessions(series_id: int, now: datetime) -> list[ServiceEvent]:
    """The sessions of a term still to come (scheduled, not started), soonest first."""
    return list(db.session.scalars(select(ServiceEvent).where(
        ServiceEvent.series_id == series_id, ServiceEvent.status == "scheduled",
        ServiceEvent.starts_at > now).order_by(ServiceEvent.starts_at, ServiceEvent.id)))


def _live_places_of(event_id: int, worker_id: int) -> int:
    return db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event_id, Registration.worker_id == worker_id,
        Registration.state.in_(LIVE_STATES))) or 0


def _refusal_for(event: ServiceEvent, worker: User, person_key: str) -> str | None:
    """Why this person may not have another place at the locked `event`, or None."""
    already = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.worker_id == worker.id,
        Registration.person_key == person_key, Registration.state.in_(LIVE_STATES)))
    if already:
        return _("%(name)s is already signed up for this event.", name=person_key) \
            if person_key else _("You are already signed up for this event.")
    taken = _live_places_of(event.id, worker.id)
    if taken >= event.max_places_per_worker:
        return ngettext("One worker may take %(num)d place at this event, so that places go "
                        "round; you have %(count)d already.",
                        "One worker may take at most %(num)d places at this event (for "
                        "themselves and their children), so that places go round; you have "
                        "%(count)d already.", event.max_places_per_worker, count=taken)
    return None


def register(event_id: int, worker: User, *, now: datetime, dependant_name: str = "",
             dependant_age: int | None = None) -> Registration:
    """Sign `worker` (or their dependant) up: confirmed while places remain, else waitlisted.

    A session of a term signs up for the whole term (every session still to come); the
    registration for `event_id` is returned."""
    dependant_name = (dependant_name or "").strip()
    event = db.session.get(ServiceEvent, event_id)
    if event is None:
        raise RegistrationRefused(_("This event does not exist."))
    # Lock first, then read everything the decision rests on.
    if event.is_term_session:
        term = {s.id for s in term_sessions(event.series_id, now)}
        locked = {s.id: s for s in lock_rows(ServiceEvent, {event_id, *term})}
        event, sessions = locked[event_id], [locked[i] for i in sorted(term) if i in locked]
    else:
        event = lock_row(ServiceEvent, event_id)
        sessions = [event]
    problem = _window_message(event, now)
    if problem is None and event not in sessions:
        problem = _("This term has already started; sign-up is closed.")
    if problem is None and dependant_name and not event.allows_dependants:
        problem = _("This event is for workers themselves; children cannot be signed up.")
    if problem is None and dependant_name and dependant_age is None:
        problem = _("Please give the child's age.")
    if problem is None:
        problem = eligibility_problem(event, worker.id, dependant_name)
    for session in sessions:
        problem = problem or _refusal_for(session, worker, dependant_name)
    if problem:
        raise RegistrationRefused(problem)
    room = all(session.places_held < session.capacity and not db.session.scalar(
        select(func.count(Registration.id)).where(Registration.event_id == session.id,
                                                  Registration.state == "waitlisted"))
        for session in sessions)
    state = "confirmed" if room else "waitlisted"
    mine = None
    for session in sessions:
        registration = Registration(
            event_id=session.id, worker_id=worker.id, person_key=dependant_name,
            dependant_name=dependant_name,
            dependant_age=dependant_age if dependant_name else None,
            state=state, queued_at=now, changed_at=now)
        db.session.add(registration)
        if state == "confirmed":
            session.places_held += 1
        if session.id == event_id:
            mine = registration
    db.session.flush()
    return mine


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when the registration is not waiting."""
    if registration.state != "waitlisted":
        return None
    ahead = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == registration.event_id, Registration.state == "waitlisted",
        Registration.id < registration.id))
    return (ahead or 0) + 1


def term_registrations(registration: Registration, now: datetime | None = None) -> list[Registration]:
    """Every registration of the same term sign-up (same series, worker and person), in
    session order; only the sessions still to come when `now` is given. A registration
    outside a term is its own list. For a live registration these are the live ones; for an
    ended one (cancelled, lapsed), those that ended with it in the same step."""
    event = registration.event
    if not event.is_term_session:
        return [registration]
    query = select(Registration).join(ServiceEvent).where(
        ServiceEvent.series_id == event.series_id, Registration.worker_id == registration.worker_id,
        Registration.person_key == registration.person_key)
    if registration.state in LIVE_STATES:
        query = query.where(Registration.state.in_(LIVE_STATES))
    else:
        query = query.where(Registration.state == registration.state,
                            Registration.changed_at == registration.changed_at)
    if now is not None:
        query = query.where(ServiceEvent.starts_at > now)
    found = list(db.session.scalars(query.order_by(ServiceEvent.starts_at, Registration.id)))
    return found or [registration]


# Moving registrations through the table ----------------------------------------------------

def _apply(event: ServiceEvent, registration: Registration, action: str, now_: datetime) -> str:
    """Apply one legal step to a registration of the locked `event`."""
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
            .order_by(Registration.id).limit(1)).first()
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
        Registration.offer_expires_at <= now_).order_by(Registration.id)).all()
    for registration in lapsed:
        _apply(event, registration, "lapse", now_)
        notify(registration.worker_id, "service_offer_lapsed", link=path_for("services.mine"),
               title=event.title)
    return len(lapsed)


@dataclass
class Outcome:
    """What an action did: the registration it was asked about (after the step), the state
    it came from, how many sessions changed (a term counts each), and how many places were
    offered on to people waiting."""

    registration: Registration
    from_state: str
    sessions: int = 1
    passed_on: int = 0

    @property
    def state(self) -> str:
        return self.registration.state


TERM_ACTIONS = ("cancel", "accept", "decline")


def act(registration_id: int, action: str, actor: User, *, now: datetime) -> Outcome:
    """Take `action` on a registration as `actor` (its worker, or staff of the event's
    organisation), then offer any freed place to the next in line.

    A worker's cancel, accept or decline of a term registration applies to every session of
    the term still to come."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotAllowed(_("This registration does not exist."))
    together = term_registrations(registration, now) if action in TERM_ACTIONS else [registration]
    if registration not in together:
        together = [registration]
    events = {event.id: event for event in
              lock_rows(ServiceEvent, [r.event_id for r in together])}
    # Read the registrations again under the locks.
    together = list(db.session.scalars(
        select(Registration).where(Registration.id.in_([r.id for r in together]))
        .order_by(Registration.id).execution_options(populate_existing=True)))
    registration = next(r for r in together if r.id == registration_id)
    event = events[registration.event_id]
    for locked in events.values():
        _lapse_offers(locked, now)
    step = rules.step_for(registration.state, action)
    if step is None or step.party == rules.SYSTEM or (
            step.party == rules.WORKER and registration.worker_id != actor.id) or (
            step.party == rules.STAFF and not event.is_managed_by(actor)):
        raise NotAllowed(_("This registration cannot be changed that way now."))
    if action == "accept" and now >= event.starts_at:
        raise NotAllowed(_("The event has started."))
    from_state = registration.state
    changed = []
    for each in together:
        # The other sessions of a term take the same step where it is legal (an open offer
        # of a term being cancelled is declined).
        each_action = "decline" if action == "cancel" and each.state == "offered" else action
        if each is not registration and not rules.step_for(each.state, each_action):
            continue
        _apply(events[each.event_id], each, each_action, now)
        changed.append(each)
        if action == "staff_cancel":
            notify(each.worker_id, "service_registration_cancelled",
                   link=path_for("services.mine"), title=events[each.event_id].title,
                   when=notice_time(events[each.event_id].starts_at))
    passed_on = sum(len(_fill_free_places(locked, now)) for locked in events.values())
    db.session.flush()
    return Outcome(registration, from_state, len(changed), passed_on)


def events_with_overdue_offers(now: datetime, event_ids=None) -> list[int]:
    """Events (of `event_ids`, or all) with an offer past its deadline, in id order."""
    query = select(Registration.event_id).distinct().where(
        Registration.state == "offered", Registration.offer_expires_at <= now)
    if event_ids is not None:
        query = query.where(Registration.event_id.in_(list(event_ids)))
    return sorted(db.session.scalars(query))


def sweep_offers(event_id: int, *, now: datetime) -> int:
    """Lapse the event's overdue offers and pass the places on; returns how many lapsed."""
    if not events_with_overdue_offers(now, [event_id]):
        return 0
    event = lock_row(ServiceEvent, event_id)
    count = _lapse_offers(event, now)
    _fill_free_places(event, now)
    db.session.flush()
    return count


def sweep_all_offers(*, now: datetime) -> int:
    """Every overdue offer everywhere (the `flask services tick` job), events in id order."""
    return sum(sweep_offers(event_id, now=now) for event_id in events_with_overdue_offers(now))


def send_reminders(*, now: datetime) -> int:
    """Remind everyone holding a place at events starting in the next 24 h, once per event."""
    events = db.session.scalars(select(ServiceEvent).where(
        ServiceEvent.status == "scheduled", ServiceEvent.reminded_at.is_(None),
        ServiceEvent.starts_at > now, ServiceEvent.starts_at <= now + timedelta(hours=24))
        .order_by(ServiceEvent.id)).all()
    sent = 0
    for event in events:
        for worker_id in sorted(set(db.session.scalars(select(Registration.worker_id).where(
                Registration.event_id == event.id, Registration.state == "confirmed")))):
            notify(worker_id, "service_reminder", link=path_for("services.mine"),
                   title=event.title, when=notice_time(event.starts_at), place=event.place_name)
            sent += 1
        event.reminded_at = now
    db.session.flush()
    return sent


# Staff: events and series ------------------------------------------------------------------

@dataclass
class EventDraft:
    """What staff enter for an event; times are aware datetimes. `max_places_per_worker`
    None means the category's default (services.models.default_max_places)."""

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
    max_places_per_worker: int | None = None

    def fields(self) -> dict:
        """The event's columns, with the per-worker cap filled in."""
        fields = vars(self).copy()
        fields["max_places_per_worker"] = self.max_places_per_worker or default_max_places(self.category)
        return fields


def create_events(organisation_id: int, draft: EventDraft, *, creator: User | None = None,
                  weeks: int = 1, min_attendance_pct: int | None = None,
                  previous_series_id: int | None = None, as_term: bool = False,
                  now: datetime) -> list[ServiceEvent]:
    """One event, or a weekly series of `weeks` events (same weekday and time) in one step.

    Each session's sign-up window moves with it, so every Saturday opens and closes at the
    same distance from its start; a term (`as_term`) has one window, the draft's, for all."""
    series = None
    if weeks > 1 or min_attendance_pct or previous_series_id or as_term:
        series = ServiceSeries(organisation_id=organisation_id, title=draft.title,
                               previous_id=previous_series_id,
                               min_attendance_pct=min_attendance_pct or None, created_at=now,
                               signup_as_term=as_term,
                               registration_opens_at=draft.registration_opens_at if as_term else None,
                               registration_closes_at=draft.registration_closes_at if as_term else None)
        db.session.add(series)
        db.session.flush()
    events = []
    for week in range(max(weeks, 1)):
        shift = timedelta(weeks=week)
        fields = draft.fields()
        for name in ("starts_at", "ends_at") if as_term else (
                "starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            fields[name] = fields[name] + shift
        event = ServiceEvent(organisation_id=organisation_id, series_id=series.id if series else None,
                             created_by_id=creator.id if creator else None, created_at=now,
                             places_held=0, status="scheduled", **fields)
        db.session.add(event)
        events.append(event)
    db.session.flush()
    return events


def _change_event(event: ServiceEvent, draft: EventDraft, now_: datetime) -> None:
    """Apply `draft` to the locked `event` under the editing rules.

    Capacity may not drop below the places already held; a larger capacity offers the new
    places to the waiting list."""
    if draft.capacity < event.places_held:
        raise ServiceError(_("%(count)d places are already taken; the capacity cannot be lower.",
                             count=event.places_held))
    for name, value in draft.fields().items():
        setattr(event, name, value)
    _fill_free_places(event, now_)


def update_event(event_id: int, draft: EventDraft, *, now: datetime) -> ServiceEvent:
    """Change one event (see _change_event for the rules)."""
    event = lock_row(ServiceEvent, event_id)
    if event is None:
        raise ServiceError(_("This event does not exist."))
    _change_event(event, draft, now)
    db.session.flush()
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


def _wall(moment: datetime) -> datetime:
    """`moment` on Beijing wall clocks, without the zone (for wall-clock arithmetic)."""
    return clock.local(moment).replace(tzinfo=None)


def draft_for_later_session(draft: EventDraft, edited: ServiceEvent,
                            session: ServiceEvent) -> EventDraft:
    """What a series edit makes of a later session: the draft's details, the session's own
    date, and the edited session's change of start time of day and of duration, counted on
    the Beijing wall clock. Its sign-up window opens and closes as long before its start as
    the edited session's does (as create_events lays a series out); a term keeps one window."""
    old_start, new_start = _wall(edited.starts_at), _wall(draft.starts_at)
    start_shift = datetime.combine(old_start.date(), new_start.time()) - old_start
    duration_change = (draft.ends_at - draft.starts_at) - (edited.ends_at - edited.starts_at)
    starts_at = (_wall(session.starts_at) + start_shift).replace(tzinfo=clock.DEFAULT_ZONE) \
        .astimezone(timezone.utc)
    later = replace(draft, starts_at=starts_at,
                    ends_at=starts_at + (session.ends_at - session.starts_at) + duration_change)
    if edited.is_term_session:
        return later
    return replace(
        later, registration_opens_at=starts_at - (draft.starts_at - draft.registration_opens_at),
        registration_closes_at=starts_at - (draft.starts_at - draft.registration_closes_at))


class SessionRefused(ServiceError):
    """One session of a series cannot take a series edit; nothing was changed."""

    def __init__(self, message: str, event_id: int):
        super().__init__(message)
        self.event_id = event_id


def update_series_from(event_id: int, draft: EventDraft, *, now: datetime) -> list[ServiceEvent]:
    """Change an event and every later session of its series (see later_sessions) in one
    transaction, each under update_event's rules: if any session refuses, SessionRefused
    names it (and the caller's transaction rolls everything back). Returns the changed
    events, the edited one first."""
    edited = db.session.get(ServiceEvent, event_id)
    if edited is None or edited.series_id is None:
        raise ServiceError(_("This event is not part of a series."))
    # Lock every session the edit touches, in id order (two series edits lock alike), then
    # decide on what the locked rows say.
    locked = {event.id: event for event in lock_rows(
        ServiceEvent, {edited.id, *(session.id for session in later_sessions(edited, now))})}
    edited = locked[event_id]
    later = [session for session in later_sessions(edited, now) if session.id in locked]
    # Every session's new times come from the edited session's times before the edit.
    plan = [(edited, draft)] + [(session, draft_for_later_session(draft, edited, session))
                                for session in later]
    for session, session_draft in plan:
        try:
            _change_event(session, session_draft, now)
        except ServiceError as refusal:
            raise SessionRefused(
                _("The session on %(when)s cannot be changed: %(reason)s Nothing was saved.",
                  when=when_text(session.starts_at), reason=str(refusal)), session.id) from None
    if edited.series is not None:
        edited.series.title = draft.title
        if edited.series.signup_as_term:
            edited.series.registration_opens_at = draft.registration_opens_at
            edited.series.registration_closes_at = draft.registration_closes_at
    db.session.flush()
    return [session for session, _draft in plan]


def cancel_event(event_id: int, reason: str, *, now: datetime) -> int:
    """Cancel an event and every live registration, telling each worker; returns how many."""
    event = lock_row(ServiceEvent, event_id)
    if event is None or event.status == "cancelled":
        return 0
    event.status = "cancelled"
    event.cancel_reason = reason.strip()
    live = db.session.scalars(select(Registration).where(
        Registration.event_id == event_id,
        Registration.state.in_(("confirmed", "waitlisted", "offered")))
        .order_by(Registration.id)).all()
    for registration in live:
        _apply(event, registration, "staff_cancel", now)
    for worker_id in sorted({r.worker_id for r in live}):
        notify(worker_id, "service_event_cancelled", link=path_for("services.detail", event_id=event_id),
               title=event.title, when=notice_time(event.starts_at), reason=event.cancel_reason or "—")
    db.session.flush()
    return len(live)


# Feedback ------------------------------------------------------------------------------------

def give_feedback(registration_id: int, worker: User, rating: int, comment: str, *,
                  now: datetime) -> Registration:
    """Rate an attended event once (1–5) with an optional comment: a conditional UPDATE, so
    two taps cannot both count."""
    changed = db.session.execute(
        update(Registration).where(Registration.id == registration_id,
                                   Registration.worker_id == worker.id,
                                   Registration.state == "attended",
                                   Registration.rated_at.is_(None))
        .values(rating=rating, comment=comment.strip()[:500], rated_at=now)
        .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise NotAllowed(_("Only people who attended can rate an event, and only once."))
    registration = db.session.get(Registration, registration_id)
    db.session.refresh(registration)
    return registration
