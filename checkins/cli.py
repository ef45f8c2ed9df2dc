"""Demo check-ins and reports, so the staff usage view has something to show; and the
housekeeping job that closes expired check-ins."""
import random
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import update

import clock
from accounts.models import User
from checkins.models import CheckIn, StationReport
from extensions import db
from rest_stations.models import Station
from scheduler import register_job
from transactions import transaction


@register_job("checkins.close_expired", every="WORKER_HOUSEKEEPING_SECONDS")
def close_expired_check_ins(now: datetime) -> int:
    """Open check-ins past their expiry are closed at the moment they expired, as the next
    action of their worker would; occupancy already ignores them, this keeps the open set
    (and its partial index) small. (`flask worker` runs it, under its lock.)"""
    result = db.session.execute(
        update(CheckIn)
        .where(CheckIn.checked_out_at.is_(None), CheckIn.expires_at <= now)
        .values(checked_out_at=CheckIn.expires_at)
        .execution_options(synchronize_session=False))
    return result.rowcount


DEMO_DAYS = 28
DEMO_STATIONS = 12


def seed_demo_check_ins() -> str:
    """Four weeks of past check-ins at a dozen demo stations, busiest 14:00–16:00, plus a few
    open reports. Runs once: a database that already has check-ins is left alone."""
    if db.session.scalar(db.select(CheckIn.id).limit(1)) is not None:
        return _("Demo check-ins: already there.")
    workers = list(db.session.scalars(db.select(User.id).where(User.role == "worker")))
    stations = list(db.session.scalars(
        db.select(Station).where(Station.organisation_id.is_not(None))
        .order_by(Station.id).limit(DEMO_STATIONS)))
    if not workers or not stations:
        return _("Demo check-ins: no workers or stations yet.")
    rng = random.Random(5)  # the same demo data on every machine
    now = clock.now().replace(second=0, microsecond=0)
    rows = []
    for days_ago in range(DEMO_DAYS, 0, -1):
        for station in stations:
            for _visit in range(rng.randint(2, 9)):
                # Hours at the station (UTC+8): riders crowd in between 14:00 and 16:00.
                hour = rng.choice((8, 11, 12, 12, 13, 14, 14, 14, 15, 15, 15, 16, 18, 20))
                start = (now - timedelta(days=days_ago)).replace(hour=(hour - 8) % 24,
                                                                 minute=rng.randrange(60))
                stay = timedelta(minutes=rng.randint(5, 70))
                expires = start + timedelta(minutes=90)
                ended = expires if rng.random() < 0.1 else start + stay
                source = rng.choice(("tap", "tap", "poster"))
                # About one tap in eight came without a location near the station.
                remote = source == "tap" and rng.random() < 0.12
                rows.append(CheckIn(user_id=rng.choice(workers), station_id=station.id,
                                    source=source, remote=remote, checked_in_at=start,
                                    expires_at=expires, checked_out_at=ended))
    with transaction():
        db.session.add_all(rows)
        for station, kind, note in ((stations[0], "water_empty", ""),
                                    (stations[1 % len(stations)], "charger_broken", "二号插座不通电"),
                                    (stations[2 % len(stations)], "closed_when_open", "")):
            db.session.add(StationReport(station_id=station.id, user_id=workers[0], kind=kind,
                                         note=note, created_at=now - timedelta(hours=3)))
    return _("Demo check-ins: %(count)d past check-ins and 3 open reports.", count=len(rows))
