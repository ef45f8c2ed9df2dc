"""Stations as GeoJSON features, for the API and the map."""
from rest_stations.hours import HoursStatus
from rest_stations.models import Station
from rest_stations.vocabulary import amenity_codes

# What a feature reads of a station (and station_hours reads to judge its hours): a search
# for the API loads these rather than whole Stations (nearest_stations' `columns`).
FEATURE_COLUMNS = (Station.id, Station.name, Station.address, Station.city, Station.district,
                   Station.kind, Station.amenity_mask, Station.capacity, Station.status,
                   Station.lat, Station.lon, Station.opening_hours, Station.timezone)


def station_feature(station: Station, hours: HoursStatus, distance_m: float | None = None,
                    occupancy: int = 0) -> dict:
    """One station (a Station, or a row of FEATURE_COLUMNS) as a GeoJSON feature;
    `occupancy` is its seats taken now."""
    properties = {
        "id": station.id,
        "name": station.name,
        "address": station.address,
        "city": station.city,
        "district": station.district,
        "kind": station.kind,
        "amenities": amenity_codes(station.amenity_mask or 0),
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
