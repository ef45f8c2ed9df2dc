"""Check-ins, station reports and the version of each station's QR poster."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

import clock
from accounts.models import User
from extensions import db
from rest_stations.models import Station

SOURCES = ("tap", "poster")
REPORT_KINDS = ("all_good", "details_correct", "closed_when_open", "water_empty",
                "charger_broken", "microwave_broken", "details_wrong", "other")
# Reports that say nothing is wrong need no one's attention; they are stored resolved.
FINE_KINDS = frozenset({"all_good", "details_correct"})
NOTE_MAX_LENGTH = 280


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


class CheckIn(db.Model):
    """A worker at a station from checked_in_at until checked_out_at, or until expires_at if
    they never check out. "Open" means checked_out_at IS NULL; an open check-in past its
    expires_at no longer counts, and is closed at expires_at the next time the worker acts.

    A "remote" check-in came with neither the station's poster code nor a browser location
    near the station: it is kept (the worker may really be there), shown to staff apart,
    and left out of the seats riders see."""

    __tablename__ = "check_in"
    __table_args__ = (
        # The rule "one open check-in per worker" lives here, not in Python: a double tap or a
        # retry that races the first one fails this index and gets the existing row back.
        Index("uq_check_in_open_per_user", "user_id", unique=True,
              sqlite_where=db.text("checked_out_at IS NULL"),
              postgresql_where=db.text("checked_out_at IS NULL")),
        # Occupancy: open check-ins per station that have not expired.
        Index("ix_check_in_open_by_station", "station_id", "expires_at",
              sqlite_where=db.text("checked_out_at IS NULL"),
              postgresql_where=db.text("checked_out_at IS NULL")),
        # Usage statistics read a station's (or an organisation's) check-ins by time.
        Index("ix_check_in_station_time", "station_id", "checked_in_at"),
        CheckConstraint(f"source IN ({_quoted(SOURCES)})", name="source_known"),
        CheckConstraint("expires_at > checked_in_at", name="expires_after_start"),
        CheckConstraint("checked_out_at IS NULL OR checked_out_at >= checked_in_at",
                        name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(10), default="tap")
    remote: Mapped[bool] = mapped_column(Boolean, default=False, server_default=db.false())
    checked_in_at: Mapped[datetime] = mapped_column(clock.UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(clock.UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)

    station: Mapped[Station] = relationship(lazy="joined")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CheckIn {self.id} user={self.user_id} station={self.station_id}>"


class StationReport(db.Model):
    """What a worker says about a station: a type from REPORT_KINDS and an optional note.
    Problem reports wait in the owning organisation's staff queue until resolved."""

    __tablename__ = "station_report"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_quoted(REPORT_KINDS)})", name="kind_known"),
        Index("ix_station_report_open", "station_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_in.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(NOTE_MAX_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)
    resolved_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    station: Mapped[Station] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class PosterCode(db.Model):
    """The current version of a station's poster code. Rotating it (version + 1) makes every
    printed poster of an older version stop working. No row means version 1."""

    __tablename__ = "poster_code"

    station_id: Mapped[int] = mapped_column(
        ForeignKey("station.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    rotated_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    rotated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
