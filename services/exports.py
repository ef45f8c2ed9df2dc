"""Roster exports for staff: CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and xlsx.
Every cell goes through spreadsheets.safe_cell, so a name like "=HYPERLINK(...)" is text in
Excel and WPS, never a formula. Phone numbers are always masked here; a full number is
revealed one person at a time on the roster or the staff person page, where the reveal is
audited."""
import io

from flask_babel import gettext as _
from openpyxl import Workbook

import clock
from accounts.phones import masked
from services.models import Registration
from services.vocabulary import STATE_LABELS
from spreadsheets import csv_text, safe_cell, safe_row


def roster_rows(registrations: list[Registration]) -> list[list]:
    header = [_("Name"), _("Child's age"), _("Registered by"), _("Phone"), _("State"),
              _("Signed up at (Beijing time)")]
    rows = [header]
    for r in registrations:
        rows.append([r.attendee_name, r.dependant_age if r.dependant_age is not None else "",
                     r.worker.display_name, masked(r.worker.phone), str(STATE_LABELS[r.state]),
                     clock.format_stamp(r.queued_at)])
    return rows


def roster_csv(registrations: list[Registration]) -> bytes:
    return csv_text(roster_rows(registrations)).encode("utf-8")


def roster_xlsx(registrations: list[Registration], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    sheet.append([safe_cell(title)])
    for row in roster_rows(registrations):
        sheet.append(safe_row(row))
    for column, width in zip("ABCDEF", (16, 8, 16, 14, 14, 20)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
