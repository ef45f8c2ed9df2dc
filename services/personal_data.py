"""What the services domain keeps about a person, for their export and their deletion
(registered with accounts.personal_data): registrations with their dependants, tickets,
attendance and feedback."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import clock
from accounts import personal_data
from extensions import db
from services import operations
from services.models import Registration, ServiceEvent
from services.tickets import ticket_code

# A worker's own step that gives up each live state's place (services.rules).
_GIVE_UP = {"confirmed": "cancel", "waitlisted": "cancel", "offered": "decline"}
_TICKETED = ("confirmed", "attended", "no_show")


def _registrations(user) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).join(ServiceEvent).where(Registration.worker_id == user.id)
        .order_by(ServiceEvent.starts_at, Registration.id)))


def _event(registration: Registration) -> dict:
    event = registration.event
    return {"event_id": event.id, "event": event.title,
            "starts_at": clock.format_stamp(event.starts_at), "place": event.place_name}


def export_registrations(user) -> list[dict]:
    return [{**_event(r), "state": r.state, "for": "dependant" if r.dependant_name else "self",
             "dependant_name": r.dependant_name or None, "dependant_age": r.dependant_age,
             "registered_at": clock.format_stamp(r.queued_at)}
            for r in _registrations(user)]


def export_tickets(user) -> list[dict]:
    return [{**_event(r), "ticket": ticket_code(r.id)}
            for r in _registrations(user) if r.state in _TICKETED]


def export_attendance(user) -> list[dict]:
    return [{**_event(r), "attended": r.state == "attended"}
            for r in _registrations(user) if r.state in ("attended", "no_show")]


def export_feedback(user) -> list[dict]:
    return [{**_event(r), "rating": r.rating, "comment": r.comment,
             "rated_at": clock.format_stamp(r.rated_at)}
            for r in _registrations(user) if r.rated_at is not None]


def give_up_future_places(user, now: datetime) -> None:
    """Cancel the person's registrations for events not yet started, through the normal
    operation, so each freed place is offered to the next in line."""
    future = db.session.scalars(
        select(Registration.id).join(ServiceEvent)
        .where(Registration.worker_id == user.id, Registration.state.in_(tuple(_GIVE_UP)),
               ServiceEvent.starts_at > now).order_by(Registration.id)).all()
    for registration_id in future:
        # Giving up one session of a term gives up the term's later ones too: read again.
        state = db.session.scalar(select(Registration.state).where(Registration.id == registration_id))
        if state in _GIVE_UP:
            operations.act(registration_id, _GIVE_UP[state], user, now=now)


def erase(user, now: datetime) -> None:
    """Give up future places, then erase dependants' names and ages and feedback comments.
    States, ratings and attendance stay: they make the unions' counts and rates."""
    give_up_future_places(user, now)
    for registration in db.session.scalars(
            select(Registration).where(Registration.worker_id == user.id)):
        registration.dependant_name = ""
        registration.dependant_age = None
        if registration.person_key:
            # Still one key per person and event (the unique index), naming no one.
            registration.person_key = f"erased-{registration.id}"
        registration.comment = ""
    db.session.flush()


def _erase_none(user, now: datetime) -> None:
    """Erased with the registrations."""


def register_personal_data() -> None:
    personal_data.register("registrations", title=_l("Event registrations and dependants"),
                           export=export_registrations, erase=erase, order=10)
    personal_data.register("tickets", title=_l("Tickets"), export=export_tickets,
                           erase=_erase_none, order=11)
    personal_data.register("attendance", title=_l("Attendance"), export=export_attendance,
                           erase=_erase_none, order=12)
    personal_data.register("feedback", title=_l("Feedback on events"), export=export_feedback,
                           erase=_erase_none, order=13)
