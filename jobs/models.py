"""Employers, job and gig posts, applications, wage cases and job-seeker records.

The database holds the invariants: a gig's `places_taken` never exceeds its headcount
(CHECK), one live application per worker per post (partial unique index), one wage case per
application (unique), and only the states jobs.rules can produce (CHECK). jobs.operations
keeps `places_taken` equal to the applications in HOLDS_PLACE, under the post's row lock.
"""
from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

import clock
from accounts.models import Organisation, User
from accounts.scoping import OrganisationScoped
from extensions import db
from rest_stations.models import AtStationOrAddress, Station

CATEGORIES = ("security", "cleaning", "housekeeping", "catering", "parcel_sorting", "loading",
              "truck_driver", "cook", "sales", "equipment_install", "other")
KINDS = ("job", "gig")
PAY_UNITS = ("month", "day", "hour")
POST_STATES = ("draft", "pending", "published", "filled", "expired", "withdrawn")
APPLICATION_STATES = ("applied", "accepted", "declined", "waitlisted", "withdrawn", "showed_up",
                      "done", "paid", "not_paid")
# States that occupy one of a gig's places.
HOLDS_PLACE = frozenset({"accepted", "showed_up", "done", "paid", "not_paid"})
# States that count for the one-live-application-per-post rule (a withdrawn or declined
# worker may apply again).
LIVE_STATES = ("applied", "accepted", "waitlisted", "showed_up", "done", "paid", "not_paid")
CASE_STATES = ("open", "cleared")
SERVICE_KINDS = ("policy", "guidance", "recommendation", "training", "follow_up")
TITLE_MAX = 80
REGION_CODE_LENGTH = 6


def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def valid_region_code(value: str | None) -> bool:
    """A GB/T 2260 code is six digits (120102 is 天津市河东区)."""
    return value is not None and len(value) == REGION_CODE_LENGTH and value.isdigit()


class _RegionCoded:
    @validates("region_code")
    def _check_region_code(self, _key, value):
        if not valid_region_code(value):
            raise ValueError(f"region code must be six digits, not {value!r}")
        return value


class Employer(_RegionCoded, OrganisationScoped, db.Model):
    """A company, shop or household that hires (用工方). Its posts go public only after
    staff of its organisation checked it by hand (人工核对): `verified_at` is then set."""

    __tablename__ = "employer"
    manage_all, manage_own = "manage_all_jobs", "manage_org_jobs"
    __table_args__ = (
        CheckConstraint("length(region_code) = 6", name="region_code_six_digits"),
        CheckConstraint("length(credit_code) = 18", name="credit_code_length"),
        Index("ix_employer_organisation_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    contact_name: Mapped[str] = mapped_column(String(30), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    region_code: Mapped[str] = mapped_column(String(6))
    verified_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    verification_note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)

    organisation: Mapped[Organisation] = relationship()
    members: Mapped[list["EmployerMember"]] = relationship(back_populates="employer",
                                                           cascade="all, delete-orphan")

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:
        return f"<Employer {self.id} {self.name}>"


class EmployerMember(db.Model):
    """An account that may post and manage the employer's posts (the boss, or HR)."""

    __tablename__ = "employer_member"
    __table_args__ = (UniqueConstraint("employer_id", "user_id"),
                      Index("ix_employer_member_user_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))

    employer: Mapped[Employer] = relationship(back_populates="members")


class JobPost(_RegionCoded, AtStationOrAddress, OrganisationScoped, db.Model):
    """A long-term job (长期岗位: monthly pay, hours, benefits) or a day gig (零工: a date,
    start and end, pay per day or hour, 日结, a headcount)."""

    __tablename__ = "job_post"
    manage_all, manage_own = "manage_all_jobs", "manage_org_jobs"
    __table_args__ = (
        CheckConstraint(_one_of("kind", KINDS), name="kind_known"),
        CheckConstraint(_one_of("category", CATEGORIES), name="category_known"),
        CheckConstraint(_one_of("state", POST_STATES), name="state_known"),
        CheckConstraint(_one_of("pay_unit", PAY_UNITS), name="pay_unit_known"),
        CheckConstraint("length(region_code) = 6", name="region_code_six_digits"),
        CheckConstraint("pay_min >= 0 AND pay_max >= pay_min", name="pay_range"),
        CheckConstraint("headcount >= 1", name="headcount_positive"),
        CheckConstraint("places_taken >= 0 AND places_taken <= headcount", name="never_overfilled"),
        CheckConstraint("kind = 'job' OR (starts_at IS NOT NULL AND ends_at IS NOT NULL "
                        "AND ends_at > starts_at)", name="gig_has_times"),
        CheckConstraint("age_min IS NULL OR age_min >= 16", name="legal_working_age"),
        CheckConstraint("age_min IS NULL OR age_max IS NULL OR age_max >= age_min",
                        name="age_range"),
        CheckConstraint("station_id IS NOT NULL OR (lat IS NOT NULL AND lon IS NOT NULL)",
                        name="has_a_place"),
        Index("ix_job_post_state_kind", "state", "kind"),
        Index("ix_job_post_employer_id", "employer_id"),
        Index("ix_job_post_organisation_id_state", "organisation_id", "state"),
        # PostgreSQL only: it finds the posts whose geog follows a station that moved
        # (migration 0017's trigger; the geog column itself is not modelled, see jobs/postgis.py).
        Index("ix_job_post_station_id", "station_id", info={"only_on": "postgresql"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id", ondelete="SET NULL"))
    address: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    region_code: Mapped[str] = mapped_column(String(6))
    pay_min: Mapped[int] = mapped_column(Integer)  # yuan
    pay_max: Mapped[int] = mapped_column(Integer)
    pay_unit: Mapped[str] = mapped_column(String(10))
    hours: Mapped[str] = mapped_column(String(100), default="")
    benefits: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    paid_daily: Mapped[bool] = mapped_column(Boolean, default=False)  # 日结
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    places_taken: Mapped[int] = mapped_column(Integer, default=0)
    skills: Mapped[str] = mapped_column(String(200), default="")
    certificates: Mapped[str] = mapped_column(String(200), default="")
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    insured: Mapped[bool] = mapped_column(Boolean, default=False)  # 意外险
    expires_at: Mapped[datetime] = mapped_column(clock.UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)

    organisation: Mapped[Organisation] = relationship()
    employer: Mapped[Employer] = relationship()
    station: Mapped[Station | None] = relationship()
    history: Mapped[list["PostEvent"]] = relationship(back_populates="post",
                                                      order_by="PostEvent.id")

    @property
    def places_left(self) -> int:
        return max(self.headcount - self.places_taken, 0)

    def __repr__(self) -> str:
        return f"<JobPost {self.id} {self.kind} {self.title} {self.state}>"


class PostEvent(db.Model):
    """One step in a post's life: who moved it from which state to which, when, and why."""

    __tablename__ = "job_post_event"
    __table_args__ = (Index("ix_job_post_event_post_id", "post_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("job_post.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)

    post: Mapped[JobPost] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


LIVE = text(_one_of("state", LIVE_STATES))


class Application(db.Model):
    """A worker's application for a post, from 我要报名 to the wage answer."""

    __tablename__ = "job_application"
    __table_args__ = (
        CheckConstraint(_one_of("state", APPLICATION_STATES), name="state_known"),
        CheckConstraint("first_wage_answer IS NULL OR first_wage_answer IN ('paid', 'not_paid')",
                        name="wage_answer_known"),
        Index("uq_job_application_live", "post_id", "worker_id", unique=True,
              sqlite_where=LIVE, postgresql_where=LIVE),
        Index("ix_job_application_worker_id", "worker_id"),
        Index("ix_job_application_post_id_state", "post_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("job_post.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20))
    applied_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)
    changed_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)
    checked_in_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    check_in_method: Mapped[str] = mapped_column(String(10), default="")  # "qr" or "location"
    done_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    wage_asked_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    # The first answer decides the employer's 24-hour paid rate; a late "paid" does not.
    first_wage_answer: Mapped[str | None] = mapped_column(String(10))
    wage_answered_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)

    post: Mapped[JobPost] = relationship()
    worker: Mapped[User] = relationship()
    history: Mapped[list["ApplicationEvent"]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id")

    def __repr__(self) -> str:
        return f"<Application {self.id} post {self.post_id} {self.state}>"


class ApplicationEvent(db.Model):
    """One step of an application (the worker's record of what happened, and when)."""

    __tablename__ = "job_application_event"
    __table_args__ = (Index("ix_job_application_event_application_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("job_application.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)

    application: Mapped[Application] = relationship(back_populates="history")


class WageCase(OrganisationScoped, db.Model):
    """An unpaid gig (没收到), routed to the legal aid of a union organisation. It carries
    what a lawyer needs: the post, the day, the check-in as evidence and the agreed pay.
    While a case is open, the employer cannot publish new gigs."""

    __tablename__ = "wage_case"
    manage_all, manage_own = "manage_all_jobs", "manage_org_jobs"
    __table_args__ = (
        CheckConstraint(_one_of("state", CASE_STATES), name="state_known"),
        Index("ix_wage_case_employer_id_state", "employer_id", "state"),
        Index("ix_wage_case_organisation_id_state", "organisation_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("job_application.id", ondelete="CASCADE"), unique=True)
    # The organisation whose legal aid handles the case.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id", ondelete="CASCADE"))
    # The union's next legal-aid session (a services event), where the worker can bring it.
    legal_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_event.id", ondelete="SET NULL"))
    agreed_pay: Mapped[str] = mapped_column(String(60))
    worked_from: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    worked_until: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    check_in_method: Mapped[str] = mapped_column(String(10), default="")
    worker_note: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)
    cleared_at: Mapped[datetime | None] = mapped_column(clock.UTCDateTime)
    cleared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    clearing_note: Mapped[str] = mapped_column(String(300), default="")

    application: Mapped[Application] = relationship()
    employer: Mapped[Employer] = relationship()
    organisation: Mapped[Organisation] = relationship()


class SeekerProfile(db.Model):
    """A job seeker's registration (求职登记): optional, deleted with the account (PIPL).
    `station_id` is the station that serves them (its organisation's staff see the profile);
    `region_code` is filled in by staff when they know it."""

    __tablename__ = "seeker_profile"
    __table_args__ = (
        CheckConstraint("length(region_code) = 6", name="region_code_six_digits"),
        Index("ix_seeker_profile_organisation_id", "organisation_id"),
        Index("ix_seeker_profile_station_id", "station_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id", ondelete="SET NULL"))
    region_code: Mapped[str | None] = mapped_column(String(6))
    categories: Mapped[list] = mapped_column(JSON, default=list)
    areas: Mapped[str] = mapped_column(String(200), default="")
    earliest_start: Mapped[date | None] = mapped_column(Date)
    skills: Mapped[str] = mapped_column(String(200), default="")
    certificates: Mapped[str] = mapped_column(String(200), default="")
    wants_calls: Mapped[bool] = mapped_column(Boolean, default=False)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    hired_at: Mapped[date | None] = mapped_column(Date)
    hired_where: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)

    user: Mapped[User] = relationship()
    station: Mapped[Station | None] = relationship()
    services: Mapped[list["SeekerService"]] = relationship(
        order_by="SeekerService.created_at", cascade="all, delete-orphan", passive_deletes=True)

    @validates("region_code")
    def _check_region_code(self, _key, value):
        if value is not None and not valid_region_code(value):
            raise ValueError(f"region code must be six digits, not {value!r}")
        return value

    @property
    def position(self) -> tuple[float, float] | None:
        """Where distances to posts count from: the worker's own point, else the station."""
        if self.lat is not None and self.lon is not None:
            return self.lat, self.lon
        if self.station is not None:
            return self.station.lat, self.station.lon
        return None


class SeekerService(db.Model):
    """One thing staff did for a job seeker, counted against the 1131 promise: a policy
    talk, a guidance session, a recommendation (of a post), a training offer, or a follow-up
    call (回访) with its note."""

    __tablename__ = "seeker_service"
    __table_args__ = (
        CheckConstraint(_one_of("kind", SERVICE_KINDS), name="kind_known"),
        Index("ix_seeker_service_profile_id", "profile_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("seeker_profile.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("job_post.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)

    post: Mapped[JobPost | None] = relationship()
    staff: Mapped[User | None] = relationship()


class FairEmployer(db.Model):
    """An employer taking part in a recruitment fair (零工招聘会, a services event in the
    `employment` category), with the posts it brings (FairPost)."""

    __tablename__ = "job_fair_employer"
    __table_args__ = (UniqueConstraint("event_id", "employer_id"),
                      Index("ix_job_fair_employer_employer_id", "employer_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("service_event.id", ondelete="CASCADE"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id", ondelete="CASCADE"))
    booth: Mapped[str] = mapped_column(String(30), default="")

    employer: Mapped[Employer] = relationship()


class FairPost(db.Model):
    """A post shown at a recruitment fair."""

    __tablename__ = "job_fair_post"
    __table_args__ = (UniqueConstraint("event_id", "post_id"),
                      Index("ix_job_fair_post_post_id", "post_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("service_event.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("job_post.id", ondelete="CASCADE"))

    post: Mapped[JobPost] = relationship()


class JobUpload(db.Model):
    """A checked Excel/CSV upload of posts between its preview and "Import" (as stations)."""

    __tablename__ = "job_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    records: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(clock.UTCDateTime, default=clock.now)
