"""Bulk upload: an .xlsx, .csv or .geojson file of stations (read within budgets by
station_admin.sheets), previewed row by row with every problem of each row, rows without
coordinates looked up by address, then imported in one transaction with the end of the
upload.

Rows are checked by the one station schema (rest_stations.schema, through
rest_stations.importer.parse_station_records), so the browser, the editor and the terminal
accept exactly the same data.
"""
import csv
import io
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import delete, select

from extensions import db
from rest_stations.importer import (ParsedFile, parse_station_records,
                                    stations_by_identity)
from rest_stations.models import Station
from rest_stations.schema import CHINESE_HEADERS, COLUMNS
from rest_stations.vocabulary import AMENITY_LABELS_ZH, KIND_LABELS_ZH
from station_admin.models import StationUpload
from station_admin.operations import record_change, snapshot
from station_admin.sheets import UploadError, read_records  # noqa: F401 (the views' API)

UPLOAD_LIFETIME = timedelta(days=1)
GEOCODE_ROWS_PER_UPLOAD = 20


@dataclass
class PreviewRow:
    line: int
    outcome: str  # "new", "update", "unchanged" or "error"
    values: dict = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    converted: dict[str, str] = field(default_factory=dict)
    geocoded: bool = False
    duplicate_of: Station | None = None

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass
class Preview:
    rows: list[PreviewRow]

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def importable(self) -> int:
        return self.count("new") + self.count("update")


def normalised_records(records: list[list[str]]) -> list[list[str]]:
    """Records reduced to COLUMNS order, header first, so they can be stored and re-read;
    a blank line stays an empty record, so line numbers stay those of the file."""
    header = records[0]
    position = {column: header.index(column) for column in COLUMNS}
    out = [list(COLUMNS)]
    for record in records[1:]:
        out.append([record[position[c]] if position[c] < len(record) else "" for c in COLUMNS]
                   if record else [])
    return out


@dataclass
class Lookups:
    """What the address lookup did for rows without coordinates, by line number."""

    found: set[int] = field(default_factory=set)
    not_found: dict[int, str] = field(default_factory=dict)  # line -> the address tried
    unavailable: dict[int, str] = field(default_factory=dict)  # line -> the geocoder's message
    not_tried: set[int] = field(default_factory=set)  # over GEOCODE_ROWS_PER_UPLOAD


def fill_coordinates(records: list[list[str]], geocode) -> Lookups:
    """Geocode up to GEOCODE_ROWS_PER_UPLOAD rows that have an address but no coordinates,
    writing the best candidate into the records. `geocode(text)` is geocoding.geocode."""
    lat_i, lon_i = COLUMNS.index("lat"), COLUMNS.index("lon")
    lookups, tried, failure = Lookups(), 0, None
    for line, record in enumerate(records[1:], start=2):
        if not record or record[lat_i] or record[lon_i]:
            continue
        address = "".join(record[COLUMNS.index(c)] for c in ("city", "district", "address"))
        if not address:
            continue
        if failure is not None:
            lookups.unavailable[line] = failure
            continue
        if tried >= GEOCODE_ROWS_PER_UPLOAD:
            lookups.not_tried.add(line)
            continue
        tried += 1
        result = geocode(address)
        if result.error:
            # The geocoder is down or slow: do not make staff wait for every row.
            failure = result.error
            lookups.unavailable[line] = failure
        elif result.candidates:
            record[lat_i] = str(result.candidates[0].lat)
            record[lon_i] = str(result.candidates[0].lon)
            lookups.found.add(line)
        else:
            lookups.not_found[line] = address
    return lookups


# Preview and import --------------------------------------------------------------------------

def _changed_fields(station: Station, values: dict) -> list[str]:
    return [name for name, value in values.items() if getattr(station, name) != value]


def _error_reasons(error, lookups: Lookups) -> list[str]:
    """The row's problems, with "no coordinates" said the way the lookup went."""
    problems = dict(error.problems)
    if "lat" in problems and "lon" in problems:  # lookups only know rows without both
        missing = None
        if error.line in lookups.not_found:
            missing = _("The address “%(address)s” could not be found. Check it, or enter "
                        "latitude and longitude.", address=lookups.not_found[error.line])
        elif error.line in lookups.unavailable:
            missing = _("No coordinates, and the address lookup failed: %(error)s",
                        error=lookups.unavailable[error.line])
        elif error.line in lookups.not_tried:
            missing = _("No coordinates. Only %(num)d addresses are looked up per file: "
                        "upload the rest in another file, or enter latitude and longitude.",
                        num=GEOCODE_ROWS_PER_UPLOAD)
        if missing:
            del problems["lat"], problems["lon"]
            problems = {"address": missing, **problems}
    return type(error)(error.line, problems, error.values).reasons


def preview(parsed: ParsedFile, may_edit, lookups: Lookups | None = None,
            check_duplicates: bool = True) -> Preview:
    """Each row as new, update, unchanged or error (with every problem of the row).
    `may_edit(station)` says whether the uploader manages a matching station; a match they
    do not manage is an error row."""
    lookups = lookups or Lookups()
    existing = stations_by_identity(parsed.rows)
    rows = [PreviewRow(error.line, "error", error.values, reasons=_error_reasons(error, lookups))
            for error in parsed.errors]
    for row in parsed.rows:
        station = existing.get(row.identity)
        if station is None:
            item = PreviewRow(row.line, "new", row.values, converted=row.converted,
                              geocoded=row.line in lookups.found)
        elif not may_edit(station):
            item = PreviewRow(row.line, "error", row.values, reasons=[_(
                "a station with this name and position belongs to another organisation")])
        else:
            changed = _changed_fields(station, row.values)
            item = PreviewRow(row.line, "update" if changed else "unchanged", row.values,
                              changed=changed, converted=row.converted)
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


def import_upload_rows(parsed: ParsedFile, may_edit, actor, organisation_id: int | None
                       ) -> tuple[int, int]:
    """Create and update the checked rows with an audit entry each; rows in error are left
    out. Flushes; the caller's transaction commits. Returns (created, updated)."""
    existing = stations_by_identity(parsed.rows)
    created = updated = 0
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
    db.session.flush()
    return created, updated


def parse_stored(records: list[list[str]]) -> ParsedFile:
    return parse_station_records(iter(records))


def store_upload(user, filename: str, records: list[list[str]],
                 organisation_id: int | None, now: datetime) -> StationUpload:
    """Keep the checked records until "Import"; older uploads of anyone are cleared."""
    db.session.execute(delete(StationUpload).where(StationUpload.created_at < now - UPLOAD_LIFETIME))
    upload = StationUpload(token=secrets.token_urlsafe(32), user_id=user.id,
                           filename=filename[:200], records=json.dumps(records, ensure_ascii=False),
                           organisation_id=organisation_id, created_at=now)
    db.session.add(upload)
    db.session.flush()
    return upload


def load_upload(user, token: str) -> StationUpload | None:
    return db.session.scalar(select(StationUpload).where(StationUpload.token == token,
                                                         StationUpload.user_id == user.id))


def discard_upload(upload: StationUpload) -> None:
    db.session.delete(upload)
    db.session.flush()


# The template ------------------------------------------------------------------------------

TEMPLATE_EXAMPLES = [
    ["河东区万达广场驿站", "津塘路 35 号", "天津市", "河东区", "39.12034", "117.23510",
     "工会驿站", "饮水；充电；卫生间", "每天8:00-20:00", "12", "022-2431 5678"],
    ["大王庄社区合作驿站", "十一经路 8 号", "天津市", "河东区", "39.1272", "117.2185",
     "合作驿站", "饮水；休息；微波炉", "周一至周五 9:00-18:00；节假日休息", "6", ""],
]
TEMPLATE_WIDTHS = (24, 28, 10, 10, 12, 12, 12, 26, 30, 8, 16)
TEMPLATE_NOTES = [
    ("名称", "必填。名称和经纬度相同的行会更新已有驿站，不会重复添加。"),
    ("地址 城市 区县", "没有经纬度时，按“城市+区县+地址”查找坐标（每个文件最多 20 行）。"),
    ("纬度 经度", "WGS-84 坐标（手机定位、天地图、OpenStreetMap），例如 39.12034 和 117.23510。"),
    ("类型", "从下拉列表中选择：" + "、".join(KIND_LABELS_ZH.values()) + "。"),
    ("设施", "用分号或顿号隔开，可选：" + "、".join(AMENITY_LABELS_ZH.values()) + "。"),
    ("开放时间", "例如：每天8:00-20:00；周一至周五 9:00-18:00；24小时；节假日休息。"
                 "也可以用 OpenStreetMap 写法：Mo-Fr 08:00-18:00。不知道就留空。"),
    ("座位数", "整数，0 到 10000。"),
    ("电话", "固定电话带区号，或手机号，例如 022-2431 5678、138 1234 5678。"),
]


def template_xlsx(max_rows: int = 5000) -> bytes:
    """A sheet with Chinese headers, two examples and dropdowns for kind, and a sheet of notes
    (the allowed amenities and hours phrases)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "驿站"
    sheet.append([CHINESE_HEADERS[column] for column in COLUMNS])
    for example in TEMPLATE_EXAMPLES:
        sheet.append(example)
    for index, width in enumerate(TEMPLATE_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    kind_column = chr(ord("A") + COLUMNS.index("kind"))
    kinds = DataValidation(type="list", formula1='"' + ",".join(KIND_LABELS_ZH.values()) + '"',
                           allow_blank=True, showErrorMessage=True, errorTitle="类型",
                           error="请从列表中选择：" + "、".join(KIND_LABELS_ZH.values()),
                           promptTitle="类型", prompt="工会驿站、合作驿站或司机之家")
    kinds.add(f"{kind_column}2:{kind_column}{max_rows + 1}")
    sheet.add_data_validation(kinds)
    amenity_column = chr(ord("A") + COLUMNS.index("amenities"))
    hint = DataValidation(type="custom", formula1="TRUE", allow_blank=True, showErrorMessage=False,
                          promptTitle="设施", prompt="用分号隔开，例如：饮水；充电；卫生间")
    hint.add(f"{amenity_column}2:{amenity_column}{max_rows + 1}")
    sheet.add_data_validation(hint)
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "怎么填"])
    for row in TEMPLATE_NOTES:
        notes.append(list(row))
    notes.append([])
    notes.append(["设施名称", "代码"])
    for code, label in AMENITY_LABELS_ZH.items():
        notes.append([label, code])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([CHINESE_HEADERS[column] for column in COLUMNS])
    writer.writerows(TEMPLATE_EXAMPLES)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read it as UTF-8
