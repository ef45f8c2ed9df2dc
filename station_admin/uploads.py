"""Bulk upload: an .xlsx, .csv or .geojson file of stations, previewed row by row, then
imported in one transaction.

Rows go through the CLI importer's checks (rest_stations.importer.parse_rows), so the
browser and the terminal accept exactly the same data. The template's Chinese headers map
onto the importer's COLUMNS.
"""
import csv
import io
import json
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, select

from extensions import db
from rest_stations.importer import COLUMNS, ParsedFile, RowError, StationRow, parse_rows
from rest_stations.models import Station
from station_admin.models import StationUpload
from station_admin.operations import record_change, snapshot

# The template's headers, in COLUMNS order. Either these or the English names work.
CHINESE_HEADERS = {
    "name": "名称", "address": "地址", "city": "城市", "district": "区县", "lat": "纬度",
    "lon": "经度", "kind": "类型", "amenities": "设施", "opening_hours": "开放时间",
    "capacity": "座位数", "phone": "电话",
}
HEADER_ALIASES = {chinese: column for column, chinese in CHINESE_HEADERS.items()}
EXTENSIONS = ("xlsx", "csv", "geojson", "json")
UPLOAD_LIFETIME = timedelta(days=1)
GEOCODE_ROWS_PER_UPLOAD = 20


class UploadError(ValueError):
    """The whole file is refused; the message is for the person who sent it."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class PreviewRow:
    line: int
    outcome: str  # "new", "update", "unchanged" or "error"
    values: dict = field(default_factory=dict)
    reason: str = ""
    changed: list[str] = field(default_factory=list)
    geocoded: bool = False
    duplicate_of: Station | None = None


@dataclass
class Preview:
    rows: list[PreviewRow]

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def importable(self) -> int:
        return self.count("new") + self.count("update")


# Reading files into text records ------------------------------------------------------------

def read_records(filename: str, data: bytes, max_rows: int) -> list[list[str]]:
    """The file's records as text cells (header first, mapped to COLUMNS); raises UploadError."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        raise UploadError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    if not data:
        raise UploadError(_("The file is empty."))
    if extension == "xlsx":
        records = _xlsx_records(data)
    elif extension == "csv":
        records = _csv_records(data)
    else:
        records = _geojson_records(data)
    result = []
    for index, record in enumerate(records):
        if index > max_rows:
            raise UploadError(_("The file has more than %(num)d rows. Split it into smaller "
                                "files.", num=max_rows))
        result.append(record)
    if not result:
        raise UploadError(_("The file is empty."))
    result[0] = [HEADER_ALIASES.get(cell.strip(), cell.strip().lower()) for cell in result[0]]
    missing = [column for column in COLUMNS if column not in result[0]]
    if missing:
        raise UploadError(_("The first row must hold the column names of the template. "
                            "Missing: %(columns)s",
                            columns="、".join(f"{CHINESE_HEADERS[c]} ({c})" for c in missing)))
    return result


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = list(_sheet_rows(sheet))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError):
        raise UploadError(_("This file is not a readable Excel workbook. Save it again as "
                            ".xlsx, or as CSV (UTF-8).")) from None
    return iter(rows)


def _sheet_rows(sheet) -> Iterator[list[str]]:
    for row in sheet.iter_rows(values_only=True):
        yield [_cell_text(value) for value in row]


def _csv_records(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # Excel on Chinese Windows saves CSV in GBK
        except UnicodeDecodeError:
            raise UploadError(_("The CSV file is neither UTF-8 nor GBK text.")) from None
    if "\x00" in text:
        raise UploadError(_("This is not a CSV text file."))
    return csv.reader(io.StringIO(text, newline=""))


def _geojson_records(data: bytes) -> Iterator[list[str]]:
    """Our own GeoJSON export read back: properties hold the columns, geometry the position."""
    try:
        features = json.loads(data.decode("utf-8-sig"))["features"]
        yield list(COLUMNS)
        for feature in features:
            properties = feature["properties"]
            lon, lat = feature["geometry"]["coordinates"][:2]
            cells = {**{column: properties.get(column, "") for column in COLUMNS},
                     "lat": lat, "lon": lon}
            if isinstance(cells["amenities"], list):
                cells["amenities"] = ";".join(cells["amenities"])
            yield [_cell_text(cells[column]) for column in COLUMNS]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError):
        raise UploadError(_("This is not a GeoJSON file of stations.")) from None


def normalised_records(records: list[list[str]]) -> list[list[str]]:
    """Records reduced to COLUMNS order, header first, so they can be stored and re-read."""
    header = records[0]
    position = {column: header.index(column) for column in COLUMNS}
    out = [list(COLUMNS)]
    for record in records[1:]:
        out.append([record[position[c]] if position[c] < len(record) else "" for c in COLUMNS])
    return out


def fill_coordinates(records: list[list[str]], geocode) -> set[int]:
    """Geocode up to GEOCODE_ROWS_PER_UPLOAD rows that have an address but no coordinates;
    returns the line numbers filled. `geocode(text)` is station_admin.geocoding.geocode."""
    lat_i, lon_i = COLUMNS.index("lat"), COLUMNS.index("lon")
    filled, tried = set(), 0
    for line, record in enumerate(records[1:], start=2):
        if record[lat_i] or record[lon_i] or not any(record):
            continue
        address = "".join(record[COLUMNS.index(c)] for c in ("city", "district", "address"))
        if not address or tried >= GEOCODE_ROWS_PER_UPLOAD:
            continue
        tried += 1
        result = geocode(address)
        if result.error:
            break  # the geocoder is down or slow: do not make staff wait for every row
        if result.candidates:
            record[lat_i] = str(result.candidates[0].lat)
            record[lon_i] = str(result.candidates[0].lon)
            filled.add(line)
    return filled


# Preview and import --------------------------------------------------------------------------

def _stations_by_identity(rows: list[StationRow]) -> dict[tuple, Station]:
    names = list({row.values["name"] for row in rows})
    found: dict[tuple, Station] = {}
    for start in range(0, len(names), 500):
        query = select(Station).where(Station.name.in_(names[start:start + 500]))
        for station in db.session.scalars(query):
            found[(station.name, station.lat, station.lon)] = station
    return found


def _changed_fields(station: Station, values: dict) -> list[str]:
    return [name for name, value in values.items() if getattr(station, name) != value]


def preview(parsed: ParsedFile, may_edit, geocoded: set[int] = frozenset(),
            check_duplicates: bool = True) -> Preview:
    """Each row as new, update, unchanged or error. `may_edit(station)` says whether the
    uploader manages a matching station; a match they do not manage is an error row."""
    existing = _stations_by_identity(parsed.rows)
    rows = [PreviewRow(error.line, "error", reason=error.reason) for error in parsed.errors]
    for row in parsed.rows:
        station = existing.get(row.identity)
        if station is None:
            item = PreviewRow(row.line, "new", row.values, geocoded=row.line in geocoded)
        elif not may_edit(station):
            item = PreviewRow(row.line, "error", row.values, reason=_(
                "a station with this name and position belongs to another organisation"))
        else:
            changed = _changed_fields(station, row.values)
            item = PreviewRow(row.line, "update" if changed else "unchanged", row.values,
                              changed=changed)
        rows.append(item)
    if check_duplicates:
        _mark_duplicates([row for row in rows if row.outcome == "new"])
    rows.sort(key=lambda row: row.line)
    return Preview(rows)


def _mark_duplicates(rows: list[PreviewRow]) -> None:
    from station_admin.operations import likely_duplicates

    for row in rows:
        near = likely_duplicates(row.values["lat"], row.values["lon"])
        if near:
            row.duplicate_of = near[0][0]


def import_rows(parsed: ParsedFile, may_edit, actor, organisation_id: int | None
                ) -> tuple[int, int]:
    """Create and update the checked rows in one transaction, with an audit entry each;
    rows in error are left out. Returns (created, updated)."""
    existing = _stations_by_identity(parsed.rows)
    created = updated = 0
    try:
        for row in parsed.rows:
            station = existing.get(row.identity)
            if station is not None and not may_edit(station):
                continue
            if station is None:
                station = Station(organisation_id=organisation_id, status="active")
                for name, value in row.values.items():
                    setattr(station, name, value)
                db.session.add(station)
                db.session.flush()
                record_change(station, {}, actor, "import")
                created += 1
            elif _changed_fields(station, row.values):
                before = snapshot(station)
                for name, value in row.values.items():
                    setattr(station, name, value)
                record_change(station, before, actor, "import")
                updated += 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return created, updated


def parse_stored(records: list[list[str]]) -> ParsedFile:
    return parse_rows(iter(records))


def store_upload(user, filename: str, records: list[list[str]],
                 organisation_id: int | None, now: datetime) -> StationUpload:
    """Keep the checked records until "Import"; older uploads of anyone are cleared."""
    db.session.execute(delete(StationUpload).where(StationUpload.created_at < now - UPLOAD_LIFETIME))
    upload = StationUpload(token=secrets.token_urlsafe(32), user_id=user.id,
                           filename=filename[:200], records=json.dumps(records, ensure_ascii=False),
                           organisation_id=organisation_id, created_at=now)
    db.session.add(upload)
    db.session.commit()
    return upload


def load_upload(user, token: str) -> StationUpload | None:
    return db.session.scalar(select(StationUpload).where(StationUpload.token == token,
                                                         StationUpload.user_id == user.id))


# The template ------------------------------------------------------------------------------

TEMPLATE_EXAMPLE = ["河东区万达广场驿站", "津塘路 35 号", "天津市", "河东区", "39.12034", "117.23510",
                    "union", "water;charging;toilet", "Mo-Su 08:00-20:00", "12", "022-2431 5678"]


def template_xlsx() -> bytes:
    """An empty sheet with Chinese headers, the field names beneath as a hint, and one example."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "驿站"
    sheet.append([CHINESE_HEADERS[column] for column in COLUMNS])
    sheet.append(TEMPLATE_EXAMPLE)
    for index, width in enumerate((24, 28, 10, 10, 12, 12, 10, 26, 24, 8, 16)):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([CHINESE_HEADERS[column] for column in COLUMNS])
    writer.writerow(TEMPLATE_EXAMPLE)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read it as UTF-8
