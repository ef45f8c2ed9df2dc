"""A wish and its history. wishes.rules decides which changes are legal; the CHECK
constraints below make sure no code path stores a state the rules cannot produce."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

import clock
from accounts.models import Organisation, User
from accounts.scoping import OrganisationScoped
from extensions import db
from rest_stations.models import Station

STATES = ("submitted", "published", "declined", "withdrawn", "claimed", "fulfilled", "confirmed")
CATEGORIES = ("goods", "family", "legal", "skills", "health", "other")
URGENCIES = ("week", "month", "any")
# A wish counts against the worker's limit until it is met, declined or withdrawn.
OPEN_STATES = ("submitted", "published", "claimed")
MAX_OPEN_WISHES = 3
TITLE_MAX = 40
DETAILS_MAX = 500


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Wish(OrganisationScoped, db.Model):
    __tablename__ = "wish"
    manage_all, manage_own = "moderate_all_wishes", "moderate_wishes"
    __table_args__ = (
        CheckConstraint(_one_of("status", STATES), name="status_known"),
        CheckConstraint(_one_of("category", CATEGORIES), name="category_known"),
        CheckConstraint(_one_of("urgency", URGENCIES), name="urgency_known"),
        # A claimed wish always names its one claimant; an unclaimed one names nobody.
        CheckConstraint("(status IN ('claimed', 'fulfilled', 'confirmed')) = (claimant_id IS NOT NULL)",
                        name="claimant_iff_claimed"),
        Index("ix_wish_status_published_at", "status", "published_at"),
        Index("ix_wish_worker_id_status", "worker_id", "status"),
        Index("ix_wish_organisation_id_status", "organisation_id", "status"),
        Index("ix_wish_claimant_id", "claimant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    # The union branch that moderates it: the hand-over station's, else the one whose
    # region code is the wish's (never matched by district name).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id", ondelete="SET NULL"))
    district: Mapped[str] = mapped_column(String(50), default="")
    # The GB/T 2260 county code of the hand-over district (regions.divisions).
    region_code: Mapped[str | None] = mapped_column(String(6))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    details: Mapped[str] = mapped_column(String(DETAILS_MAX), default="")
    category: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(20), default="any")
    tags: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    decline_reason: Mapped[str] = mapped_column(String(300), default="")
    claimant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    handover_place: Mapped[str] = mapped_column(String(100), default="")
    fulfil_note: Mapped[str] = mapped_column(String(500), default="")
    thanks_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)
    published_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)

    worker: Mapped[User] = relationship(foreign_keys=[worker_id])
    claimant: Mapped[User | None] = relationship(foreign_keys=[claimant_id])
    organisation: Mapped[Organisation | None] = relationship()
    station: Mapped[Station | None] = relationship()
    events: Mapped[list["WishEvent"]] = relationship(
        back_populates="wish", order_by="WishEvent.id", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]

    def __repr__(self) -> str:
        return f"<Wish {self.id} {self.status}>"


class WishEvent(db.Model):
    """One step in a wish's life: who moved it from which state to which, when, and why."""

    __tablename__ = "wish_event"
    __table_args__ = (Index("ix_wish_event_wish_id", "wish_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(ForeignKey("wish.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)

    wish: Mapped[Wish] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
