"""Staff pages for jobs: the review queue and employers to verify, posting for an employer
from a phone call, the Excel upload, and wage cases for legal aid. Every page is scoped to
the staff member's organisation (OrganisationScoped.managed_by)."""
from datetime import timedelta

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import clock
from accounts.policy import requires
from extensions import db
from jobs import operations, queries, uploads
from jobs.forms import NoteForm, choices, PostForm, VerifyForm
from jobs.models import Employer, WageCase
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


def _employer_choices() -> list[tuple[int, str]]:
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
