"""Check-in pages: the check-in component of a station page, the confirmation a login or a
poster scan leads to, check-out with a report, and reports any time. Staff pages (report
queue, posters, usage) are in checkins.staff_views."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts import rate_limits
from accounts.policy import requires
from checkins import rules
from checkins.forms import (REPORT_LABELS, CheckInForm, CheckOutForm, DetailsCorrectForm,
                            ReportForm)
from checkins.models import CheckIn
from checkins.posters import PosterCheck, read_poster_token
from extensions import db
from pages import render_page_or_fragment, wants_fragment
from rest_stations.display import clock
from rest_stations.models import Station

blueprint = Blueprint("checkins", __name__, template_folder="templates")


def now() -> datetime:
    return datetime.now(timezone.utc)


def panel_context(station: Station, user, moment: datetime | None = None) -> dict:
    """What the check-in component of a station page shows to this visitor (the page passes
    `station` itself)."""
    moment = moment or now()
    mine = None
    if getattr(user, "is_authenticated", False):
        mine = rules.current_check_in(user.id, now=moment)
    return {"occupancy": rules.occupancy_of(station, now=moment),
            "mine": mine, "here": mine is not None and mine.station_id == station.id,
            "check_in_form": CheckInForm(), "check_out_form": CheckOutForm(),
            "details_form": DetailsCorrectForm(), "report_labels": REPORT_LABELS,
            "stay_minutes": int(rules.configured_stay().total_seconds() // 60)}


def _panel(station: Station, status: int = 200, **overrides):
    context = {**panel_context(station, current_user), "station": station, **overrides}
    return render_page_or_fragment("checkins/confirm.html", "checkins/_panel.html",
                                   status=status, **context)


def _active_station_or_404(station_id: int) -> Station:
    return db.get_or_404(Station, station_id)


@blueprint.get("/stations/<int:station_id>/check-in")
@requires("check_in")
def confirm(station_id: int):
    """The one confirmation after a login bounce: plain GETs never check anyone in."""
    station = _active_station_or_404(station_id)
    return render_template("checkins/confirm.html", station=station,
                           **panel_context(station, current_user))


@blueprint.get("/check-in/<token>")
@requires("check_in")
def scan(token: str):
    """Where a poster's QR code leads: check the signature, then ask for one confirmation."""
    scanned = read_poster_token(token)
    station = db.session.get(Station, scanned.station_id) if scanned.station_id else None
    if scanned.check is not PosterCheck.VALID or station is None:
        status = 410 if scanned.check is PosterCheck.REPLACED else 404
        return render_template("checkins/poster_invalid.html", check=scanned.check.value,
                               station=station), status
    context = panel_context(station, current_user)
    context["check_in_form"] = CheckInForm(poster=token)
    return render_template("checkins/confirm.html", from_poster=True, station=station, **context)


@blueprint.post("/stations/<int:station_id>/check-in")
@rate_limits.writes
@requires("check_in")
def create(station_id: int):
    station = _active_station_or_404(station_id)
    form = CheckInForm()
    if not form.validate_on_submit():
        return _panel(station, status=422, check_in_form=form)
    source = "tap"
    if form.poster.data:
        scanned = read_poster_token(form.poster.data)
        if scanned.check is not PosterCheck.VALID or scanned.station_id != station.id:
            if wants_fragment():  # the poster page explains; htmx would not swap a 4xx
                return "", 200, {"HX-Redirect": url_for("checkins.scan", token=form.poster.data)}
            return render_template("checkins/poster_invalid.html", check=scanned.check.value,
                                   station=station), 410 if scanned.check is PosterCheck.REPLACED else 404
        source = "poster"
    if station.status != "active":
        return _panel(station, status=422, error=_("This station is closed; you cannot check in now."))
    rules.check_in(current_user.id, station.id, now=now(), stay=rules.configured_stay(),
                   source=source)
    if wants_fragment():
        return _panel(station)
    return redirect(url_for("stations.detail", station_id=station.id), code=303)


@blueprint.post("/check-out")
@rate_limits.writes
@requires("check_in")
def check_out():
    moment = now()
    running = rules.current_check_in(current_user.id, now=moment)
    form = CheckOutForm()
    station = running.station if running else _station_from_form()
    if not form.validate_on_submit():
        if station is None:
            return redirect(url_for("stations.index"), code=303)
        return _panel(station, status=422, check_out_form=form)
    closed = rules.check_out(current_user.id, now=moment)
    if form.kind.data and station is not None:
        rules.file_report(station, current_user.id, form.kind.data, form.note.data or "",
                          now=moment, check_in_id=closed.id if closed else None)
    if station is None:
        return redirect(url_for("stations.index"), code=303)
    if wants_fragment():
        return _panel(station, thanks=bool(form.kind.data))
    if form.kind.data:
        flash(_("Thank you. The station's staff will see your report."))
    return redirect(url_for("stations.detail", station_id=station.id), code=303)


def _to_station(station: Station):
    """After a write: 303 to the station page, or for htmx a full navigation there (a 303
    inside htmx's request would swap the whole page into the form)."""
    target = url_for("stations.detail", station_id=station.id)
    if wants_fragment():
        return "", 200, {"HX-Redirect": target}
    return redirect(target, code=303)


def _station_from_form() -> Station | None:
    # A check-out after the stay expired: the page still knows which station it showed.
    station_id = request.form.get("station", type=int)
    return db.session.get(Station, station_id) if station_id else None


@blueprint.route("/stations/<int:station_id>/report", methods=["GET", "POST"])
@rate_limits.writes
@requires("check_in")
def report(station_id: int):
    station = _active_station_or_404(station_id)
    form = ReportForm()
    if form.validate_on_submit():
        running = rules.current_check_in(current_user.id, now=now())
        rules.file_report(station, current_user.id, form.kind.data, form.note.data or "",
                          now=now(), check_in_id=running.id if running and running.station_id == station.id else None)
        flash(_("Thank you. The station's staff will see your report."))
        return _to_station(station)
    status = 422 if form.is_submitted() else 200
    return render_page_or_fragment("checkins/report.html", "checkins/_report_form.html",
                                   status=status, station=station, form=form)


@blueprint.post("/stations/<int:station_id>/details-correct")
@rate_limits.writes
@requires("check_in")
def details_correct(station_id: int):
    """The one-tap "details still correct" report: it also moves the last-verified date."""
    station = _active_station_or_404(station_id)
    form = DetailsCorrectForm()
    if form.validate_on_submit():
        rules.file_report(station, current_user.id, "details_correct", now=now())
        if wants_fragment():
            return _panel(station, verified=True)
        flash(_("Thank you for checking the details."))
        return redirect(url_for("stations.detail", station_id=station.id), code=303)
    return _panel(station, status=422)


@blueprint.app_template_filter("local_clock")
def local_clock(moment: datetime, station: Station) -> str:
    """A stored (UTC) moment as the wall-clock time at the station, e.g. 14:05."""
    return clock(rules.as_utc(moment).astimezone(ZoneInfo(station.timezone or "Asia/Shanghai")))


def init_app(app) -> None:
    app.config.setdefault("CHECK_IN_STAY_MINUTES", rules.DEFAULT_STAY_MINUTES)
