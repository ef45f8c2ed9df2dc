"""The rules of station editing: checking the editor's input, saving with an audit entry per
change, closing, reopening and delisting (never deleting), and likely duplicates."""
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import phonenumbers

from flask_babel import gettext as _
from sqlalchemy import Select, select

from extensions import db
from rest_stations.geo import geodesic_m
from rest_stations.hours import InvalidHours, check_hours
from rest_stations.importer import COORDINATE_DECIMALS, clean_phone
from rest_stations.models import Station
from rest_stations.vocabulary import AMENITIES, KINDS
from station_admin.models import StationChange

DUPLICATE_RADIUS_M = 30.0
CLOSED_REASON_MAX = 200
# The fields the audit log follows, in the order the history shows them.
TRACKED = ("name", "address", "city", "district", "lat", "lon", "kind", "amenities",
           "opening_hours", "capacity", "phone", "status", "closed_reason", "reopens_on",
           "organisation_id", "last_verified_on")
TEXT_LIMITS = {"name": 200, "address": 300, "city": 50, "district": 50}


@dataclass
class CheckedForm:
    """Typed station values, or a message per field that is wrong."""

    values: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors


def check_station_form(data: Mapping[str, str], amenity_codes: list[str]) -> CheckedForm:
    """Check the editor's fields (text as submitted) and give typed values or field errors."""
    checked = CheckedForm()
    values, errors = checked.values, checked.errors
    for name, limit in TEXT_LIMITS.items():
        text = (data.get(name) or "").strip()
        if len(text) > limit:
            errors[name] = _("Use at most %(num)d characters.", num=limit)
        values[name] = text
    if not values["name"]:
        errors["name"] = _("Give the station a name.")
    for name, bound in (("lat", 90), ("lon", 180)):
        text = (data.get(name) or "").strip()
        try:
            number = float(text)
            if not math.isfinite(number):
                raise ValueError
        except ValueError:
            errors[name] = _("Enter a number, e.g. %(example)s, or drag the pin on the map.",
                             example="39.13351" if name == "lat" else "117.20812")
            continue
        if not -bound <= number <= bound:
            errors[name] = _("Must be between -%(bound)d and %(bound)d.", bound=bound)
            continue
        values[name] = round(number, COORDINATE_DECIMALS)
    kind = data.get("kind") or "union"
    if kind not in KINDS:
        errors["kind"] = _("Choose a kind from the list.")
    values["kind"] = kind
    unknown = [code for code in amenity_codes if code not in AMENITIES]
    if unknown:
        errors["amenities"] = _("Unknown amenities: %(codes)s", codes=", ".join(unknown))
    values["amenities"] = [code for code in AMENITIES if code in amenity_codes]
    try:
        values["opening_hours"] = check_hours(data.get("opening_hours") or "")
    except InvalidHours:
        errors["opening_hours"] = _("These hours are not in OpenStreetMap syntax, e.g. "
                                    "“Mo-Fr 08:00-18:00; Sa 09:00-12:00” or “24/7”. "
                                    "Leave empty if you do not know.")
    capacity = (data.get("capacity") or "0").strip()
    if not capacity.isdigit() or int(capacity) > 10000:
        errors["capacity"] = _("Enter a whole number of seats, 0 or more.")
    else:
        values["capacity"] = int(capacity)
    try:
        values["phone"] = _valid_phone((data.get("phone") or "").strip())
    except ValueError:
        errors["phone"] = _("Enter a phone number, e.g. 022-2431 5678 or 138 1234 5678.")
    return checked


def _valid_phone(text: str) -> str:
    """The importer's check, and stricter: the number must exist (a landline with its area
    code or a mobile), since riders call it."""
    text = clean_phone(text)
    if text:
        try:
            number = phonenumbers.parse(text, "CN")
        except phonenumbers.NumberParseException:
            raise ValueError(text) from None
        if not phonenumbers.is_valid_number(number):
            raise ValueError(text)
    return text


def _plain(value):
    """A value as the audit log stores it (JSON scalars)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def snapshot(station: Station) -> dict:
    return {name: _plain(getattr(station, name)) for name in TRACKED}


def record_change(station: Station, before: dict, actor, action: str) -> StationChange | None:
    """Add an audit entry for the fields that differ from `before`; None when nothing did."""
    after = snapshot(station)
    changes = {name: [before.get(name), after[name]] for name in TRACKED
               if before.get(name) != after[name]
               and not (not before and after[name] in (None, "", [], 0))}
    if not changes and action != "create":
        return None
    change = StationChange(station_id=station.id, actor_id=getattr(actor, "id", None),
                           action=action, changes=changes)
    db.session.add(change)
    return change


def create_station(values: dict, actor, organisation_id: int | None, today: date) -> Station:
    """A new station, verified today by the person who entered it, with its audit entry."""
    station = Station(organisation_id=organisation_id, last_verified_on=today, status="active")
    for name, value in values.items():
        setattr(station, name, value)
    db.session.add(station)
    db.session.flush()
    record_change(station, {}, actor, "create")
    db.session.commit()
    return station


def update_station(station: Station, values: dict, actor, today: date | None = None,
                   action: str = "edit") -> StationChange | None:
    """Save the editor's values; `today` marks the details as checked today."""
    before = snapshot(station)
    for name, value in values.items():
        setattr(station, name, value)
    if today is not None:
        station.last_verified_on = today
    change = record_change(station, before, actor, action)
    db.session.commit()
    return change


def check_closure(reason: str, reopens_on_text: str, today: date) -> tuple[dict, dict]:
    """Values for a temporary closure, or errors: a reason, and a reopen date not in the past."""
    values, errors = {}, {}
    reason = " ".join((reason or "").split())
    if not reason:
        errors["closed_reason"] = _("Tell riders why the station is closed.")
    elif len(reason) > CLOSED_REASON_MAX:
        errors["closed_reason"] = _("Use at most %(num)d characters.", num=CLOSED_REASON_MAX)
    values["closed_reason"] = reason
    values["reopens_on"] = None
    if (reopens_on_text or "").strip():
        try:
            reopens_on = date.fromisoformat(reopens_on_text.strip())
        except ValueError:
            errors["reopens_on"] = _("Enter a date like 2026-12-01.")
        else:
            if reopens_on < today:
                errors["reopens_on"] = _("The reopen date is in the past.")
            values["reopens_on"] = reopens_on
    return values, errors


def close_station(station: Station, reason: str, reopens_on: date | None, actor) -> None:
    update_station(station, {"status": "temporarily_closed", "closed_reason": reason,
                             "reopens_on": reopens_on}, actor, action="close")


def reopen_station(station: Station, actor) -> None:
    update_station(station, {"status": "active", "closed_reason": "", "reopens_on": None},
                   actor, action="reopen")


def delist_station(station: Station, actor) -> None:
    """Hide a station from riders for good; its check-ins and history stay."""
    update_station(station, {"status": "delisted", "closed_reason": "", "reopens_on": None},
                   actor, action="delist")


def station_history(station_id: int, limit: int = 200) -> list[StationChange]:
    return list(db.session.scalars(
        select(StationChange).where(StationChange.station_id == station_id)
        .order_by(StationChange.created_at.desc(), StationChange.id.desc()).limit(limit)))


def _box(lat: float, lon: float, radius_m: float) -> tuple[float, float]:
    d_lat = radius_m / 111_000 * 1.01
    d_lon = d_lat / max(math.cos(math.radians(lat)), 0.01)
    return d_lat, d_lon


def likely_duplicates(lat: float, lon: float, *, exclude_id: int | None = None,
                      radius_m: float = DUPLICATE_RADIUS_M) -> list[tuple[Station, float]]:
    """Listed stations within `radius_m` of a point, nearest first, with their distance."""
    d_lat, d_lon = _box(lat, lon, radius_m)
    query = select(Station).where(Station.lat.between(lat - d_lat, lat + d_lat),
                                  Station.lon.between(lon - d_lon, lon + d_lon),
                                  Station.status != "delisted")
    if exclude_id is not None:
        query = query.where(Station.id != exclude_id)
    near = [(station, geodesic_m(lat, lon, station.lat, station.lon))
            for station in db.session.scalars(query)]
    return sorted([pair for pair in near if pair[1] <= radius_m], key=lambda pair: pair[1])


def duplicate_pairs(stations: Select, radius_m: float = DUPLICATE_RADIUS_M,
                    limit: int = 200) -> list[tuple[Station, Station, float]]:
    """Pairs of listed stations among `stations` closer than `radius_m`: a sweep along
    latitude, so only neighbours in a thin band are compared."""
    rows = list(db.session.scalars(stations.where(Station.status != "delisted")
                                   .order_by(Station.lat)))
    d_lat = radius_m / 111_000 * 1.01
    pairs = []
    for index, station in enumerate(rows):
        for other in rows[index + 1:]:
            if other.lat - station.lat > d_lat:
                break
            distance = geodesic_m(station.lat, station.lon, other.lat, other.lon)
            if distance <= radius_m:
                pairs.append((station, other, distance))
                if len(pairs) >= limit:
                    return pairs
    return pairs
