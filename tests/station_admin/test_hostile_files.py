"""Uploads built to hurt: a declared-dimension bomb, a zip bomb, DTD and entity tricks,
deep GeoJSON, oversized files and fields. Each is refused with a 4xx and a message, quickly
and in bounded memory, and nothing is written."""
import io
import json
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extensions import db
from rest_stations.models import Station
from tests.accounts.helpers import csrf_token

ROOT = Path(__file__).resolve().parents[2]
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="驿站" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>')
SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook_with_sheet(sheet_xml: str) -> bytes:
    """A minimal .xlsx whose only sheet is `sheet_xml`, as a hostile sender would write it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def dimension_bomb() -> bytes:
    """One cell at the last row and column, and a declared size of the whole grid."""
    return workbook_with_sheet(
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {SHEET_NS}>'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        '</sheetData></worksheet>')


def _upload(client, data: bytes, filename: str):
    return client.post("/staff/stations/upload", data={
        "csrf_token": csrf_token(client, "/staff/stations/upload"),
        "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Station))


def test_the_dimension_bomb_is_small_and_refused_within_two_seconds(staff_client):
    bomb = dimension_bomb()
    assert len(bomb) < 5_500
    started = time.perf_counter()
    response = _upload(staff_client, bomb, "bomb.xlsx")
    assert time.perf_counter() - started < 2
    assert response.status_code == 422 and _count() == 0
    assert "more than 5000 rows" in response.get_data(as_text=True)


def test_reading_the_dimension_bomb_stays_under_100_mb_in_its_own_process(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(dimension_bomb())
    # Only the reader is imported: the peak is what reading the file costs, plus Python
    # and openpyxl. Before the fix this grew past 1.8 GB. VmHWM is this process's own peak
    # (getrusage's ru_maxrss would include the pytest process it was forked from).
    script = textwrap.dedent(f"""
        import re, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from station_admin.sheets import UploadError, read_records
        data = open({str(path)!r}, "rb").read()
        started = time.perf_counter()
        try:
            read_records("bomb.xlsx", data, 5000)
        except UploadError as error:
            outcome = "refused"
        else:
            outcome = "accepted"
        status = open("/proc/self/status").read()
        print(outcome, time.perf_counter() - started,
              re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    outcome, seconds, peak_kib = result.stdout.split()
    assert outcome == "refused"
    assert float(seconds) < 2
    assert int(peak_kib) < 100 * 1024, f"peak RSS {int(peak_kib) // 1024} MB"


def test_a_workbook_with_a_dtd_and_entities_is_refused(staff_client):
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?>'
             '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
             '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY secret SYSTEM "file:///etc/passwd">]>'
             f'<worksheet {SHEET_NS}><sheetData><row r="1">'
             '<c r="A1" t="inlineStr"><is><t>&c;&secret;</t></is></c></row></sheetData></worksheet>')
    response = _upload(staff_client, workbook_with_sheet(sheet), "dtd.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "not a readable Excel workbook" in page
    assert "root:" not in page and _count() == 0


def test_malformed_xml_in_a_workbook_is_refused(staff_client):
    response = _upload(staff_client, workbook_with_sheet("<worksheet><sheetData><row"),
                       "broken.xlsx")
    assert response.status_code == 422
    assert "not a readable Excel workbook" in response.get_data(as_text=True)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(staff_client):
    padding = " " * (30 * 1024 * 1024)  # 30 MB of XML whitespace, a few dozen KB zipped
    bomb = workbook_with_sheet(f'<?xml version="1.0"?><worksheet {SHEET_NS}>{padding}'
                               '<sheetData/></worksheet>')
    assert len(bomb) < 200_000
    started = time.perf_counter()
    response = _upload(staff_client, bomb, "zip-bomb.xlsx")
    assert time.perf_counter() - started < 2
    assert response.status_code == 422 and "too large once unpacked" in response.get_data(
        as_text=True)


def test_a_six_megabyte_file_is_413(staff_client):
    response = _upload(staff_client, b"name,lat\n" + b"x" * (6 * 1024 * 1024), "big.csv")
    assert response.status_code == 413 and "larger than" in response.get_data(as_text=True)


@pytest.mark.parametrize("document", [
    "[" * 100_000 + "]" * 100_000,  # json.loads raises RecursionError on this
    json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.2, 39.1]},
         "properties": {"name": json.loads("[" * 60 + "]" * 60)}}]}),
    json.dumps({"type": "FeatureCollection", "features": "no"}),
    json.dumps([1, 2, 3]),
])
def test_deep_or_odd_geojson_is_refused(staff_client, document):
    response = _upload(staff_client, document.encode(), "stations.geojson")
    assert response.status_code == 422
    assert "not a GeoJSON file of stations" in response.get_data(as_text=True)


def test_a_csv_field_larger_than_the_csv_module_allows_is_refused(staff_client):
    response = _upload(staff_client, b'name,lat\n"' + b"x" * 200_000 + b'",1\n', "s.csv")
    assert response.status_code == 422
    assert "not a CSV text file" in response.get_data(as_text=True)


def test_many_blank_rows_are_refused_like_too_many_rows(staff_client, app):
    response = _upload(staff_client, b"name\n" + b",\n" * 30_000, "blank.csv")
    assert response.status_code == 422
    assert "more than 5000 rows" in response.get_data(as_text=True)
