"""Staff pages: our events, create (one or a weekly series), edit (one session, or it and the
later ones of its series), cancel, the roster with one-tap attendance, ticket codes (typed or
from the camera scanner), one audited phone reveal per row, exports, and satisfaction
figures. Every page is scoped to the staff member's organisation by
ServiceEvent.managed_by."""
from flask import Blueprint, abort, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

import clock
from accounts import rate_limits
from accounts import services as accounts
from accounts.policy import requires
from extensions import db
from pages import redirect_after_write, render_page_or_fragment, wants_fragment
from rest_stations.models import Station
from services import exports, operations, queries, tickets
from services.forms import CancelEventForm, EventForm, TicketCodeForm
from services.models import Registration, ServiceEvent, ServiceSeries
from transactions import transaction

blueprint = Blueprint("services_staff", __name__, url_prefix="/staff/services",
                      template_folder="templates")


def _organisation_id() -> int | None:
    return current_user.organisation_id


@blueprint.get("")
@requires("manage_org_events")
def index():
    events = db.session.scalars(ServiceEvent.managed_by(current_user)
                                .order_by(ServiceEvent.starts_at.desc()).limit(200)).all()
    return render_page_or_fragment(
        "services/staff/index.html", "services/staff/index.html", events=events, now=clock.now(),
        by_event=queries.satisfaction_by_event([e.id for e in events]),
        by_category=queries.satisfaction_by_category(
            None if current_user.role == "admin" else _organisation_id()))


def _choices(form: EventForm) -> None:
    """The organisation's stations to hold the event at (admins: every station of a union
    branch), and its earlier series to name as the previous period."""
    stations = db.select(Station).where(Station.organisation_id == _organisation_id()) \
        if current_user.organisation_id else db.select(Station).where(
            Station.organisation_id.is_not(None))
    form.station_id.choices = [SelectChoice(0, _("Choose a station"))] + [
        SelectChoice(s.id, f"{s.name} · {s.address}" if s.address else s.name)
        for s in db.session.scalars(stations.order_by(Station.name).limit(300))]
    series = db.session.scalars(db.select(ServiceSeries).where(
        ServiceSeries.organisation_id == _organisation_id()).order_by(ServiceSeries.id.desc()).limit(50))
    form.previous_series_id.choices = [SelectChoice(0, _("None"))] + [
        SelectChoice(s.id, f"{s.title} (#{s.id})") for s in series]


def _form_page(form: EventForm, event: ServiceEvent | None, status: int = 200):
    later = operations.later_sessions(event, clock.now()) if event is not None else []
    return render_page_or_fragment("services/staff/form.html", "services/staff/_form.html",
                                   status=status, form=form, event=event, later=later,
                                   cancel_form=CancelEventForm(formdata=None))


@blueprint.route("/new", methods=["GET", "POST"])
@requires("manage_org_events")
def create():
    form = EventForm(data=EventForm.defaults(clock.now()))
    _choices(form)
    if form.validate_on_submit():
        organisation_id = _organisation_id()
        if organisation_id is None and form.station_id.data:
            organisation_id = db.session.get(Station, form.station_id.data).organisation_id
        if organisation_id is None:
            form.station_id.errors.append(_("Choose a station of a union branch."))
            return _form_page(form, None, 422)
        with transaction():
            events = operations.create_events(
                organisation_id, form.draft(), creator=current_user, weeks=form.weeks.data or 1,
                min_attendance_pct=form.min_attendance_pct.data,
                previous_series_id=form.previous_series_id.data or None,
                as_term=form.as_term.data, now=clock.now())
        if len(events) == 1:
            flash(_("Event created. Workers can sign up from its page; this is its roster."))
        else:
            flash(_("%(count)d sessions created, %(days)s; this is the first one's roster.",
                    count=len(events), days=operations.days_text(e.starts_at for e in events)))
        # Staff land on what they made: its roster, with links to edit it and to its page.
        return redirect_after_write(url_for("services_staff.roster", event_id=events[0].id))
    return _form_page(form, None, 422 if form.is_submitted() else 200)


@blueprint.route("/<int:event_id>/edit", methods=["GET", "POST"])
@requires("manage_org_events")
def edit(event_id: int):
    event = ServiceEvent.get_managed_or_404(event_id, current_user)
    form = EventForm()
    _choices(form)
    if not form.is_submitted():
        form.fill_from(event)
    elif form.validate():
        try:
            with transaction():
                if form.scope.data == "later" and event.series_id is not None:
                    changed = operations.update_series_from(event.id, form.draft(), now=clock.now())
                    message = _("Saved for this session and %(count)d later session(s).",
                                count=len(changed) - 1)
                else:
                    operations.update_event(event.id, form.draft(), now=clock.now())
                    message = _("Event saved.")
            flash(message)
        except operations.ServiceError as refusal:
            form.capacity.errors.append(str(refusal))
            return _form_page(form, event, 422)
        return redirect_after_write(url_for("services_staff.roster", event_id=event.id))
    return _form_page(form, event, 422 if form.is_submitted() else 200)


@blueprint.post("/<int:event_id>/cancel")
@requires("manage_org_events")
def cancel(event_id: int):
    event = ServiceEvent.get_managed_or_404(event_id, current_user)
    form = CancelEventForm()
    if not form.validate():
        flash(_("Please give a reason; it is sent to everyone registered."))
        return redirect(url_for("services_staff.edit", event_id=event.id), 303)
    with transaction():
        count = operations.cancel_event(event.id, form.reason.data, now=clock.now())
    flash(_("Event cancelled; %(count)d registrations were told.", count=count))
    return redirect(url_for("services_staff.index"), 303)


# Registrations whose phone was just revealed without JavaScript: the roster shows their
# numbers once after the redirect, then masks them again.
REVEALED_KEY = "services_revealed_phones"


def _roster_page(event: ServiceEvent, message: str | None = None, status: int = 200):
    revealed_ids = set(session.pop(REVEALED_KEY)) \
        if REVEALED_KEY in session and not wants_fragment() else set()
    rows = queries.roster(event.id)
    return render_page_or_fragment(
        "services/staff/roster.html", "services/staff/_roster.html", status=status, event=event,
        rows=rows, code_form=TicketCodeForm(formdata=None), message=message,
        message_is_error=status >= 400,
        revealed={row.id: row.worker.phone for row in rows if row.id in revealed_ids},
        satisfaction=queries.satisfaction_by_event([event.id]).get(event.id))


@blueprint.get("/<int:event_id>/roster")
@requires("manage_org_events")
def roster(event_id: int):
    return _roster_page(ServiceEvent.get_managed_or_404(event_id, current_user))


STAFF_ACTIONS = ("mark_attended", "mark_no_show", "staff_cancel")


@blueprint.post("/<int:event_id>/roster/<int:registration_id>/<action>")
@requires("manage_org_events")
def mark(event_id: int, registration_id: int, action: str):
    event = ServiceEvent.get_managed_or_404(event_id, current_user)
    registration = db.session.get(Registration, registration_id)
    if action not in STAFF_ACTIONS or registration is None or registration.event_id != event.id:
        abort(404)
    message, status = None, 200
    try:
        with transaction():
            operations.act(registration.id, action, current_user, now=clock.now())
    except operations.ServiceError as refusal:
        message, status = str(refusal), 409
    if wants_fragment():
        return render_page_or_fragment("services/staff/roster.html", "services/staff/_row.html",
                                       status=status, event=event, row_message=message,
                                       row=db.session.get(Registration, registration_id))
    if message:
        flash(message)
    return redirect(url_for("services_staff.roster", event_id=event.id), 303)


@blueprint.post("/<int:event_id>/roster/<int:registration_id>/phone")
@rate_limits.writes
@requires("reveal_phone")
def reveal_phone(event_id: int, registration_id: int):
    """Show one registered worker's full number to staff who run the event, and audit it
    exactly as the staff person page does. POST, because it writes to the audit log."""
    event = ServiceEvent.get_managed_or_404(event_id, current_user)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id or not registration.worker.phone:
        abort(404)
    with transaction():
        number = accounts.reveal_phone(current_user, registration.worker)
    if wants_fragment():
        return render_page_or_fragment("services/staff/roster.html", "services/staff/_phone.html",
                                       event=event, row=registration, revealed_phone=number)
    session[REVEALED_KEY] = [*session.get(REVEALED_KEY, []), registration.id][-20:]
    return redirect(url_for("services_staff.roster", event_id=event.id,
                            _anchor=f"row-{registration.id}"), 303)


@blueprint.post("/<int:event_id>/scan")
@requires("manage_org_events")
def scan(event_id: int):
    event = ServiceEvent.get_managed_or_404(event_id, current_user)
    form = TicketCodeForm()
    registration_id = tickets.registration_for_code(form.code.data or "") if form.validate() else None
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.event_id != event.id:
        return _roster_page(event, _("This code is not a ticket for this event."), 422)
    if registration.state == "attended":
        # The same ticket scanned twice: nothing to do, and nothing wrong.
        message = _("%(name)s is already checked in.", name=registration.attendee_name)
    else:
        try:
            with transaction():
                operations.act(registration.id, "mark_attended", current_user, now=clock.now())
        except operations.ServiceError as refusal:
            return _roster_page(event, str(refusal), 409)
        message = _("%(name)s: attendance recorded.", name=registration.attendee_name)
    if wants_fragment():
        return _roster_page(event, message)
    flash(message)
    return redirect(url_for("services_staff.roster", event_id=event.id), 303)


@blueprint.get("/<int:event_id>/roster.csv")
@requires("manage_org_events")
def roster_csv(event_id: int):
    event = ServiceEvent.get_managed_or_404(event_id, current_user)
    return exports.roster_csv(queries.roster(event.id)), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="roster-{event.id}.csv"'}


@blueprint.get("/<int:event_id>/roster.xlsx")
@requires("manage_org_events")
def roster_xlsx(event_id: int):
    event = ServiceEvent.get_managed_or_404(event_id, current_user)
    return exports.roster_xlsx(queries.roster(event.id), event.title), 200, {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f'attachment; filename="roster-{event.id}.xlsx"'}
