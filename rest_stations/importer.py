"""Reading station records (CSV, or rows the staff upload read from a sheet), checking each
with the one station schema (rest_stations.schema), and writing the good ones.

Nothing here commits: `upsert_stations` adds and flushes, and the CLI command or the view
that calls it owns the transaction (transactions.transaction()).
"""
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from rest_stations.models import Station
from rest_stations.schema import COLUMNS, check_station, column_label, column_of_header
from spreadsheets import unguard_cell


@dataclass
class StationRow:
    line: int
    values: dict
    converted: dict[str, str] = field(default_factory=dict)

    @property
    def identity(self) -> tuple:
        return (self.values["name"], self.values["lat"], self.values["lon"])


@dataclass
class RowError:
    """Everything wrong with one line: column -> message ("" for the whole line)."""

    line: int
    problems: dict[str, str]
    values: dict = field(default_factory=dict)

    @property
    def reasons(self) -> list[str]:
        return [f"{column_label(column)}: {message}" if column else message
                for column, message in self.problems.items()]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

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
        return ParsedFile(errors=[RowError(1, {"": _("the file is not UTF-8 text")})])
    try:
        return parse_station_records(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        return ParsedFile(errors=[RowError(1, {"": _("the file is not CSV: %(error)s",
                                                     error=str(error))})])


def parse_station_records(records: Iterable[list[str]]) -> ParsedFile:
    """Check a header record followed by data records; line numbers count the header as 1.
    Headers may be the English column names or the template's Chinese ones; cells an export
    guarded against formulas (spreadsheets.safe_cell) are read back as they were."""
    parsed = ParsedFile()
    records = iter(records)
    header = [column_of_header(cell) for cell in next(records, [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        parsed.errors.append(RowError(1, {"": _("missing columns: %(columns)s",
                                                columns=", ".join(missing))}))
        return parsed
    position = {column: header.index(column) for column in COLUMNS}
    first_line_of: dict[tuple, int] = {}
    for line, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        raw = {column: unguard_cell(record[index].strip()) if index < len(record) else ""
               for column, index in position.items()}
        checked = check_station(raw)
        if not checked.valid:
            parsed.errors.append(RowError(line, checked.errors, checked.values))
            continue
        row = StationRow(line, checked.values, checked.converted)
        if row.identity in first_line_of:
            parsed.errors.append(RowError(line, {"": _(
                "same name and coordinates as line %(line)d", line=first_line_of[row.identity])},
                checked.values))
            continue
        first_line_of[row.identity] = line
        parsed.rows.append(row)
    return parsed


def upsert_stations(rows: list[StationRow]) -> ImportResult:
    """Create new stations and update matching ones (same name, lat and lon); flushes, the
    caller commits."""
    result = ImportResult()
    existing = stations_by_identity(rows)
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
    db.session.flush()
    return result


def stations_by_identity(rows: list[StationRow]) -> dict[tuple, Station]:
    """Stored stations with the name and position of any of `rows`."""
    name_list = list({row.values["name"] for row in rows})
    found: dict[tuple, Station] = {}
    for start in range(0, len(name_list), 500):
        chunk = name_list[start:start + 500]
        for station in db.session.scalars(select(Station).where(Station.name.in_(chunk))):
            found[(station.name, station.lat, station.lon)] = station
    return found
