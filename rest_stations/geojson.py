"""Stations as GeoJSON features, for the API and the map."""
from rest_stations.hours import HoursStatus
from rest_stations.models import Station


def station_feature(station: Station, hours: HoursStatus, distance_m: float | None = None,
                    occupancy: int = 0) -> dict:
    """One station as a GeoJSON feature; `occupancy` (check-ins that count now) comes from
    one batched query for all features, checkins.rules.occupancy_by_station."""
    properties = {
        "id": station.id,
        "name": station.name,
        "address": station.address,
        "city": station.city,
        "district": station.district,
        "kind": station.kind,
        "amenities": station.amenities,
        "open_now": hours.open,
        "capacity": station.capacity,
        "occupancy": occupancy,
        "full": bool(station.capacity) and occupancy >= station.capacity,
        "status": station.status,
    }
    if hours.closes_at:
        properties["closes_at"] = hours.closes_at.isoformat(timespec="minutes")
    if hours.opens_at:
        properties["opens_at"] = hours.opens_at.isoformat(timespec="minutes")
    if distance_m is not None:
        properties["distance_m"] = round(distance_m, 1)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [station.lon, station.lat]},
        "properties": properties,
    }


def feature_collection(features: list[dict], **members) -> dict:
    return {"type": "FeatureCollection", "features": features, **members}
