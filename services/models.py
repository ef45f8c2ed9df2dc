"""Events a union runs, the series they may belong to, and registrations for them.

The database holds the invariants: an event's `places_held` never exceeds its capacity
(CHECK), one live registration per worker, or per worker's dependant, per event (partial
unique index), and only states the transition table can produce (CHECK). services.operations
keeps `places_held` equal to the number of registrations in HOLDS_PLACE, under a row lock.
"""
from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, Float, ForeignKey, Index, Integer,
                        SmallInteger, String, Text, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from accounts.scoping import OrganisationScoped
import clock
from clock import UTCDateTime
from extensions import db
from rest_stations.models import AtStationOrAddress, Station

CATEGORIES = ("legal", "childcare", "health", "skills", "phone_care", "advice", "employment",
              "other")
EVENT_STATUSES = ("scheduled", "cancelled")
STATES = ("confirmed", "waitlisted", "offered", "offer_lapsed", "cancelled_by_worker",
          "cancelled_by_staff", "attended", "no_show")
# States that occupy one of the event's places (an open offer keeps the place for its holder).
HOLDS_PLACE = frozenset({"confirmed", "offered", "attended", "no_show"})
# States that count as "registered" for the one-registration-per-person rule.
LIVE_STATES = ("confirmed", "waitlisted", "offered", "attended", "no_show")
TITLE_MAX = 80
NAME_MAX = 30
# How many places one worker may take at one event (themselves and their children), unless
# staff set another number: enough for a family at childcare, one elsewhere. Without it one
# worker could book 19 of 20 places with invented children's names.
MAX_PLACES_PER_WORKER = {"childcare": 3}


def default_max_places(category: str) -> int:
    return MAX_PLACES_PER_WORKER.get(category, 1)


def _default_max_places(context) -> int:
    """An event made without a cap gets its category's."""
    return default_max_places(context.get_current_parameters().get("category", ""))



def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


LIVE = text(_one_of("state", LIVE_STATES))


class ServiceSeries(db.Model):
    """Events created together (every Saturday for six weeks): one period of a class.

    `previous_id` names the period before; with `min_attendance_pct`, a person whose
    attendance there fell below it may not sign up for this one (the childcare rule).
    With `signup_as_term`, one sign-up covers every session of the period, within the
    series' own window (`registration_opens_at` … `registration_closes_at`)."""

    __tablename__ = "service_series"
    __table_args__ = (
        CheckConstraint("min_attendance_pct IS NULL OR (min_attendance_pct BETWEEN 1 AND 100)",
                        name="attendance_pct_range"),
        CheckConstraint("NOT signup_as_term OR (registration_opens_at IS NOT NULL AND "
                        "registration_closes_at > registration_opens_at)",
                        name="term_has_a_window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_series.id", ondelete="SET NULL"))
    min_attendance_pct: Mapped[int | None] = mapped_column(SmallInteger)
    signup_as_term: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=text("false"))
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    previous: Mapped["ServiceSeries | None"] = relationship(remote_side=[id])


class ServiceEvent(AtStationOrAddress, OrganisationScoped, db.Model):
    """One session of a service, at a station or an address, with a fixed number of places."""

    __tablename__ = "service_event"
    manage_all, manage_own = "manage_all_events", "manage_org_events"
    __table_args__ = (
        CheckConstraint(_one_of("category", CATEGORIES), name="category_known"),
        CheckConstraint(_one_of("status", EVENT_STATUSES), name="status_known"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("max_places_per_worker >= 1", name="max_places_positive"),
        CheckConstraint("places_held >= 0 AND places_held <= capacity", name="never_overbooked"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("registration_closes_at > registration_opens_at", name="window_ordered"),
        CheckConstraint("station_id IS NOT NULL OR (lat IS NOT NULL AND lon IS NOT NULL)",
                        name="has_a_place"),
        Index("ix_service_event_starts_at", "starts_at"),
        Index("ix_service_event_organisation_id_starts_at", "organisation_id", "starts_at"),
        Index("ix_service_event_series_id", "series_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("service_series.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id", ondelete="SET NULL"))
    address: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    capacity: Mapped[int] = mapped_column(Integer)
    places_held: Mapped[int] = mapped_column(Integer, default=0)
    max_places_per_worker: Mapped[int] = mapped_column(SmallInteger, default=_default_max_places,
                                                       server_default=text("1"))
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    allows_dependants: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    station: Mapped[Station | None] = relationship()
    series: Mapped[ServiceSeries | None] = relationship()

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_held, 0)

    @property
    def is_term_session(self) -> bool:
        """Signed up for only as part of its whole term (the series), not on its own."""
        return self.series is not None and self.series.signup_as_term

    def __repr__(self) -> str:
        return f"<ServiceEvent {self.id} {self.title} {self.places_held}/{self.capacity}>"


class Registration(db.Model):
    """A worker's sign-up for an event, for themselves or for a dependant (a child).

    The dependant's name and age are kept only to run the event (the roster, eligibility);
    `person_key` is "" for the worker themselves, else the dependant's name, so the unique
    index below allows one live registration per person per event."""

    __tablename__ = "registration"
    __table_args__ = (
        CheckConstraint(_one_of("state", STATES), name="state_known"),
        CheckConstraint("(state = 'offered') = (offer_expires_at IS NOT NULL)",
                        name="offer_iff_offered"),
        CheckConstraint("dependant_age IS NULL OR (dependant_age BETWEEN 0 AND 17)",
                        name="dependant_is_a_child"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
        Index("uq_registration_live_per_person", "event_id", "worker_id", "person_key",
              unique=True, sqlite_where=LIVE, postgresql_where=LIVE),
        # The waiting list is in id order: the id is taken when the row is inserted, inside
        # the transaction that holds the event's lock, so it is the order the lock was won.
        Index("ix_registration_event_id_state_id", "event_id", "state", "id"),
        Index("ix_registration_worker_id", "worker_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("service_event.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    person_key: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    dependant_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    dependant_age: Mapped[int | None] = mapped_column(SmallInteger)
    state: Mapped[str] = mapped_column(String(20))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(String(500), default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[ServiceEvent] = relationship()
    worker: Mapped[User] = relationship()

    @property
    def attendee_name(self) -> str:
        return self.dependant_name or self.worker.display_name

    def __repr__(self) -> str:
        return f"<Registration {self.id} event {self.event_id} {self.state}>"
