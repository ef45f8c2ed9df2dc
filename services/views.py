"""Worker pages: the catalogue, an event with sign-up, My services with offers and .ics,
QR tickets and feedback. Staff pages are in services.staff_views."""
from datetime import datetime, timezone

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.phones import masked, spaced
from accounts.policy import public, requires
from extensions import db
from pages import absolute_url_for, render_page_or_fragment, wants_fragment
from services import calendar, operations, queries, rules, tickets
from services.forms import CatalogueFilterForm, FeedbackForm, RegisterForm
from services.models import Registration, ServiceEvent
from services.vocabulary import CATEGORY_LABELS, STATE_LABELS

blueprint = Blueprint("services", __name__, url_prefix="/services", template_folder="templates")


def clock() -> datetime:
    """Now; tests move it with app.config["SERVICES_NOW"] (an aware datetime)."""
    from flask import current_app

    return current_app.config.get("SERVICES_NOW") or datetime.now(timezone.utc)


@blueprint.app_context_processor
def labels() -> dict:
    return {"service_category_labels": CATEGORY_LABELS, "registration_state_labels": STATE_LABELS,
            "when_text": operations.when_text, "days_text": operations.days_text, "mask_phone": masked, "spaced_phone": spaced,
            "registration_step_for": rules.step_for,
            "local_clock": lambda moment: moment.astimezone(operations.LOCAL).strftime("%H:%M")}


@blueprint.get("")
@public
def index():
    form = CatalogueFilterForm(request.args)
    form.validate()
    near = (float(form.lat.data), float(form.lon.data)) \
        if form.lat.data is not None and form.lon.data is not None and not form.lat.errors \
        and not form.lon.errors else None
    listed = queries.catalogue(now=clock(), category=form.category.data or "",
                               day=form.day.data if not form.day.errors else None, near=near)
    return render_page_or_fragment("services/index.html", "services/_catalogue.html",
                                   form=form, listed=listed, near=near)


def _event_or_404(event_id: int) -> ServiceEvent:
    event = db.session.get(ServiceEvent, event_id)
    if event is None:
        abort(404)
    return event


def _panel(event: ServiceEvent, *, form=None, message: str | None = None, status: int = 200):
    mine = queries.registrations_of(current_user.id, event.id) \
        if current_user.is_authenticated else []
    now = clock()
    return render_page_or_fragment(
        "services/detail.html", "services/_panel.html", status=status, event=event,
        form=form or RegisterForm(formdata=None), message=message, message_is_error=status >= 400,
        mine=mine, positions={r.id: operations.waitlist_position(r) for r in mine},
        window=rules.window_problem(event.registration_opens_at, event.registration_closes_at, now),
        now=now, manages=event.is_managed_by(current_user))


@blueprint.get("/<int:event_id>")
@public
def detail(event_id: int):
    event = _event_or_404(event_id)
    operations.sweep_offers(event.id, now=clock())
    return _panel(event)


@blueprint.post("/<int:event_id>/register")
@requires("register_for_events")
def register(event_id: int):
    event = _event_or_404(event_id)
    form = RegisterForm()
    if not form.validate():
        return _panel(event, form=form, status=422)
    try:
        registration = operations.register(event.id, current_user, now=clock(),
                                           dependant_name=form.dependant_name.data or "",
                                           dependant_age=form.dependant_age.data)
    except operations.RegistrationRefused as refusal:
        return _panel(db.session.get(ServiceEvent, event_id), form=form, message=str(refusal),
                      status=422)
    if registration.state == "confirmed":
        message = _("You have a place. See you there!")
    else:
        message = _("The event is full. You are number %(position)d on the waiting list; we will "
                    "tell you if a place comes free.",
                    position=operations.waitlist_position(registration))
    if wants_fragment():
        return _panel(db.session.get(ServiceEvent, event_id), message=message)
    flash(message)
    return redirect(url_for("services.detail", event_id=event_id), 303)


def _own_registration_or_404(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.worker_id != current_user.id:
        abort(404)
    return registration


WORKER_ACTIONS = ("cancel", "accept", "decline")


@blueprint.post("/registrations/<int:registration_id>/<action>")
@requires("register_for_events")
def act(registration_id: int, action: str):
    if action not in WORKER_ACTIONS:
        abort(404)
    registration = _own_registration_or_404(registration_id)
    try:
        operations.act(registration.id, action, current_user, now=clock())
        message, status = {"cancel": _("Cancelled. Your place goes to the next person waiting."),
                           "accept": _("Accepted: the place is yours."),
                           "decline": _("Declined. Thank you for letting the next person have it.")}[action], 200
    except operations.ServiceError as refusal:
        message, status = str(refusal), 409
    registration = db.session.get(Registration, registration_id)
    if wants_fragment():
        return render_page_or_fragment(
            "services/mine.html", "services/_registration.html", status=status,
            registration=registration, position=operations.waitlist_position(registration),
            message=message, message_is_error=status >= 400, now=clock(),
            feedback_form=FeedbackForm(formdata=None))
    flash(message)
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("services.mine")
    return redirect(target, 303)


@blueprint.get("/mine")
@requires("register_for_events")
def mine():
    now = clock()
    for event_id in {r.event_id for r in queries.registrations_of(current_user.id)
                     if r.state == "offered"}:
        operations.sweep_offers(event_id, now=now)
    upcoming, past = queries.my_services(current_user.id, now)
    return render_page_or_fragment(
        "services/mine.html", "services/_mine.html", upcoming=upcoming, past=past, now=now,
        positions={r.id: operations.waitlist_position(r) for r in upcoming},
        feedback_form=FeedbackForm(formdata=None))


@blueprint.get("/<int:event_id>.ics")
@public
def ics(event_id: int):
    event = _event_or_404(event_id)
    body = calendar.event_ics(event, absolute_url_for("services.detail", event_id=event.id),
                              now=clock())
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
            operations.give_feedback(registration.id, current_user, form.rating.data,
                                     form.comment.data or "", now=clock())
            flash(_("Thank you for your feedback."))
        except operations.ServiceError as refusal:
            flash(str(refusal))
    else:
        flash(_("Please choose a rating from 1 to 5."))
    return redirect(url_for("services.mine"), 303)
