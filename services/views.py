"""Worker pages: the catalogue, an event with sign-up (alone or for a whole term), My
services with offers, cancelling after a confirmation and .ics, QR tickets and feedback.
Staff pages are in services.staff_views. Each write runs in one transactions.transaction()."""
from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import clock
from accounts.phones import masked, spaced
from accounts.policy import public, requires
from extensions import db
from i18n import safe_next
from pages import (absolute_url_for, redirect_after_write, render_page_or_fragment,
                   wants_fragment)
from services import calendar, operations, queries, rules, tickets
from services.forms import CatalogueFilterForm, FeedbackForm, RegisterForm
from services.models import LIVE_STATES, Registration, ServiceEvent
from services.vocabulary import CATEGORY_LABELS, STATE_LABELS
from transactions import transaction

blueprint = Blueprint("services", __name__, url_prefix="/services", template_folder="templates")


@blueprint.app_context_processor
def labels() -> dict:
    return {"service_category_labels": CATEGORY_LABELS, "registration_state_labels": STATE_LABELS,
            "when_text": operations.when_text, "days_text": operations.days_text,
            "mask_phone": masked, "spaced_phone": spaced, "registration_step_for": rules.step_for}


def sweep_overdue_offers(event_ids) -> None:
    """Lapse offers past their deadline before showing places (the tick job does it too);
    only a page that has some takes the write lock."""
    now = clock.now()
    due = operations.events_with_overdue_offers(now, event_ids)
    if due:
        with transaction():
            for event_id in due:
                operations.sweep_offers(event_id, now=now)


@blueprint.get("")
@public
def index():
    form = CatalogueFilterForm(request.args)
    form.validate()
    near = (float(form.lat.data), float(form.lon.data)) \
        if form.lat.data is not None and form.lon.data is not None and not form.lat.errors \
        and not form.lon.errors else None
    listed = queries.catalogue(now=clock.now(), category=form.category.data or "",
                               day=form.day.data if not form.day.errors else None, near=near)
    return render_page_or_fragment("services/index.html", "services/_catalogue.html",
                                   form=form, listed=listed, near=near)


def _event_or_404(event_id: int) -> ServiceEvent:
    event = db.session.get(ServiceEvent, event_id)
    if event is None:
        abort(404)
    return event


def _panel(event: ServiceEvent, *, form=None, message: str | None = None, status: int = 200):
    db.session.refresh(event)
    now = clock.now()
    mine = [r for r in queries.registrations_of(current_user.id, event.id)
            if r.state in LIVE_STATES] if current_user.is_authenticated else []
    taken = len(mine)
    return render_page_or_fragment(
        "services/detail.html", "services/_panel.html", status=status, event=event,
        form=form or RegisterForm(formdata=None), message=message, message_is_error=status >= 400,
        mine=mine, positions={r.id: operations.waitlist_position(r) for r in mine},
        can_add=taken < event.max_places_per_worker and (event.allows_dependants or not taken),
        term=operations.term_sessions(event.series_id, now) if event.is_term_session else [],
        window=operations.window_problem(event, now), now=now,
        manages=event.is_managed_by(current_user),
        next_url=url_for("services.detail", event_id=event.id))


@blueprint.get("/<int:event_id>")
@public
def detail(event_id: int):
    event = _event_or_404(event_id)
    sweep_overdue_offers([event.id])
    return _panel(event)


def signed_up_message(registration: Registration, position: int | None, sessions: int) -> str:
    """What happened at sign-up, in words: who has a place (or which place in line), and
    for a term, that it covers every session."""
    who = registration.dependant_name
    title = registration.event.title
    if registration.state == "confirmed":
        if sessions > 1:
            return _("%(name)s has a place at all %(count)d sessions of “%(title)s”.",
                     name=who, count=sessions, title=title) if who else \
                _("You have a place at all %(count)d sessions of “%(title)s”. See you there!",
                  count=sessions, title=title)
        return _("%(name)s has a place at “%(title)s”.", name=who, title=title) if who else \
            _("You have a place at “%(title)s”. See you there!", title=title)
    if who:
        return _("The event is full. %(name)s is number %(position)d on the waiting list; we "
                 "will tell you if a place comes free.", name=who, position=position)
    return _("The event is full. You are number %(position)d on the waiting list; we will "
             "tell you if a place comes free.", position=position)


@blueprint.post("/<int:event_id>/register")
@requires("register_for_events")
def register(event_id: int):
    event = _event_or_404(event_id)
    form = RegisterForm()
    if not form.validate():
        return _panel(event, form=form, status=422)
    try:
        with transaction():
            registration = operations.register(event.id, current_user, now=clock.now(),
                                               dependant_name=form.dependant_name.data or "",
                                               dependant_age=form.dependant_age.data)
            # Told inside the transaction that placed it: the position it really has.
            message = signed_up_message(registration, operations.waitlist_position(registration),
                                        len(operations.term_registrations(registration)))
    except operations.RegistrationRefused as refusal:
        return _panel(event, form=form, message=str(refusal), status=422)
    if wants_fragment():
        return _panel(event, message=message)
    flash(message)
    return redirect_after_write(url_for("services.detail", event_id=event_id))


def _own_registration_or_404(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.worker_id != current_user.id:
        abort(404)
    return registration


def action_message(action: str, outcome: operations.Outcome) -> str:
    """What a worker's action actually did: left the line or gave up a place, for how many
    sessions, and whether the place went on to someone waiting."""
    if action == "accept":
        return _("Accepted: the place is yours.") if outcome.sessions == 1 else \
            _("Accepted: the places at all %(count)d sessions are yours.", count=outcome.sessions)
    if action == "cancel" and outcome.from_state == "waitlisted":
        return _("You left the waiting list.")
    if outcome.sessions > 1:
        done = _("Cancelled for the %(count)d sessions still to come.", count=outcome.sessions)
    else:
        done = _("Declined.") if action == "decline" else _("Your place is cancelled.")
    then = _("It was offered to the next person on the waiting list.") if outcome.passed_on \
        else _("It is free again for someone else.")
    # Two sentences in a row: a space between them in English, none in Chinese.
    return _("%(done)s %(then)s", done=done, then=then)


WORKER_ACTIONS = ("cancel", "accept", "decline")


def _registration_fragment(registration: Registration, *, message=None, status=200,
                           confirming: bool = False):
    """The registration's block (htmx), with the event's places-left count out of band."""
    event = registration.event
    db.session.refresh(event)
    return render_page_or_fragment(
        "services/confirm_cancel.html",
        "services/_registration.html", status=status, registration=registration,
        position=operations.waitlist_position(registration), message=message,
        message_is_error=status >= 400, now=clock.now(), confirming=confirming,
        term=_term_of(registration, clock.now()),
        next_url=safe_next(request.values.get("next") or url_for("services.mine")),
        feedback_form=FeedbackForm(formdata=None), places_event=event)


@blueprint.get("/registrations/<int:registration_id>/cancel")
@requires("register_for_events")
def confirm_cancel(registration_id: int):
    """'Give up your place?': the question the cancel button asks first, as a dialog in the
    page (htmx) or as a page of its own (without JavaScript)."""
    registration = _own_registration_or_404(registration_id)
    if not rules.step_for(registration.state, "cancel"):
        return _registration_fragment(registration, message=_(
            "This registration cannot be changed that way now."), status=409)
    return _registration_fragment(registration, confirming=True)


@blueprint.post("/registrations/<int:registration_id>/<action>")
@requires("register_for_events")
def act(registration_id: int, action: str):
    if action not in WORKER_ACTIONS:
        abort(404)
    registration = _own_registration_or_404(registration_id)
    try:
        with transaction():
            outcome = operations.act(registration.id, action, current_user, now=clock.now())
            message, status = action_message(action, outcome), 200
    except operations.ServiceError as refusal:
        message, status = str(refusal), 409
    registration = db.session.get(Registration, registration_id)
    if wants_fragment():
        if request.form.get("next") == url_for("services.detail", event_id=registration.event_id):
            # On the event's own page more than this registration changes (a place given up
            # brings the sign-up form back): the whole panel is swapped instead.
            response = _panel(registration.event, message=message, status=status)
            response.headers["HX-Retarget"] = "#event-panel"
            response.headers["HX-Reswap"] = "outerHTML"
            return response
        return _registration_fragment(registration, message=message, status=status)
    flash(message)
    return redirect_after_write(safe_next(request.form.get("next") or url_for("services.mine")))


@blueprint.get("/mine")
@requires("register_for_events")
def mine():
    sweep_overdue_offers({r.event_id for r in queries.registrations_of(current_user.id)
                          if r.state == "offered"})
    now = clock.now()
    upcoming, past = queries.my_services(current_user.id, now)
    return render_page_or_fragment(
        "services/mine.html", "services/_mine.html", upcoming=upcoming, past=past, now=now,
        positions={r.id: operations.waitlist_position(r) for r in upcoming},
        terms={r.id: _term_of(r, now) for r in upcoming}, next_url=url_for("services.mine"),
        feedback_form=FeedbackForm(formdata=None))


def _term_of(registration: Registration, now) -> list[Registration]:
    """The registrations of its term sign-up still to come (just itself outside one)."""
    term = operations.term_registrations(registration, now)
    return term if registration in term else [registration]


@blueprint.get("/<int:event_id>.ics")
@public
def ics(event_id: int):
    event = _event_or_404(event_id)
    body = calendar.event_ics(event, absolute_url_for("services.detail", event_id=event.id),
                              now=clock.now())
    return body, 200, {"Content-Type": "text/calendar; charset=utf-8",
                       "Content-Disposition": f'attachment; filename="yizhan-event-{event.id}.ics"'}


@blueprint.get("/registrations/<int:registration_id>/ticket")
@requires("register_for_events")
def ticket(registration_id: int):
    registration = _own_registration_or_404(registration_id)
    return render_page_or_fragment("services/ticket.html", "services/ticket.html",
                                   registration=registration,
                                   code=tickets.ticket_code(registration.id))


@blueprint.get("/registrations/<int:registration_id>/ticket.png")
@requires("register_for_events")
def ticket_png(registration_id: int):
    registration = _own_registration_or_404(registration_id)
    return tickets.ticket_png(tickets.ticket_code(registration.id)), 200, {
        "Content-Type": "image/png", "Cache-Control": "private, max-age=3600"}


@blueprint.post("/registrations/<int:registration_id>/feedback")
@requires("register_for_events")
def feedback(registration_id: int):
    registration = _own_registration_or_404(registration_id)
    form = FeedbackForm()
    if form.validate():
        try:
            with transaction():
                operations.give_feedback(registration.id, current_user, form.rating.data,
                                         form.comment.data or "", now=clock.now())
            flash(_("Thank you for your feedback."))
        except operations.ServiceError as refusal:
            flash(str(refusal))
    else:
        flash(_("Please choose a rating from 1 to 5."))
    return redirect_after_write(url_for("services.mine"))
