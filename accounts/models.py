"""Organisations (union branches), users, and the audit log of privacy-sensitive actions."""
from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Organisation(db.Model):
    """A union branch, e.g. 天津市河东区总工会. Staff belong to one; it owns stations."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    city: Mapped[str] = mapped_column(String(50), default="")
    district: Mapped[str] = mapped_column(String(50), default="")
    # The GB/T 2260 county code (regions.divisions) that scoping compares; NULL until
    # matched, and then on the admin's review list (regions.review).
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # regions.sync matches the code from these names when they change without a new code.
    region_names = ("city", "district", "region_code")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class User(UserMixin, db.Model):
    """A person with an account. Deleting an account anonymises the row (a tombstone), so
    counts that reference it survive while nothing identifies the person any more."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint("role IN ('worker', 'staff', 'admin', 'volunteer')", name="role_known"),
        CheckConstraint("role <> 'staff' OR organisation_id IS NOT NULL",
                        name="staff_have_organisation"),
        CheckConstraint("deleted_at IS NOT NULL OR (phone IS NOT NULL AND password_hash IS NOT NULL)",
                        name="live_accounts_can_log_in"),
        Index("ix_user_account_organisation_id", "organisation_id"),
        Index("ix_user_account_home_district", "home_district"),
        Index("ix_user_account_home_region_code", "home_region_code"),
    )
    region_names = (None, "home_district", "home_region_code")

    id: Mapped[int] = mapped_column(primary_key=True)
    # E.164 (+8613812341234); NULL once the account is deleted, so the number can sign up again.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    display_name: Mapped[str] = mapped_column(String(50), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="worker")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"))
    platform: Mapped[str] = mapped_column(String(20), default="")
    home_district: Mapped[str] = mapped_column(String(50), default="")
    # The county code of home_district; staff see the workers whose code is their branch's.
    home_region_code: Mapped[str | None] = mapped_column(String(6))
    language: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        # Flask-Login refuses inactive users, so a deleted account can never sign in again.
        return self.deleted_at is None

    @property
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class AuditEvent(db.Model):
    """Who did what to whose account, and when: phone reveals, role changes, staff creation."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_subject_id", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])
