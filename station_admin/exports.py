"""Stations out: CSV in the importer's column layout and GeoJSON whose properties hold the
same columns, so either file can be uploaded again without loss; and the public open-data
GeoJSON of active stations.

CSV cells are formula-safe (spreadsheets.safe_cell: a name like "=HYPERLINK(...)" is written
"'=HYPERLINK(...)"); the importer strips that guard again (unguard_cell), so the round trip
stays exact. GeoJSON is not opened by spreadsheet programs and keeps values as they are."""
import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy import Select, select

from extensions import db
from rest_stations.models import Station
from rest_stations.schema import COLUMNS
from spreadsheets import safe_row

OPEN_DATA_LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "驿站 Yizhan rest stations",
    "note": "Station data by Yizhan and the unions that run the stations, free to reuse with "
            "attribution. Map background data © OpenStreetMap contributors (ODbL).",
}


def station_columns(station: Station) -> dict:
    """A station's values under the importer's column names (amenities as a list)."""
    return {column: getattr(station, column) for column in COLUMNS}


def csv_rows(stations: Select) -> Iterator[str]:
    """CSV text (with a BOM, so Excel reads UTF-8), a header and then one formula-safe line
    per station, in chunks for streaming."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for station in db.session.scalars(stations.order_by(Station.id)).yield_per(1000):
        values = station_columns(station)
        values["amenities"] = ";".join(values["amenities"])
        writer.writerow(safe_row(values[column] for column in COLUMNS))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _feature(station: Station, extra: dict) -> dict:
    properties = {"id": station.id, **station_columns(station), "status": station.status,
                  **extra}
    del properties["lat"], properties["lon"]
    return {"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [station.lon, station.lat]},
            "properties": properties}


def geojson_chunks(stations: Select, members: dict | None = None,
                   public: bool = False) -> Iterator[str]:
    """A FeatureCollection as text chunks, so a country's stations stream without being held."""
    head = {"type": "FeatureCollection", **(members or {})}
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": ['
    yield opening
    first = True
    for station in db.session.scalars(stations.order_by(Station.id)).yield_per(1000):
        extra = {"updated_at": station.updated_at.date().isoformat() if station.updated_at else None,
                 "last_verified_on": station.last_verified_on.isoformat()
                 if station.last_verified_on else None}
        if not public:
            extra.update(closed_reason=station.closed_reason,
                         reopens_on=station.reopens_on.isoformat() if station.reopens_on else None)
        text = json.dumps(_feature(station, extra), ensure_ascii=False)
        yield text if first else "," + text
        first = False
    yield "]}"


def open_data_stations() -> Select:
    return select(Station).where(Station.status == "active")
