"""Worker and employer pages: 附近的活, a post with one-tap apply, my applications (check-in,
wage answer), and an employer's own posts and roster. Staff pages are in jobs.staff_views."""
from datetime import timedelta

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

import clock
from accounts.phones import masked
from accounts.policy import public, requires
from extensions import db
from i18n import safe_next
from jobs import fairs, operations, posters, queries, rules, seekers
from jobs.forms import (choices, ACTION_LABELS, APPLICATION_STATE_LABELS, CATEGORY_LABELS, KIND_LABELS,
                        POST_STATE_LABELS, CheckInForm, EmployerForm, NearbyFilterForm, NoteForm,
                        PostForm, SeekerForm, SERVICE_LABELS, WageAnswerForm)
from jobs.models import Application, Employer, JobPost
from pages import absolute_url_for, redirect_after_write, render_page_or_fragment
from rest_stations.display import navigation_links
from rest_stations.models import Station
from transactions import transaction

blueprint = Blueprint("jobs", __name__, url_prefix="/jobs", template_folder="templates")


@blueprint.app_context_processor
def labels() -> dict:
    return {"job_category_labels": CATEGORY_LABELS, "job_kind_labels": KIND_LABELS,
            "post_state_labels": POST_STATE_LABELS, "job_action_labels": ACTION_LABELS,
            "application_state_labels": APPLICATION_STATE_LABELS, "pay_text": operations.pay_text,
            "seeker_service_labels": SERVICE_LABELS}


def _near(form: NearbyFilterForm) -> tuple[tuple[float, float] | None, Station | None]:
    """Where distances count from: the worker's position, or a chosen station."""
    if form.lat.data is not None and form.lon.data is not None \
            and not form.lat.errors and not form.lon.errors:
        return (float(form.lat.data), float(form.lon.data)), None
    if form.station.data and not form.station.errors:
        station = db.session.get(Station, form.station.data)
        if station is not None:
            return (station.lat, station.lon), station
    return None, None


@blueprint.get("")
@public
def index():
    form = NearbyFilterForm(request.args)
    form.validate()
    near, station = _near(form)
    listed = queries.nearby_posts(
        now=clock.now(), near=near, category=form.category.data or "",
        daily_only=bool(form.daily.data), day=form.day.data or "",
        pay_at_least=form.pay.data if not form.pay.errors else None,
        within_km=int(form.km.data) if form.km.data and near else None)
    return render_page_or_fragment("jobs/index.html", "jobs/_list.html", form=form,
                                   listed=listed, near=near, from_station=station)


def _post_or_404(post_id: int) -> JobPost:
    post = db.session.get(JobPost, post_id)
    if post is None:
        abort(404)
    return post


def _visible_or_404(post_id: int) -> JobPost:
    """A published (or once published) post, or one the visitor manages."""
    post = _post_or_404(post_id)
    if post.state in ("draft", "pending", "withdrawn") and not operations.may_manage_post(
            current_user, post):
        abort(404)
    return post


def job_posting_ld(post: JobPost) -> dict:
    """The post as schema.org JobPosting, for search engines and job aggregators."""
    place = post.position
    location = {"@type": "Place", "name": post.place_name,
                "address": {"@type": "PostalAddress", "addressCountry": "CN",
                            "streetAddress": post.station.address if post.station else post.address}}
    if place:
        location["geo"] = {"@type": "GeoCoordinates", "latitude": place[0], "longitude": place[1]}
    posting = {
        "@context": "https://schema.org", "@type": "JobPosting", "title": post.title,
        "description": post.description or post.title,
        "datePosted": post.created_at.date().isoformat(),
        "validThrough": post.expires_at.isoformat(),
        "employmentType": "TEMPORARY" if post.kind == "gig" else "FULL_TIME",
        "hiringOrganization": {"@type": "Organization", "name": post.employer.name},
        "jobLocation": location, "directApply": True,
        "baseSalary": {"@type": "MonetaryAmount", "currency": "CNY",
                       "value": {"@type": "QuantitativeValue", "minValue": post.pay_min,
                                 "maxValue": post.pay_max,
                                 "unitText": post.pay_unit.upper()}},
        "identifier": {"@type": "PropertyValue", "name": "Yizhan", "value": str(post.id)},
        "url": absolute_url_for("jobs.detail", post_id=post.id),
    }
    if post.kind == "gig":
        posting["jobStartDate"] = post.starts_at.isoformat()
        posting["totalJobOpenings"] = post.headcount
    return posting


def _detail(post: JobPost, *, message: str | None = None, status: int = 200):
    mine = queries.application_for(current_user.id, post.id) \
        if current_user.is_authenticated else None
    near = None
    try:
        lat, lon = float(request.args["lat"]), float(request.args["lon"])
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            near = (lat, lon)
    except (KeyError, ValueError):
        pass
    distance = None
    if near and post.position:
        from rest_stations.geo import geodesic_m

        distance = geodesic_m(near[0], near[1], *post.position)
    place = post.position
    return render_page_or_fragment(
        "jobs/detail.html", "jobs/_apply.html", status=status, post=post, mine=mine,
        message=message, message_is_error=status >= 400, now=clock.now(),
        closed=operations.post_open_for_applications(post, clock.now()),
        distance=distance, minutes=rules.riding_minutes(distance) if distance is not None else None,
        navigation=navigation_links(_PlaceLike(post.place_name, *place)) if place else None,
        posting=job_posting_ld(post), contact=masked(post.employer.contact_phone)
        if post.employer.contact_phone.startswith("+") else "",
        manages=operations.may_manage_post(current_user, post))


class _PlaceLike:
    """What navigation_links reads from a station: a name and a position."""

    def __init__(self, name: str, lat: float, lon: float):
        self.name, self.lat, self.lon = name, lat, lon


@blueprint.get("/<int:post_id>")
@public
def detail(post_id: int):
    return _detail(_visible_or_404(post_id))


@blueprint.post("/<int:post_id>/apply")
@requires("apply_for_jobs")
def apply(post_id: int):
    post = _visible_or_404(post_id)
    try:
        with transaction():
            application = operations.apply(post.id, current_user, now=clock.now())
    except operations.JobError as refusal:
        return _detail(db.session.get(JobPost, post_id), message=str(refusal), status=409)
    flash({"accepted": _("You are hired. Be there on time, and check in when you arrive."),
           "waitlisted": _("All places are taken; you are on the waiting list and we will tell "
                           "you if one comes free."),
           "applied": _("Applied. The employer will answer; see My applications.")}
          [application.state])
    return redirect_after_write(url_for("jobs.detail", post_id=post_id))


@blueprint.get("/mine")
@requires("apply_for_jobs")
def mine():
    applications = queries.applications_of(current_user.id)
    return render_page_or_fragment("jobs/mine.html", "jobs/mine.html",
                                   applications=applications, now=clock.now(),
                                   wage_form=WageAnswerForm(formdata=None),
                                   check_in_form=CheckInForm(formdata=None))


def _application_or_404(application_id: int) -> Application:
    """An application the visitor plays a part in (the worker, the employer, staff)."""
    application = db.session.get(Application, application_id)
    if application is None or not operations.application_parties(current_user, application):
        abort(404)
    return application


APPLICATION_ACTIONS = ("accept", "decline", "withdraw", "mark_done", "confirm_paid",
                       "report_unpaid")


@blueprint.post("/applications/<int:application_id>/<action>")
@requires("apply_for_jobs")
def application_action(application_id: int, action: str):
    if action not in APPLICATION_ACTIONS:
        abort(404)
    application = _application_or_404(application_id)
    form = WageAnswerForm() if action == "report_unpaid" else NoteForm()
    note = form.note.data or "" if form.validate_on_submit() else ""
    try:
        with transaction():
            operations.act(application.id, action, current_user, now=clock.now(), note=note)
    except operations.JobError as refusal:
        flash(str(refusal), "error")
        return redirect_after_write(_back(application))
    flash({"report_unpaid": _("We are sorry. Your case went to the union's legal aid; they "
                              "will contact you."),
           "confirm_paid": _("Good. Thank you for telling us.")}.get(action, _("Saved.")))
    return redirect_after_write(_back(application))


def _back(application: Application) -> str:
    if application.worker_id == current_user.id:
        return url_for("jobs.mine")
    return url_for("jobs.roster", post_id=application.post_id)


@blueprint.get("/<int:post_id>/check-in/<token>")
@requires("apply_for_jobs")
def scan(post_id: int, token: str):
    """Where the post's QR code leads: check the signature, then ask for one confirmation."""
    post = _post_or_404(post_id)
    if not posters.token_is_valid(post.id, token):
        abort(404)
    application = queries.application_for(current_user.id, post.id)
    return render_page_or_fragment("jobs/check_in.html", "jobs/check_in.html", post=post,
                                   application=application,
                                   form=CheckInForm(formdata=None, token=token))


@blueprint.post("/applications/<int:application_id>/check-in")
@requires("apply_for_jobs")
def check_in(application_id: int):
    application = _application_or_404(application_id)
    if application.worker_id != current_user.id:
        abort(404)
    form = CheckInForm()
    if not form.validate_on_submit():
        flash(_("Scan the QR code at the place, or share your location."), "error")
        return redirect_after_write(url_for("jobs.mine"))
    token_ok = bool(form.token.data) and posters.token_is_valid(application.post_id,
                                                                form.token.data)
    try:
        with transaction():
            operations.check_in(
                application.id, current_user, now=clock.now(), post_token_ok=token_ok,
                lat=float(form.lat.data) if form.lat.data is not None else None,
                lon=float(form.lon.data) if form.lon.data is not None else None)
    except operations.JobError as refusal:
        flash(str(refusal), "error")
        return redirect_after_write(url_for("jobs.mine"))
    flash(_("Checked in. Have a good day's work."))
    return redirect_after_write(url_for("jobs.mine"))


# Employers ------------------------------------------------------------------------------------

def _organisation_choices() -> list[SelectChoice]:
    from accounts.models import Organisation

    return choices((o.id, o.name) for o in db.session.scalars(select(Organisation).order_by(Organisation.name)))


def _employer_form_page(form: EmployerForm, status: int = 200):
    return render_page_or_fragment("jobs/employer_form.html", "jobs/employer_form.html",
                                   status=status, form=form)


@blueprint.get("/employers/new")
@requires("post_jobs")
def employer_new():
    form = EmployerForm(formdata=None)
    form.organisation_id.choices = _organisation_choices()
    return _employer_form_page(form)


@blueprint.post("/employers/new")
@requires("post_jobs")
def employer_create():
    form = EmployerForm()
    form.organisation_id.choices = _organisation_choices()
    if not form.validate_on_submit():
        return _employer_form_page(form, 422)
    try:
        with transaction():
            operations.register_employer(
                current_user, name=form.name.data, credit_code=form.credit_code.data,
                contact_name=form.contact_name.data, contact_phone=form.contact_phone.data,
                region_code=form.region_code.data, organisation_id=form.organisation_id.data)
    except operations.JobError as refusal:
        form.credit_code.errors = [str(refusal)]
        return _employer_form_page(form, 422)
    flash(_("Registered. Union staff will check your details and call you before your posts "
            "go public."))
    return redirect_after_write(url_for("jobs.employer_home"))


@blueprint.get("/employers")
@requires("post_jobs")
def employer_home():
    employers = operations.employers_of(current_user)
    posts = {e.id: db.session.scalars(select(JobPost).where(JobPost.employer_id == e.id)
                                      .order_by(JobPost.id.desc()).limit(100)).all()
             for e in employers}
    return render_page_or_fragment("jobs/employer_home.html", "jobs/employer_home.html",
                                   employers=employers, posts=posts,
                                   rates=operations.paid_rates([e.id for e in employers]),
                                   note_form=NoteForm(formdata=None))


def station_choices(organisation_id: int | None, none_label: str = "") -> list[SelectChoice]:
    query = select(Station).where(Station.status == "active").order_by(Station.name).limit(300)
    if organisation_id:
        query = query.where(Station.organisation_id == organisation_id)
    return choices([("", none_label or _("No station (use the address)"))] + [
        (str(s.id), s.name) for s in db.session.scalars(query)])


def _post_form_page(form: PostForm, employer: Employer, status: int = 200, action: str = ""):
    return render_page_or_fragment("jobs/post_form.html", "jobs/post_form.html", status=status,
                                   form=form, employer=employer,
                                   action=action or url_for("jobs.post_create",
                                                            employer_id=employer.id))


def _my_employer_or_404(employer_id: int) -> Employer:
    employer = db.session.get(Employer, employer_id)
    if employer is None or not operations.is_member(current_user, employer.id):
        abort(404)
    return employer


@blueprint.get("/employers/<int:employer_id>/posts/new")
@requires("post_jobs")
def post_new(employer_id: int):
    employer = _my_employer_or_404(employer_id)
    form = PostForm(formdata=None, region_code=employer.region_code,
                    expires_on=clock.today() + timedelta(days=14))
    form.station_id.choices = station_choices(employer.organisation_id)
    return _post_form_page(form, employer)


def create_post_from(form: PostForm, employer: Employer, *, submit: bool):
    """Save the form as a draft (and send it for review); returns (post, refusal)."""
    try:
        with transaction():
            post = operations.create_post(employer, form.draft(), current_user, now=clock.now())
            if submit:
                operations.transition_post(post.id, "submit", current_user, now=clock.now())
    except operations.JobError as refusal:
        return None, str(refusal)
    return post, None


@blueprint.post("/employers/<int:employer_id>/posts/new")
@requires("post_jobs")
def post_create(employer_id: int):
    employer = _my_employer_or_404(employer_id)
    form = PostForm()
    form.station_id.choices = station_choices(employer.organisation_id)
    if not form.validate_on_submit():
        return _post_form_page(form, employer, 422)
    post, refusal = create_post_from(form, employer, submit=True)
    if refusal:
        form.title.errors = [refusal]
        return _post_form_page(form, employer, 422)
    flash(_("Sent for review. Union staff check every post before it goes public."))
    return redirect_after_write(url_for("jobs.employer_home"))


POST_ACTIONS = ("submit", "publish", "refuse", "fill", "withdraw")


@blueprint.post("/posts/<int:post_id>/<action>")
@requires("post_jobs")
def post_action(post_id: int, action: str):
    if action not in POST_ACTIONS:
        abort(404)
    post = _post_or_404(post_id)
    if not operations.may_manage_post(current_user, post):
        abort(404)
    form = NoteForm()
    note = (form.note.data or "") if form.validate_on_submit() else ""
    try:
        with transaction():
            operations.transition_post(post.id, action, current_user, note, now=clock.now())
    except operations.JobError as refusal:
        flash(str(refusal), "error")
    else:
        flash(_("%(title)s: %(state)s", title=post.title,
                state=POST_STATE_LABELS[db.session.get(JobPost, post_id).state]))
    target = safe_next(request.form.get("next"), url_for("jobs.roster", post_id=post_id))
    return redirect_after_write(target)


@blueprint.get("/posts/<int:post_id>/roster")
@requires("post_jobs")
def roster(post_id: int):
    post = _post_or_404(post_id)
    parties = operations.post_parties(current_user, post)
    if not parties:
        abort(404)
    return render_page_or_fragment(
        "jobs/roster.html", "jobs/roster.html", post=post, applications=queries.roster(post.id),
        parties=parties, post_actions=rules.post_actions_for(post.state, parties),
        actions_for=lambda a: [x for x in rules.application_actions_for(a.state, parties)
                               if x in APPLICATION_ACTIONS],
        note_form=NoteForm(formdata=None), check_in_url=posters.check_in_url(post.id))


@blueprint.get("/posts/<int:post_id>/check-in.png")
@requires("post_jobs")
def check_in_qr(post_id: int):
    post = _post_or_404(post_id)
    if not operations.may_manage_post(current_user, post):
        abort(404)
    return posters.qr_png(posters.check_in_url(post.id)), 200, {
        "Content-Type": "image/png", "Cache-Control": "private, max-age=3600"}


# Job-seeker registration (求职登记) -------------------------------------------------------------

def _seeker_form_page(form: SeekerForm, profile, status: int = 200):
    return render_page_or_fragment("jobs/profile.html", "jobs/profile.html", status=status,
                                   form=form, profile=profile)


def _seeker_form(profile=None, formdata=None) -> SeekerForm:
    if formdata is None and profile is not None:
        form = SeekerForm(formdata=None, obj=profile)
    else:
        form = SeekerForm() if formdata is not False else SeekerForm(formdata=None)
    form.station_id.choices = station_choices(None, none_label=_("No station"))
    return form


@blueprint.get("/profile")
@requires("apply_for_jobs")
def profile():
    found = seekers.profile_of(current_user.id)
    return _seeker_form_page(_seeker_form(found, None if found else False), found)


@blueprint.post("/profile")
@requires("apply_for_jobs")
def profile_save():
    form = _seeker_form()
    if not form.validate_on_submit():
        return _seeker_form_page(form, seekers.profile_of(current_user.id), 422)
    try:
        with transaction():
            seekers.save_profile(current_user, form.draft(), now=clock.now())
    except operations.JobError as refusal:
        form.categories.errors = [str(refusal)]
        return _seeker_form_page(form, seekers.profile_of(current_user.id), 422)
    flash(_("Saved. Union staff will look for work that suits you."))
    return redirect_after_write(url_for("jobs.profile"))


@blueprint.post("/profile/delete")
@requires("apply_for_jobs")
def profile_delete():
    with transaction():
        deleted = seekers.delete_profile(current_user.id)
    flash(_("Your job-seeker registration and its record are deleted.") if deleted
          else _("You are not registered as a job seeker."))
    return redirect_after_write(url_for("jobs.profile"))


# The printable job board and recruitment fairs -------------------------------------------------

BOARD_SIZE = 12  # what fits on one A4 page with a QR code each


@blueprint.get("/board/<int:station_id>")
@public
def board(station_id: int):
    """One A4 page of the station's current posts, each with a QR code to its page, for the
    station wall and village notice boards (岗位信息发布栏)."""
    station = db.get_or_404(Station, station_id)
    listed = queries.nearby_posts(now=clock.now(), near=(station.lat, station.lon),
                                  within_km=10, limit=BOARD_SIZE)
    codes = {item.post.id: posters.qr_svg(absolute_url_for("jobs.detail", post_id=item.post.id))
             for item in listed}
    return render_template("jobs/board.html", station=station, listed=listed, codes=codes,
                           printed=clock.now())


@blueprint.get("/fairs/<int:event_id>")
@public
def fair(event_id: int):
    """A recruitment fair's employers and their posts (the services event page loads this)."""
    from services.models import ServiceEvent

    event = db.get_or_404(ServiceEvent, event_id)
    if event.category != "employment":
        abort(404)
    return render_page_or_fragment("jobs/fair.html", "jobs/_fair.html", event=event,
                                   stands=fairs.stands(event.id, now=clock.now()))
