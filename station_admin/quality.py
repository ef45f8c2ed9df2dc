"""The data-quality lists staff work through: stale, reported, unknown hours, duplicates."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, or_, select

from checkins.models import FINE_KINDS, StationReport
from extensions import db
from rest_stations.models import Station
from station_admin.operations import duplicate_pairs

# Open Charge Map counts a location as "recently verified" for six months.
VERIFIED_FOR = timedelta(days=182)
LIST_LIMIT = 200


@dataclass
class QualityReport:
    not_verified: list[Station]
    reported: list[tuple[Station, int]]  # station and its number of open problem reports
    hours_unknown: list[Station]
    duplicates: list[tuple[Station, Station, float]]


def quality_report(stations: Select, today: date) -> QualityReport:
    """What needs attention among `stations` (a select of Station), delisted ones aside."""
    listed = stations.where(Station.status != "delisted")
    ids = listed.with_only_columns(Station.id).scalar_subquery()
    not_verified = db.session.scalars(
        listed.where(or_(Station.last_verified_on.is_(None),
                         Station.last_verified_on < today - VERIFIED_FOR))
        .order_by(Station.last_verified_on.is_not(None), Station.last_verified_on, Station.name)
        .limit(LIST_LIMIT)).all()
    counts = db.session.execute(
        select(StationReport.station_id, db.func.count())
        .where(StationReport.resolved_at.is_(None), StationReport.kind.not_in(FINE_KINDS),
               StationReport.station_id.in_(ids))
        .group_by(StationReport.station_id)
        .order_by(db.func.count().desc()).limit(LIST_LIMIT)).all()
    by_id = {station.id: station for station in db.session.scalars(
        select(Station).where(Station.id.in_([row[0] for row in counts])))}
    hours_unknown = db.session.scalars(
        listed.where(Station.opening_hours == "").order_by(Station.name).limit(LIST_LIMIT)).all()
    return QualityReport(list(not_verified), [(by_id[sid], n) for sid, n in counts],
                         list(hours_unknown), duplicate_pairs(stations))
