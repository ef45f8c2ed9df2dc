"""The staff's CSV and xlsx downloads: the monthly board and the job seekers' 1131 record.
Every cell goes through spreadsheets.safe_row (a name like "=1+1" stays text)."""
import io

from flask_babel import gettext as _
from openpyxl import Workbook

import clock
from accounts.phones import masked
from jobs import seekers
from jobs.forms import CATEGORY_LABELS
from spreadsheets import csv_text, safe_row


def csv_bytes(rows: list[list]) -> bytes:
    return csv_text(rows).encode("utf-8")


def xlsx_bytes(rows: list[list], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def board_rows(rows: list[seekers.BoardRow]) -> list[list]:
    table = [[_("Station"), _("Posts collected"), _("Job seekers registered"),
              _("Recommendations"), _("Hires"), _("Job seekers (all)"), _("1131 complete"),
              _("Share with 1131 complete")]]
    for r in rows:
        share = r.complete_share
        table.append([r.station.name if r.station else _("No station"), r.posts,
                      r.seekers_registered, r.recommendations, r.hires, r.seekers_total,
                      r.complete, "" if share is None else f"{share:.0%}"])
    return table


def seeker_rows(profiles) -> list[list]:
    table = [[_("Name"), _("Phone"), _("Station"), _("Work wanted"), _("May call"),
              _("Registered"), _("Policy talks"), _("Guidance sessions"), _("Recommendations"),
              _("Training offers"), _("Follow-up calls"), _("1131 complete"), _("Hired where"),
              _("Hired on")]]
    for p in profiles:
        tally = seekers.tally(p)
        table.append([
            p.user.display_name, masked(p.user.phone), p.station.name if p.station else "",
            "、".join(str(CATEGORY_LABELS[c]) for c in p.categories or []),
            _("Yes") if p.wants_calls else _("No"), clock.local(p.created_at).date().isoformat(),
            tally.of("policy"), tally.of("guidance"), tally.of("recommendation"),
            tally.of("training"), tally.of("follow_up"),
            _("Yes") if tally.complete else _("No"), p.hired_where,
            p.hired_at.isoformat() if p.hired_at else ""])
    return table
