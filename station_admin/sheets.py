"""Uploaded station files (.xlsx, .csv, our .geojson export) read into text records, within
budgets, whatever the file claims about itself.

Files come from any staff member, so reading is bounded before anything is materialised:
the zip's unpacked size, the rows scanned and the columns kept; a workbook's declared
dimensions are ignored (openpyxl would otherwise pad every row to them). Every parser
failure (bad zip, malformed XML, DTDs and entities, which defusedxml refuses inside
openpyxl, deep JSON) becomes an UploadError with a message for the person, never a 500.
This module imports little, so its memory use can be measured on its own (tests).
"""
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook

from rest_stations.schema import CHINESE_HEADERS, COLUMNS, column_of_header

EXTENSIONS = ("xlsx", "csv", "geojson", "json")
# Reading budgets. A real 5,000-row sheet unpacks to a few MB of XML and uses 11 columns.
XLSX_MAX_UNPACKED_BYTES = 25 * 1024 * 1024
XLSX_MAX_MEMBERS = 200
MAX_COLUMNS = 40
SCANNED_ROWS_PER_ROW = 4  # blank rows tolerated between data rows, on average
GEOJSON_MAX_DEPTH = 20


class UploadError(ValueError):
    """The whole file is refused; the message is for the person who sent it."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


def _too_many_rows(max_rows: int) -> UploadError:
    return UploadError(_("The file has more than %(num)d rows. Split it into smaller files.",
                         num=max_rows))


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
    result: list[list[str]] = []
    filled, scan_budget = 0, (max_rows + 1) * SCANNED_ROWS_PER_ROW + 100
    try:
        for scanned, record in enumerate(records):
            if scanned > scan_budget:
                raise _too_many_rows(max_rows)
            if not any(record):
                result.append([])  # kept, so line numbers stay those of the sheet
                continue
            if filled > max_rows:
                raise _too_many_rows(max_rows)
            filled += 1
            result.append(record[:MAX_COLUMNS])
    except csv.Error:
        raise UploadError(_("This is not a CSV text file.")) from None
    while result and not result[0]:
        result.pop(0)  # blank lines above the header
    if not result:
        raise UploadError(_("The file is empty."))
    result[0] = [column_of_header(cell) for cell in result[0]]
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


def _unreadable_workbook() -> UploadError:
    return UploadError(_("This file is not a readable Excel workbook. Save it again as .xlsx, "
                         "or as CSV (UTF-8)."))


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    """The first sheet's rows, streamed and at most MAX_COLUMNS cells wide; the caller stops
    after a bounded number of rows, so a declared size (<dimension ref="A1:XFD1048576">)
    costs nothing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            # The declared sizes bound what zipfile will inflate (it stops there and checks
            # the CRC), so this refuses zip bombs before any XML is parsed.
            if len(members) > XLSX_MAX_MEMBERS or \
                    sum(member.file_size for member in members) > XLSX_MAX_UNPACKED_BYTES:
                raise UploadError(_("This workbook is too large once unpacked. Keep only the "
                                    "station sheet, or save it as CSV (UTF-8)."))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # never trust the declared size
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    except UploadError:
        raise
    except Exception:  # any parser failure: bad zip, XML, DTD or entity tricks, odd parts
        raise _unreadable_workbook() from None
    return _sheet_rows(rows, workbook)


def _sheet_rows(rows, workbook) -> Iterator[list[str]]:
    try:
        for row in rows:
            yield [_cell_text(value) for value in row]
    except Exception:
        raise _unreadable_workbook() from None
    finally:
        workbook.close()


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


def _depth(value, limit: int) -> int:
    """Nesting depth of parsed JSON, stopping once past `limit`."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = item.values() if isinstance(item, dict) else \
            item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _geojson_records(data: bytes) -> Iterator[list[str]]:
    """Our own GeoJSON export read back: properties hold the columns, geometry the position."""
    refused = UploadError(_("This is not a GeoJSON file of stations."))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise refused from None
    if not isinstance(document, dict) or not isinstance(document.get("features"), list) \
            or _depth(document, GEOJSON_MAX_DEPTH) > GEOJSON_MAX_DEPTH:
        raise refused
    records = [list(COLUMNS)]
    try:
        for feature in document["features"]:
            properties = feature["properties"]
            lon, lat = feature["geometry"]["coordinates"][:2]
            cells = {**{column: properties.get(column, "") for column in COLUMNS},
                     "lat": lat, "lon": lon}
            if isinstance(cells["amenities"], list):
                cells["amenities"] = ";".join(str(code) for code in cells["amenities"])
            records.append([_cell_text(cells[column]) for column in COLUMNS])
    except (KeyError, TypeError, IndexError, ValueError, AttributeError):
        raise refused from None
    return iter(records)
