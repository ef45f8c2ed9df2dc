"""What the check-ins domain keeps about a person, for their export and their deletion
(registered with accounts.personal_data): check-ins and the reports they filed."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

import clock
from accounts import personal_data
from checkins import rules
from checkins.models import CheckIn, StationReport
from extensions import db


def _stamp(moment: datetime | None) -> str | None:
    return clock.format_stamp(moment) if moment else None


def export_check_ins(user) -> list[dict]:
    check_ins = db.session.scalars(select(CheckIn).where(CheckIn.user_id == user.id)
                                   .order_by(CheckIn.checked_in_at))
    return [{"station": c.station.name, "source": c.source, "checked_in_at": _stamp(c.checked_in_at),
             "checked_out_at": _stamp(c.checked_out_at), "expires_at": _stamp(c.expires_at)}
            for c in check_ins]


def export_reports(user) -> list[dict]:
    reports = db.session.scalars(select(StationReport).where(StationReport.user_id == user.id)
                                 .order_by(StationReport.id))
    return [{"station_id": r.station_id, "kind": r.kind, "note": r.note,
             "created_at": _stamp(r.created_at), "resolved_at": _stamp(r.resolved_at)}
            for r in reports]


def erase_check_ins(user, now: datetime) -> None:
    """Close the open check-in as a check-out would (under the worker's lock; an expired one
    ends when it expired, one that began after `now` when it began, never before its start);
    past check-ins stay for the usage counts (they name an account that no longer names
    anyone)."""
    rules.check_out(user.id, now=now)


def erase_reports(user, now: datetime) -> None:
    """Reports stay for the station's record, with no note and no author."""
    db.session.execute(update(StationReport).where(StationReport.user_id == user.id)
                       .values(note="", user_id=None).execution_options(synchronize_session=False))
    db.session.flush()


def register_personal_data() -> None:
    personal_data.register("check_ins", title=_l("Check-ins"), export=export_check_ins,
                           erase=erase_check_ins, order=30)
    personal_data.register("reports", title=_l("Reports about stations"), export=export_reports,
                           erase=erase_reports, order=31)
