"""Reading station rows from CSV, checking every row, and writing them all or none.

The same checks serve the CLI import and, later, the staff upload page.
"""
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from rest_stations.hours import InvalidHours, check_hours
from rest_stations.models import Station
from rest_stations.vocabulary import AMENITIES, KINDS

COLUMNS = ("name", "address", "city", "district", "lat", "lon", "kind",
           "amenities", "opening_hours", "capacity", "phone")
COORDINATE_DECIMALS = 6  # about 11 cm; rounding makes re-imports match exactly


@dataclass
class StationRow:
    line: int
    values: dict

    @property
    def identity(self) -> tuple:
        return (self.values["name"], self.values["lat"], self.values["lon"])


@dataclass
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("line %(line)d: %(reason)s", line=self.line, reason=self.reason)


@dataclass
class ParsedFile:
    rows: list[StationRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


def read_csv(data: bytes) -> ParsedFile:
    """Parse UTF-8 CSV bytes (a BOM is allowed) into checked rows and errors."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ParsedFile(errors=[RowError(1, _("the file is not UTF-8 text"))])
    reader = csv.reader(io.StringIO(text, newline=""))
    return parse_rows(reader)


def parse_rows(records: Iterable[list[str]]) -> ParsedFile:
    """Check a header record followed by data records; line numbers count the header as 1."""
    parsed = ParsedFile()
    records = iter(records)
    header = [cell.strip().lower() for cell in next(records, [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        parsed.errors.append(RowError(1, _("missing columns: %(columns)s",
                                           columns=", ".join(missing))))
        return parsed
    position = {column: header.index(column) for column in COLUMNS}
    first_line_of: dict[tuple, int] = {}
    for line, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        raw = {column: (record[index].strip() if index < len(record) else "")
               for column, index in position.items()}
        try:
            values = clean_station_values(raw)
        except ValueError as error:
            parsed.errors.append(RowError(line, str(error)))
            continue
        row = StationRow(line, values)
        if row.identity in first_line_of:
            parsed.errors.append(RowError(line, _(
                "same name and coordinates as line %(line)d", line=first_line_of[row.identity])))
            continue
        first_line_of[row.identity] = line
        parsed.rows.append(row)
    return parsed


def clean_station_values(raw: dict[str, str]) -> dict:
    """Typed station fields from text; raises ValueError with a reader-facing reason."""
    name = raw["name"]
    if not name:
        raise ValueError(_("name is empty"))
    if len(name) > 200:
        raise ValueError(_("name is longer than 200 characters"))
    lat = _coordinate(raw["lat"], "lat", 90)
    lon = _coordinate(raw["lon"], "lon", 180)
    kind = raw["kind"] or "union"
    if kind not in KINDS:
        raise ValueError(_("unknown kind %(kind)r (use one of: %(kinds)s)",
                           kind=kind, kinds=", ".join(KINDS)))
    amenities = [code.strip() for code in raw["amenities"].split(";") if code.strip()]
    unknown = [code for code in amenities if code not in AMENITIES]
    if unknown:
        raise ValueError(_("unknown amenities: %(codes)s", codes=", ".join(unknown)))
    try:
        opening_hours = check_hours(raw["opening_hours"])
    except InvalidHours:
        raise ValueError(_("opening_hours %(hours)r is not valid OpenStreetMap syntax",
                           hours=raw["opening_hours"])) from None
    capacity_text = raw["capacity"] or "0"
    if not capacity_text.isdigit():
        raise ValueError(_("capacity %(value)r is not a whole number of seats, 0 or more",
                           value=raw["capacity"]))
    return {
        "name": name,
        "address": raw["address"][:300],
        "city": raw["city"][:50],
        "district": raw["district"][:50],
        "lat": lat,
        "lon": lon,
        "kind": kind,
        "amenities": list(dict.fromkeys(amenities)),
        "opening_hours": opening_hours,
        "capacity": int(capacity_text),
        "phone": clean_phone(raw["phone"]),
    }


def _coordinate(text: str, column: str, bound: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(_("%(column)s %(value)r is not a number",
                           column=column, value=text)) from None
    if not -bound <= value <= bound:
        raise ValueError(_("%(column)s %(value)s is outside -%(bound)d..%(bound)d",
                           column=column, value=text, bound=bound))
    return round(value, COORDINATE_DECIMALS)


def clean_phone(text: str) -> str:
    """A Chinese phone number as people write it, or "" for none; raises ValueError if invalid."""
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValueError(_("phone %(value)r is not a valid phone number", value=text))
    return text


def import_rows(rows: list[StationRow]) -> ImportResult:
    """Create new stations and update matching ones (same name, lat and lon), in one transaction."""
    result = ImportResult()
    existing = _existing_by_identity(rows)
    try:
        for row in rows:
            station = existing.get(row.identity)
            if station is None:
                station = Station()
                db.session.add(station)
                result.created += 1
            else:
                result.updated += 1
            for key, value in row.values.items():
                setattr(station, key, value)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def _existing_by_identity(rows: list[StationRow]) -> dict[tuple, Station]:
    name_list = list({row.values["name"] for row in rows})
    found: dict[tuple, Station] = {}
    for start in range(0, len(name_list), 500):
        chunk = name_list[start:start + 500]
        for station in db.session.scalars(select(Station).where(Station.name.in_(chunk))):
            found[(station.name, station.lat, station.lon)] = station
    return found
