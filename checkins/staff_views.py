"""Staff pages of check-ins: the report queue, printable QR posters, and usage statistics.
accounts.policy decides which stations (and so which reports and check-ins) a staff member
sees: their organisation's, or all for admins."""
from datetime import timedelta

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import clock
from accounts import rate_limits
from accounts.forms import ConfirmForm
from accounts.policy import requires
from checkins import rules, usage
from checkins.forms import REPORT_LABELS
from checkins.models import StationReport
from checkins.posters import MAX_ID, poster_url, qr_png
from extensions import db
from pages import redirect_after_write, wants_fragment
from rest_stations.models import Station
from rest_stations.vocabulary import AMENITIES
from transactions import transaction

blueprint = Blueprint("checkins_staff", __name__, url_prefix="/staff",
                      template_folder="templates")

QUEUE_SIZE = 200


def _managed_station_or_404(station_id: int) -> Station:
    if not 1 <= station_id <= MAX_ID:  # no database id is that large: not found, not a 500
        abort(404)
    return Station.get_managed_or_404(station_id, current_user)


def _station_ids(user=None):
    return Station.managed_by(user or current_user).with_only_columns(Station.id)


@blueprint.get("/reports")
@requires("resolve_reports")
def reports():
    """Open reports about the staff member's stations, oldest first."""
    found = db.session.scalars(
        db.select(StationReport)
        .where(StationReport.station_id.in_(_station_ids().scalar_subquery()),
               StationReport.resolved_at.is_(None))
        .order_by(StationReport.created_at).limit(QUEUE_SIZE))
    return render_template("checkins/staff/reports.html", reports=list(found),
                           labels=REPORT_LABELS, form=ConfirmForm())


@blueprint.post("/reports/<int:report_id>/resolve")
@rate_limits.writes
@requires("resolve_reports")
def resolve(report_id: int):
    if not 1 <= report_id <= MAX_ID:
        abort(404)
    report = db.session.scalar(db.select(StationReport).where(
        StationReport.id == report_id,
        StationReport.station_id.in_(_station_ids().scalar_subquery())))
    if report is None:
        return render_template("errors/404.html"), 404
    if ConfirmForm().validate_on_submit():
        with transaction():
            rules.resolve_report(report.id, current_user.id, now=clock.now())
        if wants_fragment():
            return "", 200, {"HX-Trigger": "report-resolved"}
        flash(_("Report marked as resolved."))
    return redirect_after_write(url_for("checkins_staff.reports"))


@blueprint.get("/stations/<int:station_id>/poster")
@requires("manage_org_stations")
def poster(station_id: int):
    """An A4 poster, printed from the browser: station, amenities and the check-in QR code."""
    station = _managed_station_or_404(station_id)
    return render_template("checkins/staff/poster.html", station=station, amenities=AMENITIES,
                           version=rules.poster_version(station.id), form=ConfirmForm())


@blueprint.get("/posters")
@requires("manage_org_stations")
def all_posters():
    """Every listed station's poster on one page, one per A4 sheet when printed."""
    stations = db.session.scalars(Station.managed_by(current_user)
                                  .where(Station.status != "delisted")
                                  .order_by(Station.city, Station.name).limit(500)).all()
    return render_template("checkins/staff/posters.html", stations=stations, amenities=AMENITIES)


@blueprint.get("/stations/<int:station_id>/poster.png")
@requires("manage_org_stations")
def poster_qr(station_id: int):
    station = _managed_station_or_404(station_id)
    response = Response(qr_png(poster_url(station.id)), mimetype="image/png")
    # The code changes on rotation; never serve a stale one.
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/stations/<int:station_id>/poster/rotate")
@rate_limits.writes
@requires("manage_org_stations")
def rotate_poster(station_id: int):
    station = _managed_station_or_404(station_id)
    if ConfirmForm().validate_on_submit():
        with transaction():
            rules.rotate_poster(station.id, current_user.id, now=clock.now())
        flash(_("New code made. Print the poster again: the old posters no longer work."))
    return redirect_after_write(url_for("checkins_staff.poster", station_id=station.id))


def _days() -> int:
    days = request.args.get("days", type=int) or usage.DEFAULT_DAYS  # huge values are capped
    return max(1, min(days, usage.CSV_MAX_DAYS))


@blueprint.get("/usage")
@requires("view_station_usage")
def organisation_usage():
    """Usage of all the staff member's stations, with a heat map and a row per station."""
    moment, days = clock.now(), _days()
    ids = _station_ids()
    stations = list(db.session.scalars(Station.managed_by(current_user).order_by(Station.name)))
    found = [visit for visit in usage.visits(ids, since=moment - timedelta(days=days), until=moment)
             if not visit.remote]
    per_station = {}
    for visit in found:
        per_station[visit.station_id] = per_station.get(visit.station_id, 0) + 1
    station_ids = [s.id for s in stations]
    return render_template(
        "checkins/staff/usage.html", station=None, stations=stations, per_station=per_station,
        occupancy=rules.seats_taken_by_station(station_ids, now=moment),
        remote_now=rules.remote_by_station(station_ids, now=moment),
        days=days, stats=usage.usage_of(ids, now=moment, days=days),
        heat_map=usage.heat_map(found, stations))


@blueprint.get("/stations/<int:station_id>/usage")
@requires("view_station_usage")
def station_usage(station_id: int):
    station = _managed_station_or_404(station_id)
    moment, days = clock.now(), _days()
    ids = db.select(Station.id).where(Station.id == station.id)
    return render_template(
        "checkins/staff/usage.html", station=station, stations=[station], days=days,
        stats=usage.usage_of(ids, now=moment, days=days),
        occupancy=rules.seats_taken_by_station([station.id], now=moment),
        remote_now=rules.remote_by_station([station.id], now=moment),
        per_station=None, heat_map=None)


@blueprint.get("/usage.csv")
@requires("view_station_usage")
def usage_csv():
    """Check-ins of the staff member's stations (or one of them: ?station=ID) as CSV."""
    moment, days = clock.now(), _days()
    ids = _station_ids()
    name = "yizhan-check-ins"
    if request.args.get("station"):
        station_id = request.args.get("station", type=int)
        if station_id is None or not 1 <= station_id <= MAX_ID:
            abort(404)
        station = _managed_station_or_404(station_id)
        ids = db.select(Station.id).where(Station.id == station.id)
        name += f"-station-{station.id}"
    body = usage.visits_csv(usage.visits(ids, since=moment - timedelta(days=days), until=moment))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def weekday_names() -> list[str]:
    """Monday first, short, in the page's language."""
    from babel.dates import get_day_names
    from flask_babel import get_locale

    names = get_day_names("abbreviated", locale=get_locale())
    return [names[day] for day in range(7)]


@blueprint.context_processor
def charts() -> dict:
    return {"per_day_svg": usage.per_day_svg, "week_svg": usage.week_svg,
            "weekday_names": weekday_names}
