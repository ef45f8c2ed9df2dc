"""Roster exports for staff: CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and xlsx.
Phone numbers are always masked here; a full number is revealed one person at a time on the
roster or the staff person page, where the reveal is audited."""
import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook

from accounts.phones import masked
from services.forms import utc_to_local
from services.models import Registration
from services.vocabulary import STATE_LABELS


def roster_rows(registrations: list[Registration]) -> list[list]:
    header = [_("Name"), _("Child's age"), _("Registered by"), _("Phone"), _("State"),
              _("Signed up at (Beijing time)")]
    rows = [header]
    for r in registrations:
        rows.append([r.attendee_name, r.dependant_age if r.dependant_age is not None else "",
                     r.worker.display_name, masked(r.worker.phone), str(STATE_LABELS[r.state]),
                     utc_to_local(r.queued_at).strftime("%Y-%m-%d %H:%M")])
    return rows


def roster_csv(registrations: list[Registration]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(roster_rows(registrations))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def roster_xlsx(registrations: list[Registration], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    for row in roster_rows(registrations):
        sheet.append(row)
    sheet.insert_rows(1)
    sheet["A1"] = title
    for column, width in zip("ABCDEF", (16, 8, 16, 14, 14, 20)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
