"""Organisations (union branches), users, one-time SMS codes, and the audit log of
privacy-sensitive actions."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

import clock
from clock import UTCDateTime
from extensions import db

# Other packages' models still import this name; it is the one clock, not a copy of it.
utcnow = clock.now


def new_session_version() -> str:
    return secrets.token_urlsafe(12)


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
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
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Flask-Login's "alternative id": sessions and remember cookies carry it, and a new one
    # (logout, password change or reset, "log out everywhere") makes every old cookie fail.
    session_version: Mapped[str] = mapped_column(String(32), default=new_session_version)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])


class SmsCode(db.Model):
    """A six-digit code sent to prove a phone number (accounts.otp). Only an HMAC of the
    number and of the code is stored, and rows older than a day serve only the daily limit."""

    __tablename__ = "sms_code"
    __table_args__ = (
        CheckConstraint("purpose IN ('signup', 'reset', 'login')", name="purpose_known"),
        Index("ix_sms_code_phone_digest_created_at", "phone_digest", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_digest: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(10))
    code_hash: Mapped[str] = mapped_column(String(100))  # "salt$hmac"
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

