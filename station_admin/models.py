"""The audit log of station changes, and uploads waiting between preview and import."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

import clock
from accounts.models import User
from extensions import db


class StationChange(db.Model):
    """Who changed a station, when, and each field's value before and after."""

    __tablename__ = "station_change"
    __table_args__ = (Index("ix_station_change_station_time", "station_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    # create, edit, close, reopen, delist, import (station_admin.operations.ACTIONS)
    action: Mapped[str] = mapped_column(String(20))
    # {field: [before, after]}, values as JSON scalars (dates as ISO text)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)

    actor: Mapped[User | None] = relationship()


class StationUpload(db.Model):
    """A checked upload between its preview and "Import": the rows as normalised text records,
    so the import re-checks exactly what the preview showed, on any worker process."""

    __tablename__ = "station_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    # New stations go to this organisation (the uploader's, or the one an admin chose).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"))
    # JSON list of records: the header (rest_stations.schema.COLUMNS), then one per row
    records: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)
