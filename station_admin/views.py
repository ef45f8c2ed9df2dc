"""Staff pages for their stations: the list ("Our stations"), the editor, status changes,
history, upload, export and data quality; and the public open-data GeoJSON. Rules live in
operations, uploads, exports, geocoding and quality; Station.get_managed_or_404 decides
which stations a person may touch. Every write runs in one transaction()."""
import json
from datetime import date

from flask import (Blueprint, Response, abort, current_app, flash, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

import clock
import geocoding
from accounts import policy, rate_limits
from accounts.models import Organisation
from accounts.policy import public, requires
from extensions import db
from pages import redirect_after_write, render_page_or_fragment
from regions import divisions
from rest_stations.display import hours_badge
from rest_stations.hours import (OSM_DAYS, InvalidHours, hours_from_week, hours_status,
                                 osm_hours, week_from_hours, week_schedule)
from rest_stations.models import Station
from rest_stations.schema import CHINESE_HEADERS, HOURS_MAX
from rest_stations.vocabulary import AMENITIES, KINDS, STATUSES
from station_admin import exports, operations, quality, uploads
from station_admin.maps import pick_map
from transactions import transaction

FIELD_LABELS = {
    "name": _l("Station name"), "address": _l("Address"), "city": _l("City"),
    "district": _l("District"), "lat": _l("Latitude"), "lon": _l("Longitude"),
    "kind": _l("Kind"), "amenities": _l("Amenities"), "opening_hours": _l("Opening hours"),
    "capacity": _l("Seats"), "phone": _l("Phone (landline or mobile)"), "status": _l("Status"),
    "closed_reason": _l("Reason for closing"), "reopens_on": _l("Reopens on"),
    "organisation_id": _l("Organisation"), "last_verified_on": _l("Last checked on"),
}
ACTION_LABELS = {
    "create": _l("Added"), "edit": _l("Edited"), "close": _l("Temporarily closed"),
    "reopen": _l("Reopened"), "delist": _l("Delisted"), "import": _l("Imported from a file"),
}

blueprint = Blueprint("stations_staff", __name__, url_prefix="/staff/stations",
                      template_folder="templates")
open_data = Blueprint("open_data", __name__)


WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))


def _today(station: Station | None = None) -> date:
    """Today where the station is (the default zone for a new one), not on the server."""
    return clock.today(station.timezone if station is not None else None)


@blueprint.context_processor
def vocabularies() -> dict:
    return {"amenities": AMENITIES, "kinds": KINDS, "statuses": STATUSES,
            "field_labels": FIELD_LABELS, "action_labels": ACTION_LABELS,
            "column_headers": CHINESE_HEADERS, "weekdays": WEEKDAYS}


# Our stations ---------------------------------------------------------------------------

@blueprint.get("/", strict_slashes=False)
@requires("manage_org_stations")
def index():
    """The stations this staff member's organisation runs (admins: all), each with its
    editor, poster and usage."""
    found = db.session.scalars(Station.managed_by(current_user)
                               .order_by(Station.city, Station.name).limit(500))
    return render_template("station_admin/index.html", stations=list(found))


# Editor ---------------------------------------------------------------------------------

def _organisations():
    if policy.has_permission(current_user, "manage_all_stations"):
        return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    return []


def _with_week(data: dict) -> dict:
    """The weekly table's inputs for the hours in `data`, and which input the form uses."""
    week = week_from_hours(data.get("opening_hours", ""))
    for index, day in enumerate(OSM_DAYS):
        span = week[index] if week else None
        data.setdefault(f"hours_{day}_open", span[0] if span else "")
        data.setdefault(f"hours_{day}_close", span[1] if span else "")
    data.setdefault("hours_mode", "week" if week is not None else "text")
    return data


def _form_data(station: Station | None) -> dict:
    if station is None:
        return _with_week({"kind": "union", "capacity": "0", "amenities": [],
                           "opening_hours": ""})
    return _with_week({
        "name": station.name, "address": station.address, "city": station.city,
        "district": station.district, "lat": f"{station.lat:.6f}", "lon": f"{station.lon:.6f}",
        "kind": station.kind, "amenities": station.amenities,
        "opening_hours": station.opening_hours, "capacity": str(station.capacity),
        "phone": station.phone, "organisation_id": str(station.organisation_id or ""),
        "region_code": station.region_code or "",
        "region_code-city": divisions.district(station.region_code).city.key
        if divisions.district(station.region_code) else ""})


def _editor(station: Station | None, data: dict, errors: dict | None = None, status: int = 200,
            duplicates=None, closure_errors=None, closure=None, converted=None):
    lat, lon = _float(data.get("lat")), _float(data.get("lon"))
    return render_template(
        "station_admin/edit.html", station=station, data=data, errors=errors or {},
        duplicates=duplicates or [], organisations=_organisations(),
        closure=closure or {}, closure_errors=closure_errors or {}, converted=converted or {},
        map=pick_map(lat, lon), preview=_hours_preview(data.get("opening_hours", ""), station),
        geocoder=geocoding.geocoder_configured(), today=_today(station),
        weekday_codes=OSM_DAYS), status


def _float(text) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _week_hours(form) -> tuple[str, str | None]:
    """OSM hours from the weekly table (a day with both times is open), or an error."""
    week = []
    for day in OSM_DAYS:
        opens = form.get(f"hours_{day}_open", "").strip()
        closes = form.get(f"hours_{day}_close", "").strip()
        if bool(opens) != bool(closes):
            return "", _("Give both the opening and the closing time, or neither for a "
                         "closed day.")
        if closes in ("00:00", "23:59") and opens:
            closes = "24:00"  # a time input cannot say 24:00: midnight means until midnight
        week.append((opens, closes) if opens else None)
    return hours_from_week(week), None


def _submitted() -> tuple[dict, operations.CheckedStation]:
    data = {name: request.form.get(name, "") for name in (
        "name", "address", "city", "district", "lat", "lon", "kind", "opening_hours",
        "capacity", "phone", "organisation_id", "hours_mode")}
    for day in OSM_DAYS:
        for end in ("open", "close"):
            data[f"hours_{day}_{end}"] = request.form.get(f"hours_{day}_{end}", "")
    data["amenities"] = request.form.getlist("amenities")
    week_error = None
    if data["hours_mode"] == "week":
        data["opening_hours"], week_error = _week_hours(request.form)
    checked = operations.check_station_form(data, data["amenities"])
    if week_error:
        checked.errors["opening_hours"] = week_error
    _check_region(data, checked)
    if checked.valid:
        data["opening_hours"] = checked.values["opening_hours"]  # as saved: OSM syntax
    return data, checked


def _check_region(data: dict, checked: operations.CheckedStation) -> None:
    """The district picker decides the code, and the city and district names follow it; with
    no district picked the code is matched from the typed names (regions.sync)."""
    data["region_code"] = request.form.get("region_code", "").strip()
    data["region_code-city"] = request.form.get("region_code-city", "").strip()
    chosen = divisions.district(data["region_code"])
    if request.form.get("region_code-pick"):  # "Show districts" without JavaScript
        checked.errors["region_code"] = _("Now choose the district.")
    elif data["region_code"] and chosen is None:
        checked.errors["region_code"] = _("Choose a district from the list.")
    elif chosen is not None:
        checked.values.update(region_code=chosen.code, city=chosen.city.name,
                              district=chosen.name)


def _chosen_organisation(data: dict, fallback: int | None) -> int | None:
    """Admins pick the organisation; staff always work for their own."""
    if not policy.has_permission(current_user, "manage_all_stations"):
        return current_user.organisation_id
    chosen = data.get("organisation_id")
    if chosen and chosen.isdigit() and db.session.get(Organisation, int(chosen)):
        return int(chosen)
    return None if chosen == "" else fallback


@blueprint.get("/new")
@requires("manage_org_stations")
def new():
    return _editor(None, _form_data(None))


@blueprint.post("/new")
@rate_limits.writes
@requires("manage_org_stations")
def create():
    data, checked = _submitted()
    if not checked.valid:
        return _editor(None, data, checked.errors, status=422)
    duplicates = operations.likely_duplicates(checked.values["lat"], checked.values["lon"])
    if duplicates and request.form.get("not_duplicate") != "1":
        return _editor(None, data, status=422, duplicates=duplicates)
    with transaction():
        station = operations.create_station(checked.values, current_user,
                                            _chosen_organisation(data, None), _today())
    flash(_("Station “%(name)s” added. Riders can find it now.", name=station.name))
    return redirect_after_write(url_for("stations_staff.edit", station_id=station.id))


@blueprint.get("/<int:station_id>/edit")
@requires("manage_org_stations")
def edit(station_id: int):
    station = Station.get_managed_or_404(station_id, current_user)
    return _editor(station, _form_data(station))


@blueprint.post("/<int:station_id>/edit")
@rate_limits.writes
@requires("manage_org_stations")
def update(station_id: int):
    station = Station.get_managed_or_404(station_id, current_user)
    data, checked = _submitted()
    if not checked.valid:
        return _editor(station, data, checked.errors, status=422)
    moved = (checked.values["lat"], checked.values["lon"]) != (station.lat, station.lon)
    duplicates = operations.likely_duplicates(checked.values["lat"], checked.values["lon"],
                                              exclude_id=station.id) if moved else []
    if duplicates and request.form.get("not_duplicate") != "1":
        return _editor(station, data, status=422, duplicates=duplicates)
    values = dict(checked.values)
    organisation_id = _chosen_organisation(data, station.organisation_id)
    if policy.has_permission(current_user, "manage_all_stations"):
        values["organisation_id"] = organisation_id
    with transaction():
        change = operations.update_station(
            station, values, current_user,
            today=_today(station) if request.form.get("verified") == "1" else None)
    flash(_("Saved.") if change else _("Nothing changed."))
    return redirect_after_write(url_for("stations_staff.edit", station_id=station.id))


@blueprint.post("/<int:station_id>/close")
@rate_limits.writes
@requires("manage_org_stations")
def close(station_id: int):
    station = Station.get_managed_or_404(station_id, current_user)
    closure = {"closed_reason": request.form.get("closed_reason", ""),
               "reopens_on": request.form.get("reopens_on", "")}
    values, errors = operations.check_closure(closure["closed_reason"], closure["reopens_on"],
                                              _today(station))
    if errors:
        return _editor(station, _form_data(station), status=422, closure=closure,
                       closure_errors=errors)
    with transaction():
        operations.close_station(station, values["closed_reason"], values["reopens_on"],
                                 current_user)
    flash(_("The station is marked as temporarily closed. Riders see your reason."))
    return redirect_after_write(url_for("stations_staff.edit", station_id=station.id))


@blueprint.post("/<int:station_id>/reopen")
@rate_limits.writes
@requires("manage_org_stations")
def reopen(station_id: int):
    station = Station.get_managed_or_404(station_id, current_user)
    with transaction():
        operations.reopen_station(station, current_user)
    flash(_("The station is open again."))
    return redirect_after_write(url_for("stations_staff.edit", station_id=station.id))


@blueprint.post("/<int:station_id>/delist")
@rate_limits.writes
@requires("manage_org_stations")
def delist(station_id: int):
    station = Station.get_managed_or_404(station_id, current_user)
    if request.form.get("confirm") != "1":
        return _editor(station, _form_data(station), status=422,
                       closure_errors={"delist": _("Tick the box to confirm.")})
    with transaction():
        operations.delist_station(station, current_user)
    flash(_("The station is delisted: riders no longer see it. Its history is kept."))
    return redirect_after_write(url_for("stations_staff.edit", station_id=station.id))


@blueprint.get("/<int:station_id>/history")
@requires("manage_org_stations")
def history(station_id: int):
    station = Station.get_managed_or_404(station_id, current_user)
    return render_template("station_admin/history.html", station=station,
                           changes=operations.station_history(station.id))


def _hours_preview(text: str, station: Station | None = None) -> dict:
    """What riders would see now, and the next seven days, for hours as typed (OSM syntax or
    a Chinese phrase, shown converted)."""
    zone = station.timezone if station is not None else clock.DEFAULT_ZONE_NAME
    try:
        hours = osm_hours(text)
    except InvalidHours:
        return {"error": True}
    probe = Station(opening_hours=hours, timezone=zone, status="active")
    return {"error": False, "hours": hours, "converted": hours != text.strip(),
            "badge": hours_badge(probe, hours_status(hours, zone)),
            "week": week_schedule(hours, clock.today(zone))}


@blueprint.get("/hours-preview")
@requires("manage_org_stations")
def hours_preview():
    """The hours typed so far, as riders would see them (the editor asks as you type)."""
    text, error = request.args.get("opening_hours", "")[:HOURS_MAX], None
    if request.args.get("hours_mode") == "week":
        text, error = _week_hours(request.args)
    return render_page_or_fragment("station_admin/hours_preview.html",
                                   "station_admin/_hours_preview.html",
                                   preview={"error": True} if error else _hours_preview(text),
                                   text=text)


@blueprint.get("/geocode")
@requires("manage_org_stations")
def geocode():
    """Candidate coordinates for an address; errors are messages, never a 500."""
    address = " ".join(request.args.get(name, "") for name in ("city", "district", "address"))
    result = geocoding.geocode(address)
    return render_page_or_fragment("station_admin/geocode.html", "station_admin/_geocode.html",
                                   result=result, address=address.strip())


# Upload ----------------------------------------------------------------------------------

def _may_edit(station: Station) -> bool:
    return station.is_managed_by(current_user)


def _upload_page(error: str | None = None, status: int = 200):
    return render_template("station_admin/upload.html", error=error,
                           organisations=_organisations(),
                           max_rows=current_app.config["STATION_UPLOAD_MAX_ROWS"],
                           max_mb=current_app.config["STATION_UPLOAD_MAX_BYTES"] // (1024 * 1024),
                           geocoder=geocoding.geocoder_configured()), status


@blueprint.get("/upload")
@requires("manage_org_stations")
def upload():
    return _upload_page()


@blueprint.post("/upload")
@rate_limits.writes
@requires("manage_org_stations")
def preview_upload():
    limit = current_app.config["STATION_UPLOAD_MAX_BYTES"]
    too_large = _("The file is larger than %(num)d MB. Split it into smaller files.",
                  num=limit // (1024 * 1024))
    if (request.content_length or 0) > limit + 64 * 1024:
        return _upload_page(too_large, 413)
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _upload_page(_("Choose a file to upload."), 422)
    data = sent.stream.read(limit + 1)
    if len(data) > limit:
        return _upload_page(too_large, 413)
    try:
        records = uploads.read_records(sent.filename, data,
                                       current_app.config["STATION_UPLOAD_MAX_ROWS"])
    except uploads.UploadError as error:
        return _upload_page(error.message, error.status)
    records = uploads.normalised_records(records)
    lookups = uploads.fill_coordinates(records, geocoding.geocode) \
        if geocoding.geocoder_configured() else None
    organisation_id = _chosen_organisation(request.form, None)
    with transaction():
        stored = uploads.store_upload(current_user, sent.filename, records, organisation_id,
                                      clock.now())
    parsed = uploads.parse_stored(records)
    return render_template("station_admin/preview.html", upload=stored,
                           preview=uploads.preview(parsed, _may_edit, lookups))


@blueprint.post("/upload/<token>/import")
@rate_limits.writes
@requires("manage_org_stations")
def import_upload(token: str):
    with transaction():
        # One transaction: the stations and the end of the upload, or neither.
        stored = uploads.load_upload(current_user, token)
        if stored is None:
            abort(404)
        parsed = uploads.parse_stored(json.loads(stored.records))
        created, updated = uploads.import_upload_rows(parsed, _may_edit, current_user,
                                                      stored.organisation_id)
        uploads.discard_upload(stored)
    flash(_("Imported: %(created)d new stations, %(updated)d updated.",
            created=created, updated=updated))
    return redirect_after_write(url_for("stations_staff.index"))


@blueprint.get("/template.<any(xlsx, csv):extension>")
@requires("manage_org_stations")
def template(extension: str):
    if extension == "xlsx":
        body = uploads.template_xlsx(current_app.config["STATION_UPLOAD_MAX_ROWS"])
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mimetype = uploads.template_csv(), "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=stations-template.{extension}"})


# Export and data quality ----------------------------------------------------------------

@blueprint.get("/export.<any(geojson, csv):extension>")
@requires("manage_org_stations")
def export(extension: str):
    """The stations this person manages, in a file the upload page accepts again."""
    stations = Station.managed_by(current_user)
    stamp = _today().isoformat()
    if extension == "csv":
        body, mimetype = exports.csv_rows(stations), "text/csv; charset=utf-8"
    else:
        body, mimetype = exports.geojson_chunks(stations), "application/geo+json"
    # Built whole rather than streamed: a streamed body would need the app context after
    # the view returns. One organisation's file is small; see open-data below for all.
    return Response("".join(body), mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=stations-{stamp}.{extension}"})


@blueprint.get("/quality")
@requires("manage_org_stations")
def quality_page():
    report = quality.quality_report(Station.managed_by(current_user), _today())
    return render_template("station_admin/quality.html", report=report)


@open_data.get("/open-data/stations.geojson")
@public
def stations_geojson():
    """Every active station, free to reuse under the licence in the file."""
    body = exports.geojson_chunks(exports.open_data_stations(),
                                  {"licence": exports.OPEN_DATA_LICENCE}, public=True)
    response = Response("".join(body), mimetype="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
