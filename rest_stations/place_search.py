"""Search by place: when the phone will not share its position, a rider types a district,
street or station name, and we answer from our own station data (no geocoding service)."""
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select

from extensions import db
from rest_stations.models import Station
from rest_stations.queries import NearbyStation, station_hours
from rest_stations.vocabulary import amenity_mask

MAX_TERMS = 5


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_stations(
    text: str,
    *,
    limit: int = 20,
    amenities: Sequence[str] = (),
    open_now: bool = False,
    now: datetime | None = None,
) -> list[NearbyStation]:
    """Stations whose name, address, district or city contain every word of `text`.

    The results carry no distance (distance_m is None): we do not know where the rider is.
    """
    terms = text.split()[:MAX_TERMS]
    if not terms or limit <= 0:
        return []
    fields = (Station.name, Station.address, Station.district, Station.city)
    query = select(Station).where(and_(*(
        or_(*(field.like(_like_pattern(term), escape="\\") for field in fields))
        for term in terms
    )), Station.status != "delisted")
    mask = amenity_mask(amenities)
    if mask:
        query = query.where(Station.amenity_mask.op("&")(mask) == mask)
    if open_now:
        query = query.where(Station.status == "active")
    query = query.order_by(Station.city, Station.district, Station.name, Station.id)
    found = []
    # Opening hours are judged in Python, so read on in batches until `limit` pass.
    for station in db.session.scalars(query.execution_options(yield_per=200)):
        hours = station_hours(station, now)
        if open_now and hours.open is not True:
            continue
        found.append(NearbyStation(station, None, hours))
        if len(found) == limit:
            break
    return found
