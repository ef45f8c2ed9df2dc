"""The Station table."""
import math
from datetime import date, datetime, timezone

from sqlalchemy import CheckConstraint, Date, DateTime, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from extensions import db
from rest_stations.vocabulary import amenity_codes, amenity_mask

# Rows of the nearest-search index are bands of LAT_ROW_DEGREES latitude (about 11 km).
LAT_ROWS_PER_DEGREE = 10


def lat_row_of(lat: float) -> int:
    return math.floor(lat * LAT_ROWS_PER_DEGREE)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Station(db.Model):
    __tablename__ = "station"
    __table_args__ = (
        # A station is "the same station" on re-import when name and position match.
        UniqueConstraint("name", "lat", "lon"),
        # The nearest-search index: a latitude band, then longitude inside it.
        Index("ix_station_lat_row_lon", "lat_row", "lon"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    district: Mapped[str] = mapped_column(String(50), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    lat_row: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default="union")
    amenity_mask: Mapped[int] = mapped_column(Integer, default=0)
    # OpenStreetMap opening_hours syntax; "" means the hours are unknown.
    opening_hours: Mapped[str] = mapped_column(String(500), default="")
    timezone: Mapped[str] = mapped_column(String(50), default="Asia/Shanghai")
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    phone: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    last_verified_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    @validates("lat")
    def _keep_lat_row(self, _key, lat: float) -> float:
        self.lat_row = lat_row_of(lat)
        return lat

    @property
    def amenities(self) -> list[str]:
        return amenity_codes(self.amenity_mask or 0)

    @amenities.setter
    def amenities(self, codes) -> None:
        self.amenity_mask = amenity_mask(codes)

    def __repr__(self) -> str:
        return f"<Station {self.id} {self.name}>"
