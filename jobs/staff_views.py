"""Staff pages for jobs: the review queue and employers to verify, posting for an employer
from a phone call, the Excel upload, wage cases for legal aid, job seekers with their 1131
record, matching and the monthly board (with CSV/xlsx exports), and recruitment fairs. Every
page is scoped to the staff member's organisation (OrganisationScoped.managed_by,
jobs.seekers.seekers_visible_to)."""
from datetime import date, datetime, timedelta

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

import clock
from accounts.phones import masked
from accounts.policy import requires
from extensions import db
from i18n import safe_next
from jobs import exports, fairs, operations, queries, seekers, uploads
from jobs.forms import (FairEmployerForm, NoteForm, OutcomeForm, PostForm, RecommendForm,
                        ServiceForm, VerifyForm, choices)
from jobs.models import Employer, JobPost, WageCase
from jobs.views import create_post_from, station_choices
from pages import redirect_after_write, render_page_or_fragment
from transactions import transaction

blueprint = Blueprint("jobs_staff", __name__, url_prefix="/staff/jobs", template_folder="templates")


@blueprint.get("")
@requires("manage_org_jobs")
def index():
    employers = queries.employers_managed(current_user)
    return render_page_or_fragment(
        "jobs/staff/index.html", "jobs/staff/index.html", queue=queries.review_queue(current_user),
        employers=employers, posts=queries.posts_managed(current_user),
        rates=operations.paid_rates([e.id for e in employers]),
        open_cases={e.id: operations.open_case_count(e.id) for e in employers},
        stations=queries.stations_managed(current_user),
        verify_form=VerifyForm(formdata=None), note_form=NoteForm(formdata=None))


@blueprint.post("/employers/<int:employer_id>/verify")
@requires("manage_org_jobs")
def verify(employer_id: int):
    employer = Employer.get_managed_or_404(employer_id, current_user)
    form = VerifyForm()
    if not form.validate_on_submit():
        flash(_("Please note what you checked."))
        return redirect_after_write(url_for("jobs_staff.index"))
    with transaction():
        operations.verify_employer(employer, current_user, form.note.data, now=clock.now())
    flash(_("%(name)s is verified.", name=employer.name))
    return redirect_after_write(url_for("jobs_staff.index"))


def _employer_choices() -> list[SelectChoice]:
    return choices((e.id, e.name) for e in queries.employers_managed(current_user))


def _form_page(form: PostForm, status: int = 200):
    return render_page_or_fragment("jobs/post_form.html", "jobs/post_form.html", status=status,
                                   form=form, employer=None, on_behalf=True,
                                   action=url_for("jobs_staff.create"))


@blueprint.get("/posts/new")
@requires("manage_org_jobs")
def new():
    form = PostForm(formdata=None, expires_on=clock.today() + timedelta(days=14))
    form.employer_id.choices = _employer_choices()
    form.station_id.choices = station_choices(current_user.organisation_id)
    return _form_page(form)


@blueprint.post("/posts/new")
@requires("manage_org_jobs")
def create():
    form = PostForm()
    form.employer_id.choices = _employer_choices()
    form.station_id.choices = station_choices(current_user.organisation_id)
    if not form.validate_on_submit() or not form.employer_id.data:
        if not form.employer_id.data:
            form.employer_id.errors = [_("Choose the employer.")]
        return _form_page(form, 422)
    employer = Employer.get_managed_or_404(form.employer_id.data, current_user)
    post, refusal = create_post_from(form, employer, submit=True)
    if refusal:
        form.title.errors = [refusal]
        return _form_page(form, 422)
    with transaction():
        published = uploads.publish_if_allowed(post, current_user, now=clock.now())
    flash(_("Published.") if published else
          _("Saved; it waits in the review queue until the employer is verified."))
    return redirect_after_write(url_for("jobs.roster", post_id=post.id))


# Upload ---------------------------------------------------------------------------------------

def _upload_page(*, rows=None, upload=None, error: str | None = None, status: int = 200):
    return render_page_or_fragment("jobs/staff/upload.html", "jobs/staff/upload.html",
                                   status=status, rows=rows, upload=upload, error=error,
                                   headers=uploads.HEADERS)


@blueprint.get("/upload")
@requires("manage_org_jobs")
def upload():
    return _upload_page()


@blueprint.post("/upload")
@requires("manage_org_jobs")
def preview_upload():
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _upload_page(error=_("Choose a file to upload."), status=422)
    try:
        records = uploads.read_records(sent.filename, sent.read())
    except uploads.UploadError as refusal:
        return _upload_page(error=str(refusal), status=422)
    rows = uploads.preview(records, current_user)
    organisation_id = current_user.organisation_id or next(
        (row.employer.organisation_id for row in rows if row.employer), None)
    if organisation_id is None:
        return _upload_page(rows=rows, error=_("No row names an employer of your branch."),
                            status=422)
    with transaction():
        stored = uploads.store_upload(current_user, sent.filename, records, organisation_id)
    return _upload_page(rows=rows, upload=stored)


@blueprint.post("/upload/<token>/import")
@requires("manage_org_jobs")
def import_upload(token: str):
    stored = uploads.load_upload(current_user, token, now=clock.now())
    if stored is None:
        abort(404)
    with transaction():
        rows = uploads.preview(stored.records, current_user)
        created = uploads.import_rows(rows, current_user, now=clock.now())
        db.session.delete(stored)
    flash(_("%(num)d posts imported.", num=len(created)))
    return redirect_after_write(url_for("jobs_staff.index"))


@blueprint.get("/template.xlsx")
@requires("manage_org_jobs")
def template():
    return uploads.template_xlsx(), 200, {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": "attachment; filename=jobs-template.xlsx"}


# Wage cases (legal aid) -----------------------------------------------------------------------

@blueprint.get("/wage-cases")
@requires("manage_org_jobs")
def wage_cases():
    state = request.args.get("state", "open")
    if state not in ("open", "cleared", ""):
        state = "open"
    return render_page_or_fragment(
        "jobs/staff/wage_cases.html", "jobs/staff/wage_cases.html",
        cases=queries.wage_cases(current_user, state), state=state,
        legal_events=queries.legal_events(current_user, clock.now()),
        note_form=NoteForm(formdata=None))


@blueprint.post("/wage-cases/<int:case_id>/clear")
@requires("manage_org_jobs")
def clear_case(case_id: int):
    case = WageCase.get_managed_or_404(case_id, current_user)
    form = NoteForm()
    form.validate_on_submit()
    try:
        with transaction():
            operations.clear_case(case.id, current_user, form.note.data or "", now=clock.now())
    except operations.JobError as refusal:
        flash(str(refusal))
    else:
        flash(_("Case cleared; the employer may post gigs again."))
    return redirect_after_write(url_for("jobs_staff.wage_cases"))


# Job seekers, the 1131 record and matching ----------------------------------------------------

def _seeker_or_404(profile_id: int):
    profile = seekers.seeker_or_none(profile_id, current_user)
    if profile is None:
        abort(404)
    return profile


@blueprint.get("/seekers")
@requires("manage_org_jobs")
def seeker_list():
    found = seekers.seekers(current_user)
    return render_page_or_fragment("jobs/staff/seekers.html", "jobs/staff/seekers.html",
                                   seekers=found, tallies={p.id: seekers.tally(p) for p in found},
                                   promise=seekers.PROMISE, masked=masked)


def _seeker_page(profile, status: int = 200, *, service_form=None, outcome_form=None):
    return render_page_or_fragment(
        "jobs/staff/seeker.html", "jobs/staff/seeker.html", status=status, profile=profile,
        tally=seekers.tally(profile), promise=seekers.PROMISE, masked=masked,
        matches=seekers.posts_for(profile, now=clock.now()),
        service_form=service_form or ServiceForm(formdata=None),
        outcome_form=outcome_form or OutcomeForm(formdata=None, hired_where=profile.hired_where,
                                                 hired_on=profile.hired_at),
        recommend_form=RecommendForm(formdata=None), recommended=seekers.recommended(profile))


@blueprint.get("/seekers/<int:profile_id>")
@requires("manage_org_jobs")
def seeker(profile_id: int):
    return _seeker_page(_seeker_or_404(profile_id))


@blueprint.post("/seekers/<int:profile_id>/services")
@requires("manage_org_jobs")
def record_service(profile_id: int):
    profile = _seeker_or_404(profile_id)
    form = ServiceForm()
    if not form.validate_on_submit():
        return _seeker_page(profile, 422, service_form=form)
    try:
        with transaction():
            seekers.record_service(profile, form.kind.data, current_user, form.note.data or "",
                                   now=clock.now())
    except operations.JobError as refusal:
        form.note.errors = [str(refusal)]
        return _seeker_page(profile, 422, service_form=form)
    flash(_("Saved."))
    return redirect_after_write(url_for("jobs_staff.seeker", profile_id=profile.id))


@blueprint.post("/seekers/<int:profile_id>/recommend")
@requires("manage_org_jobs")
def recommend(profile_id: int):
    profile = _seeker_or_404(profile_id)
    form = RecommendForm()
    post = db.session.get(JobPost, form.post_id.data) if form.validate_on_submit() else None
    if post is None:
        flash(_("Choose a post to recommend."), "error")
        return _seeker_page(profile, 422)
    try:
        with transaction():
            seekers.recommend(profile, post, current_user, now=clock.now())
    except operations.JobError as refusal:
        flash(str(refusal), "error")
        return _seeker_page(profile, 409)
    # After the commit: a failed text message leaves the recommendation and its notice.
    texted = seekers.text_recommendation(profile, post)
    name = profile.user.display_name or _("the worker")
    if texted:
        flash(_("Recommended; %(name)s got a notice and a text message with the post.",
                name=name))
    else:
        flash(_("Recommended; %(name)s got a notice with the post.", name=name))
    if texted is False:
        flash(_("The text message could not be sent; the notice is in their inbox. Call them "
                "if it is urgent."), "error")
    target = safe_next(request.form.get("next"), url_for("jobs_staff.seeker", profile_id=profile.id))
    return redirect_after_write(target)


@blueprint.post("/seekers/<int:profile_id>/outcome")
@requires("manage_org_jobs")
def record_outcome(profile_id: int):
    profile = _seeker_or_404(profile_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _seeker_page(profile, 422, outcome_form=form)
    try:
        with transaction():
            seekers.record_outcome(profile, form.hired_where.data or "", form.hired_on.data)
    except operations.JobError as refusal:
        form.hired_where.errors = [str(refusal)]
        return _seeker_page(profile, 422, outcome_form=form)
    flash(_("Saved."))
    return redirect_after_write(url_for("jobs_staff.seeker", profile_id=profile.id))


@blueprint.get("/matching")
@requires("manage_org_jobs")
def matching():
    """Job seekers and open posts side by side; choosing one ranks the other side for it."""
    now = clock.now()
    chosen_seeker = chosen_post = None
    # type=int refuses ids out of the database's range (security.BoundedRequest): no 500.
    seeker_id = request.args.get("seeker", type=int)
    post_id = request.args.get("post", type=int)
    if seeker_id is not None and seeker_id > 0:
        chosen_seeker = _seeker_or_404(seeker_id)
    elif post_id is not None and post_id > 0:
        chosen_post = db.session.get(JobPost, post_id)
        if chosen_post is None or chosen_post.state != "published":
            abort(404)
    found = seekers.seekers(current_user, include_hired=False)
    return render_page_or_fragment(
        "jobs/staff/matching.html", "jobs/staff/matching.html",
        seekers=found, posts=seekers.open_posts(now=now)[:seekers.MATCH_LIST_SIZE],
        chosen_seeker=chosen_seeker, chosen_post=chosen_post,
        post_matches=seekers.posts_for(chosen_seeker, now=now) if chosen_seeker else None,
        seeker_matches=seekers.seekers_for(chosen_post, current_user) if chosen_post else None,
        tallies={p.id: seekers.tally(p) for p in found}, masked=masked,
        recommend_form=RecommendForm(formdata=None),
        recommended=seekers.recommended(chosen_seeker) if chosen_seeker else set())


# The board and its exports --------------------------------------------------------------------

def _month() -> date:
    try:
        return datetime.strptime(request.args.get("month", ""), "%Y-%m").date()
    except ValueError:
        return clock.today().replace(day=1)


@blueprint.get("/board")
@requires("manage_org_jobs")
def board():
    month = _month()
    rows = seekers.board(current_user, month)
    return render_page_or_fragment("jobs/staff/board.html", "jobs/staff/board.html", rows=rows,
                                   totals=seekers.totals(rows), month=month)


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _export(rows: list[list], name: str, fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    body = exports.csv_bytes(rows) if fmt == "csv" else exports.xlsx_bytes(rows, name)
    return body, 200, {"Content-Type": EXPORT_TYPES[fmt],
                       "Content-Disposition": f"attachment; filename={name}.{fmt}"}


@blueprint.get("/board.<fmt>")
@requires("manage_org_jobs")
def board_export(fmt: str):
    month = _month()
    return _export(exports.board_rows(seekers.board(current_user, month)),
                   f"jobs-board-{month:%Y-%m}", fmt)


@blueprint.get("/seekers.<fmt>")
@requires("manage_org_jobs")
def seekers_export(fmt: str):
    return _export(exports.seeker_rows(seekers.seekers(current_user)), "job-seekers-1131", fmt)


# Recruitment fairs ----------------------------------------------------------------------------

def _fair_or_404(event_id: int):
    from services.models import ServiceEvent

    event = ServiceEvent.get_managed_or_404(event_id, current_user)
    if event.category != "employment":
        abort(404)
    return event


def _fair_page(event, form=None, status: int = 200):
    if form is None:
        form = FairEmployerForm(formdata=None)
    form.employer_id.choices = choices((e.id, e.name) for e in queries.employers_managed(
        current_user) if e.verified)
    return render_page_or_fragment("jobs/staff/fair.html", "jobs/staff/fair.html",
                                   status=status, event=event, form=form,
                                   stands=fairs.stands(event.id, now=clock.now()))


@blueprint.get("/fairs/<int:event_id>")
@requires("manage_org_jobs")
def fair(event_id: int):
    return _fair_page(_fair_or_404(event_id))


@blueprint.post("/fairs/<int:event_id>/employers")
@requires("manage_org_jobs")
def fair_add(event_id: int):
    event = _fair_or_404(event_id)
    form = FairEmployerForm()
    form.employer_id.choices = choices((e.id, e.name) for e in queries.employers_managed(
        current_user) if e.verified)
    if not form.validate_on_submit():
        return _fair_page(event, form, 422)
    employer = Employer.get_managed_or_404(form.employer_id.data, current_user)
    try:
        with transaction():
            fairs.add_employer(event, employer, form.booth.data or "", now=clock.now())
    except operations.JobError as refusal:
        form.employer_id.errors = [str(refusal)]
        return _fair_page(event, form, 422)
    flash(_("%(name)s takes part, with its current posts.", name=employer.name))
    return redirect_after_write(url_for("jobs_staff.fair", event_id=event.id))


@blueprint.post("/fairs/<int:event_id>/employers/<int:employer_id>/remove")
@requires("manage_org_jobs")
def fair_remove(event_id: int, employer_id: int):
    event = _fair_or_404(event_id)
    with transaction():
        fairs.remove_employer(event.id, employer_id)
    flash(_("Removed from the fair."))
    return redirect_after_write(url_for("jobs_staff.fair", event_id=event.id))
