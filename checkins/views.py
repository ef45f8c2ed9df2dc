"""Check-in pages: the check-in panel a station page loads (its own htmx fragment), the
confirmation a login or a poster scan leads to, check-out with a report, and reports any
time. Staff pages (report queue, posters, usage) are in checkins.staff_views.

rest_stations knows nothing of check-ins: `init_app` registers the panel and the seat counts
into rest_stations.display's extension points."""
from datetime import datetime

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import clock
from accounts import rate_limits
from accounts.policy import public, requires
from checkins import rules
from checkins.forms import (REPORT_LABELS, CheckInForm, CheckOutForm, DetailsCorrectForm,
                            ReportForm)
from checkins.posters import MAX_ID, PosterCheck, read_poster_token
from extensions import db
from pages import navigate, redirect_after_write, render_page_or_fragment, wants_fragment
from rest_stations import display
from rest_stations.models import Station
from transactions import transaction

blueprint = Blueprint("checkins", __name__, template_folder="templates")


def panel_context(station: Station, user, moment: datetime | None = None) -> dict:
    """What the check-in panel of a station shows to this visitor."""
    moment = moment or clock.now()
    mine = None
    if getattr(user, "is_authenticated", False):
        mine = rules.current_check_in(user.id, now=moment)
    return {"station": station, "occupancy": rules.occupancy_of(station, now=moment),
            "mine": mine, "here": mine is not None and mine.station_id == station.id,
            "check_in_form": CheckInForm(), "check_out_form": CheckOutForm(),
            "details_form": DetailsCorrectForm(), "report_labels": REPORT_LABELS,
            "stay_minutes": int(rules.configured_stay().total_seconds() // 60)}


def _panel(station: Station, status: int = 200, **overrides):
    context = {**panel_context(station, current_user), **overrides}
    return render_page_or_fragment("checkins/confirm.html", "checkins/_panel.html",
                                   status=status, **context)


def _listed_station_or_404(station_id: int) -> Station:
    """The station, unless it does not exist or is delisted (both 404 here; the station
    page itself answers 410 for a delisted one). A closed station is found: its page still
    shows, and the rules refuse the writes that need it open."""
    station = db.session.get(Station, station_id) if 1 <= station_id <= MAX_ID else None
    if station is None or station.status == "delisted":
        abort(404)
    return station


def _not_open(station: Station):
    """A check-in or "details still correct" at a station that is not open: 409."""
    return _panel(station, status=409,
                  error=_("This station is closed; you cannot check in now."))


@blueprint.get("/stations/<int:station_id>/check-in/panel")
@public
def panel(station_id: int):
    """The check-in panel, loaded by the station page (hx-trigger="load")."""
    return _panel(_listed_station_or_404(station_id))


@blueprint.get("/stations/<int:station_id>/check-in")
@requires("check_in")
def confirm(station_id: int):
    """The one confirmation after a login bounce: plain GETs never check anyone in."""
    station = _listed_station_or_404(station_id)
    return render_template("checkins/confirm.html", **panel_context(station, current_user))


def _poster_refused(scanned, station: Station | None):
    status = 410 if scanned.check is PosterCheck.REPLACED else 404
    return render_template("checkins/poster_invalid.html", check=scanned.check.value,
                           station=station), status


@blueprint.get("/check-in/<token>")
@requires("check_in")
def scan(token: str):
    """Where a poster's QR code leads: check the signature, then ask for one confirmation."""
    scanned = read_poster_token(token)
    station = db.session.get(Station, scanned.station_id) if scanned.station_id else None
    if station is not None and station.status == "delisted":
        station = None
    if scanned.check is not PosterCheck.VALID or station is None:
        return _poster_refused(scanned, station)
    context = panel_context(station, current_user)
    context["check_in_form"] = CheckInForm(poster=token)
    return render_template("checkins/confirm.html", from_poster=True, **context)


@blueprint.post("/stations/<int:station_id>/check-in")
@rate_limits.writes
@requires("check_in")
def create(station_id: int):
    station = _listed_station_or_404(station_id)
    form = CheckInForm()
    if not form.validate_on_submit():
        return _panel(station, status=422, check_in_form=form)
    source = "tap"
    if form.poster.data:
        scanned = read_poster_token(form.poster.data)
        if scanned.check is not PosterCheck.VALID or scanned.station_id != station.id:
            if wants_fragment():  # the poster page explains; htmx would not swap a 4xx
                return navigate(url_for("checkins.scan", token=form.poster.data))
            return _poster_refused(scanned, station)
        source = "poster"
    remote = rules.is_remote(station, source=source, position=form.position(),
                             radius_m=rules.presence_radius_m())
    try:
        with transaction():
            rules.check_in(current_user.id, station.id, now=clock.now(),
                           stay=rules.configured_stay(), source=source, remote=remote)
    except rules.StationNotOpen:
        return _not_open(station)
    if wants_fragment():
        return _panel(station)
    # station_id, not station.id: the commit expired the station, and reading it again
    # would cost a query on the site's busiest write.
    return redirect_after_write(url_for("stations.detail", station_id=station_id))


@blueprint.post("/check-out")
@rate_limits.writes
@requires("check_in")
def check_out():
    moment = clock.now()
    running = rules.current_check_in(current_user.id, now=moment)
    form = CheckOutForm()
    station = running.station if running else _station_from_form()
    if not form.validate_on_submit():
        if station is None:
            return redirect_after_write(url_for("stations.index"))
        return _panel(station, status=422, check_out_form=form)
    with transaction():
        closed = rules.check_out(current_user.id, now=moment)
        if form.kind.data and station is not None:
            rules.file_report(station, current_user.id, form.kind.data, form.note.data or "",
                              now=moment, check_in_id=closed.id if closed else None)
    if station is None:
        return redirect_after_write(url_for("stations.index"))
    if wants_fragment():
        return _panel(station, thanks=bool(form.kind.data))
    if form.kind.data:
        flash(_("Thank you. The station's staff will see your report."))
    return redirect_after_write(url_for("stations.detail", station_id=station.id))


def _station_from_form() -> Station | None:
    # A check-out after the stay expired: the page still knows which station it showed.
    station_id = request.form.get("station", type=int)
    return db.session.get(Station, station_id) if station_id and 1 <= station_id <= MAX_ID else None


@blueprint.route("/stations/<int:station_id>/report", methods=["GET", "POST"])
@rate_limits.writes
@requires("check_in")
def report(station_id: int):
    station = _listed_station_or_404(station_id)
    form = ReportForm()
    if form.validate_on_submit():
        moment = clock.now()
        with transaction():
            running = rules.current_check_in(current_user.id, now=moment)
            rules.file_report(station, current_user.id, form.kind.data, form.note.data or "",
                              now=moment, check_in_id=running.id if running and running.station_id == station.id else None)
        flash(_("Thank you. The station's staff will see your report."))
        return redirect_after_write(url_for("stations.detail", station_id=station.id))
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment("checkins/report.html", "checkins/_report_form.html",
                                   status=status, station=station, form=form)


@blueprint.post("/stations/<int:station_id>/details-correct")
@rate_limits.writes
@requires("check_in")
def details_correct(station_id: int):
    """The one-tap "details still correct" report: it also moves the last-verified date."""
    station = _listed_station_or_404(station_id)
    form = DetailsCorrectForm()
    if not form.validate_on_submit():
        return _panel(station, status=422)
    try:
        with transaction():
            rules.file_report(station, current_user.id, "details_correct", now=clock.now())
    except rules.StationNotOpen:
        return _not_open(station)
    if wants_fragment():
        return _panel(station, verified=True)
    flash(_("Thank you for checking the details."))
    return redirect_after_write(url_for("stations.detail", station_id=station.id))


def init_app(app) -> None:
    """Settings, and the check-in panel and seat counts on rest_stations' pages."""
    app.config.setdefault("CHECK_IN_STAY_MINUTES", rules.DEFAULT_STAY_MINUTES)
    app.config.setdefault("CHECK_IN_PRESENCE_RADIUS_M", rules.DEFAULT_PRESENCE_RADIUS_M)
    display.register_seats(app, rules.seats_taken_sql)
    display.register_station_panel(app, display.StationPanel(
        endpoint="checkins.panel", fallback_endpoint="checkins.confirm", label=_l("Check in"),
        needs_open_station=True, stylesheet="css/checkins.css", script="js/checkins.js"))
