"""The Station table."""
from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Date, Float, ForeignKey, Index, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, validates

import clock
from accounts.scoping import OrganisationScoped
from extensions import db
from regions.review import register_kind
from rest_stations.geo import position_columns
from rest_stations.vocabulary import amenity_codes, amenity_mask


class AtStationOrAddress:
    """Mixin for rows held at a station or at an address with coordinates (service events,
    job posts): what to call the place and where it is."""

    @property
    def place_name(self) -> str:
        return self.station.name if self.station else self.address

    @property
    def position(self) -> tuple[float, float] | None:
        if self.station is not None:
            return self.station.lat, self.station.lon
        if self.lat is None or self.lon is None:
            return None
        return self.lat, self.lon


class Station(OrganisationScoped, db.Model):
    __tablename__ = "station"
    manage_all, manage_own = "manage_all_stations", "manage_org_stations"
    region_names = ("city", "district", "region_code")  # see regions.sync
    __table_args__ = (
        # A station is "the same station" on re-import when name and position match.
        UniqueConstraint("name", "lat", "lon"),
        # The spatial index of the nearest search: the finest grid cell (whose ids make
        # every coarser cell one range of them, see rest_stations/geo.py), the unit vector
        # for the distance filter, and what ranking and the common filters read, so a
        # search never visits the table until it loads the winners.
        # SQLite only: PostgreSQL searches with PostGIS (migration 0013).
        Index("ix_station_cell", "cell", "x", "y", "z", "lat", "lon", "status",
              "amenity_mask", "kind", "id", info={"only_on": "sqlite"}),
        # The box API (stations_in_bbox): a range of latitude, filtered by longitude.
        Index("ix_station_lat_lon", "lat", "lon"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("status IN ('active', 'temporarily_closed', 'delisted')",
                        name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    district: Mapped[str] = mapped_column(String(50), default="")
    # The GB/T 2260 county code of city + district (regions.divisions); NULL: not matched yet.
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # Derived from lat and lon (see rest_stations.geo.position_columns); never set by hand.
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    z: Mapped[float] = mapped_column(Float)
    cell: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default="union")
    amenity_mask: Mapped[int] = mapped_column(Integer, default=0)
    # OpenStreetMap opening_hours syntax; "" means the hours are unknown.
    opening_hours: Mapped[str] = mapped_column(String(500), default="")
    timezone: Mapped[str] = mapped_column(String(50), default=clock.DEFAULT_ZONE_NAME)
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    phone: Mapped[str] = mapped_column(String(30), default="")
    # Stations are never deleted (check-ins and history refer to them): "delisted" hides one.
    status: Mapped[str] = mapped_column(String(20), default="active")
    # Shown to riders while the station is temporarily closed.
    closed_reason: Mapped[str] = mapped_column(String(200), default="")
    reopens_on: Mapped[date | None] = mapped_column(Date)
    last_verified_on: Mapped[date | None] = mapped_column(Date)
    # The union branch that runs the station; its staff may edit it (accounts.policy).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now,
                                                 onupdate=clock.now)

    @validates("lat", "lon")
    def _keep_position_columns(self, key: str, value: float) -> float:
        lat, lon = (value, self.lon) if key == "lat" else (self.lat, value)
        if lat is not None and lon is not None:
            for column, derived in position_columns(lat, lon).items():
                setattr(self, column, derived)
        return value

    @property
    def amenities(self) -> list[str]:
        return amenity_codes(self.amenity_mask or 0)

    @amenities.setter
    def amenities(self, codes) -> None:
        self.amenity_mask = amenity_mask(codes)

    def __repr__(self) -> str:
        return f"<Station {self.id} {self.name}>"


class StationCell(db.Model):
    """Every grid cell, at every level, that holds a station or once did.

    Database triggers add a row whenever a station is written into a new cell (migration
    0007), so no write path can forget it. SQLite only: PostgreSQL has PostGIS instead. Rows are never removed: a cell a station left
    costs the nearest search one wasted look, while removing it could race with a
    station moving in.
    """
    __tablename__ = "station_cell"
    # The cell engine is SQLite's; migration 0013 drops the table on PostgreSQL.
    __table_args__ = {"info": {"only_on": "sqlite"}}

    level: Mapped[str] = mapped_column(String(6), primary_key=True)
    cell: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


# Stations the region matching could not place wait on the admin's review list.
register_kind("station", Station, "name", lambda model: [model.status != "delisted"])
