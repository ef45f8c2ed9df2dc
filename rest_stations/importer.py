"""Reading station records (CSV, or rows the staff upload read from a sheet), checking each
with the one station schema (rest_stations.schema), and writing the good ones.

A national file (a million stations) streams: `import_csv_file` reads one line at a time,
checks it, and stages good rows in batches in a temporary table (COPY on PostgreSQL,
executemany on SQLite). Duplicates within the file are then found by the database, and one
set-based statement (INSERT ... SELECT ... ON CONFLICT (name, lat, lon) DO UPDATE) writes
them. No ORM objects are made, so memory stays flat whatever the file's size.

Nothing here commits: the CLI command or the view that calls in owns the transaction
(transactions.transaction()); a file with bad rows raises RowsRefused after reporting every
one of them, so that transaction rolls back and nothing is written.
"""
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import (Column, Integer, MetaData, Table, and_, func, literal, or_, select, text,
                        true)
from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from regions.divisions import match as region_match
from rest_stations.geo import position_columns
from rest_stations.models import Station
from rest_stations.schema import COLUMNS, check_station, column_label, column_of_header
from rest_stations.vocabulary import amenity_mask
from spreadsheets import unguard_cell
from transactions import in_transaction

BATCH_ROWS = 2000


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
    skipped: int = 0


class FileRefused(Exception):
    """The file as a whole cannot be read (not UTF-8, not CSV, columns missing)."""

    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


class RowsRefused(Exception):
    """Some rows are bad and --skip-invalid was not given: nothing may be written."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


def _duplicate(line: int, first_line: int, values: dict | None = None) -> RowError:
    return RowError(line, {"": _("same name and coordinates as line %(line)d", line=first_line)},
                    values or {})


# Reading ----------------------------------------------------------------------------------

def checked_records(records: Iterable[list[str]]) -> Iterator[StationRow | RowError]:
    """Check a header record followed by data records, one at a time; line numbers count the
    header as 1. Headers may be the English column names or the template's Chinese ones;
    cells an export guarded against formulas (spreadsheets.safe_cell) are read back as they
    were. Raises FileRefused when columns are missing. Duplicates are not looked for here."""
    records = iter(records)
    header = [column_of_header(cell) for cell in next(records, [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise FileRefused(RowError(1, {"": _("missing columns: %(columns)s",
                                             columns=", ".join(missing))}))
    position = {column: header.index(column) for column in COLUMNS}
    for line, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        raw = {column: unguard_cell(record[index].strip()) if index < len(record) else ""
               for column, index in position.items()}
        checked = check_station(raw)
        if checked.valid:
            yield StationRow(line, checked.values, checked.converted)
        else:
            yield RowError(line, checked.errors, checked.values)


def parse_station_records(records: Iterable[list[str]]) -> ParsedFile:
    """All rows of a small file (the staff upload's 5,000 at most) in memory: the checked
    rows, and the errors including duplicates within the file."""
    parsed = ParsedFile()
    first_line_of: dict[tuple, int] = {}
    try:
        for item in checked_records(records):
            if isinstance(item, RowError):
                parsed.errors.append(item)
            elif item.identity in first_line_of:
                parsed.errors.append(_duplicate(item.line, first_line_of[item.identity],
                                                item.values))
            else:
                first_line_of[item.identity] = item.line
                parsed.rows.append(item)
    except FileRefused as refused:
        parsed.errors.append(refused.error)
    return parsed


def read_csv(data: bytes) -> ParsedFile:
    """Parse UTF-8 CSV bytes (a BOM is allowed) into checked rows and errors, in memory."""
    try:
        text_ = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ParsedFile(errors=[RowError(1, {"": _("the file is not UTF-8 text")})])
    try:
        return parse_station_records(csv.reader(io.StringIO(text_, newline="")))
    except csv.Error as error:
        return ParsedFile(errors=[RowError(1, {"": _("the file is not CSV: %(error)s",
                                                     error=str(error))})])


def _text_lines(binary: Iterable[bytes]) -> Iterator[str]:
    """Lines of UTF-8 text (a BOM is allowed), decoded one by one so that a wrong encoding
    is reported on the line where it shows."""
    for number, line in enumerate(binary, start=1):
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise FileRefused(RowError(number, {"": _("the file is not UTF-8 text")})) from None


# Writing ----------------------------------------------------------------------------------

def import_csv_file(path: Path, skip_invalid: bool = False,
                    report: Callable[[RowError], None] = lambda error: None) -> ImportResult:
    """Stream a UTF-8 CSV file of stations into the table in bounded memory. Every bad row is
    passed to `report` (in line order, then duplicates in line order); unless `skip_invalid`,
    any bad row raises RowsRefused once all are reported. Raises FileRefused for an unreadable
    file. Run inside transaction()."""
    with path.open("rb") as binary:
        try:
            return import_records(csv.reader(_text_lines(binary)), skip_invalid, report)
        except csv.Error as error:
            raise FileRefused(RowError(1, {"": _("the file is not CSV: %(error)s",
                                                 error=str(error))})) from None


def import_records(records: Iterable[list[str]], skip_invalid: bool = False,
                   report: Callable[[RowError], None] = lambda error: None) -> ImportResult:
    """Check and write station records (header first) in batches; see import_csv_file."""
    bad = 0
    with StagedStations() as staged:
        for item in checked_records(records):
            if isinstance(item, RowError):
                report(item)
                bad += 1
            else:
                staged.add(item)
        for line, first_line in staged.duplicates():
            report(_duplicate(line, first_line))
            bad += 1
        if bad and not skip_invalid:
            raise RowsRefused(bad)
        if bad:
            staged.drop_duplicates()
        result = staged.write()
    result.skipped = bad
    return result


def upsert_stations(rows: Iterable[StationRow]) -> ImportResult:
    """Create new stations and update matching ones (same name, lat and lon), through the same
    writer as the streaming import; `rows` must hold no duplicates. The caller commits."""
    with StagedStations() as staged:
        for row in rows:
            staged.add(row)
        return staged.write()


def stations_by_identity(rows: list[StationRow]) -> dict[tuple, Station]:
    """Stored stations with the name and position of any of `rows` (a small file's)."""
    name_list = list({row.values["name"] for row in rows})
    found: dict[tuple, Station] = {}
    for start in range(0, len(name_list), 500):
        chunk = name_list[start:start + 500]
        for station in db.session.scalars(select(Station).where(Station.name.in_(chunk))):
            found[(station.name, station.lat, station.lon)] = station
    return found


@lru_cache(maxsize=4096)
def _region_code(city: str, district: str) -> str | None:
    # regions.sync gives ORM-written rows their code the same way; a file repeats a few
    # thousand (city, district) pairs at most, and matching one scans the division table.
    return region_match(city, district)


# Columns taken from the file, or derived from it as the model derives them: x, y, z and
# cell from lat and lon (Station._keep_position_columns), amenity_mask from the amenities
# (Station.amenities), region_code from city and district (regions.sync). A new derived
# column on Station must be computed in _staged_values too (tests check that every column is
# accounted for). Every other column takes the model's default on insert and keeps its
# value on update (status, closed_reason, organisation_id...).
STAGED = ("name", "address", "city", "district", "region_code", "lat", "lon", "x", "y", "z",
          "cell", "kind", "amenity_mask", "opening_hours", "capacity", "phone")
IDENTITY = ("name", "lat", "lon")
# What a re-import may change; a row whose values are all the same is not touched, so its
# updated_at stays (as with the ORM, which writes only changed rows).
UPDATED = ("address", "city", "district", "kind", "amenity_mask", "opening_hours", "capacity",
           "phone")


def _staged_values(line: int, values: dict) -> tuple:
    derived = position_columns(values["lat"], values["lon"])
    row = {**values, **derived, "amenity_mask": amenity_mask(values["amenities"]),
           "region_code": _region_code(values["city"], values["district"])}
    return (line, *(row[name] for name in STAGED))


def _defaults() -> dict[str, object]:
    """Insert values of the columns a file does not give: the model's defaults."""
    values = {}
    for column in Station.__table__.columns:
        if column.name in STAGED or column.primary_key or column.default is None:
            continue
        default = column.default
        values[column.name] = default.arg(None) if default.is_callable else default.arg
    return values


def _on_update() -> dict[str, object]:
    """Columns the model changes on every update (updated_at)."""
    return {column.name: column.onupdate.arg(None) for column in Station.__table__.columns
            if column.onupdate is not None and column.onupdate.is_callable}


class StagedStations:
    """A temporary table of checked rows, filled in batches, then written to station in one
    statement. Used as a context manager inside the caller's transaction."""

    def __init__(self):
        station = Station.__table__
        self.table = Table(
            "station_import", MetaData(), Column("line", Integer),
            *(Column(name, station.c[name].type) for name in STAGED),
            prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
        self.batch: list[tuple] = []
        self.session = db.session
        self.connection = None

    def __enter__(self) -> "StagedStations":
        if not in_transaction():
            raise RuntimeError("importing stations needs an open transaction(), so that a bad "
                               "row or a crash leaves nothing half written")
        self.session.flush()
        self.connection = self.session.connection()
        self.dialect = self.connection.dialect.name
        self.connection.execute(text("DROP TABLE IF EXISTS station_import"))
        self.table.create(self.connection)
        return self

    def __exit__(self, *exc_info) -> None:
        self.batch = []
        if exc_info[0] is None:
            self.connection.execute(text("DROP TABLE station_import"))

    def add(self, row: StationRow) -> None:
        self.batch.append(_staged_values(row.line, row.values))
        if len(self.batch) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self.batch:
            return
        names = ", ".join(("line", *STAGED))
        if self.dialect == "postgresql":
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor, cursor.copy(f"COPY station_import ({names}) FROM STDIN") as copy:
                for row in self.batch:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * (len(STAGED) + 1))
            self.connection.exec_driver_sql(
                f"INSERT INTO station_import ({names}) VALUES ({marks})", self.batch)
        self.batch = []

    def _later_lines(self):
        """(line, first line) of every row whose name and position an earlier row has."""
        staged = self.table.c
        first = func.min(staged.line).over(partition_by=[staged[name] for name in IDENTITY])
        ranked = select(staged.line, first.label("first_line")).subquery()
        return select(ranked.c.line, ranked.c.first_line).where(
            ranked.c.line != ranked.c.first_line)

    def duplicates(self) -> Iterator[tuple[int, int]]:
        """(line, first line) of the rows that repeat an earlier row, in line order."""
        self._flush()
        query = self._later_lines().order_by(text("line")).execution_options(yield_per=1000)
        result = self.connection.execute(query)
        for line, first_line in result:
            yield line, first_line

    def drop_duplicates(self) -> None:
        """Keep only the first of rows with the same name and position."""
        later = self._later_lines().subquery()
        self.connection.execute(self.table.delete().where(
            self.table.c.line.in_(select(later.c.line))))

    def write(self) -> ImportResult:
        """Insert the new stations and update the matching ones, in one statement."""
        self._flush()
        station, staged = Station.__table__, self.table.c
        same = [station.c[name] == staged[name] for name in IDENTITY]
        total = self.connection.scalar(select(func.count()).select_from(self.table))
        matching = self.connection.scalar(
            select(func.count()).select_from(self.table.join(station, and_(*same))))
        defaults = _defaults()
        source = (select(*(staged[name] for name in STAGED),
                         *(literal(value, station.c[name].type).label(name)
                           for name, value in defaults.items()))
                  .where(true())  # SQLite: INSERT ... SELECT needs a WHERE before ON CONFLICT
                  .order_by(staged.line))  # ids follow the file
        insert = (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(station)
        insert = insert.from_select([*STAGED, *defaults], source)
        new = insert.excluded
        upsert = insert.on_conflict_do_update(
            index_elements=list(IDENTITY),
            set_={**{name: new[name] for name in UPDATED},
                  # A chosen code is never overwritten from names (regions.sync).
                  "region_code": func.coalesce(station.c.region_code, new.region_code),
                  **_on_update()},
            where=or_(*(station.c[name].is_distinct_from(new[name]) for name in UPDATED)))
        self.connection.execute(upsert)
        # Stations loaded before may hold what was just overwritten.
        self.session.expire_all()
        return ImportResult(created=total - matching, updated=matching)
