"""Factories for jobs: make_employer(...), make_post(...) with sensible defaults, a fixed clock."""
from datetime import datetime, timedelta, timezone
from itertools import count

import pytest

import clock
from extensions import db
from jobs import seekers
from jobs.models import Employer, EmployerMember, JobPost, SeekerProfile
from jobs.rules import credit_code_check_char

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Tianjin
TIANJIN = (39.1203, 117.2580)  # 河东区


def credit_code(number: int) -> str:
    """A valid unified social credit code, different for each number."""
    first17 = f"9112010{number:010d}"
    return first17 + credit_code_check_char(first17)


@pytest.fixture
def union(make_organisation):
    return make_organisation("河东区总工会", district="河东区")


@pytest.fixture
def staff(make_user, union):
    return make_user("staff", organisation_id=union.id)


@pytest.fixture
def in_request(app):
    """An English request context, for domain functions whose messages are translated."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def make_employer(app, union):
    numbers = count(1)

    def make(member=None, verified: bool = True, **fields) -> Employer:
        number = next(numbers)
        employer = Employer(
            organisation_id=fields.pop("organisation_id", union.id),
            name=fields.pop("name", f"天津测试物业有限公司 {number}"),
            credit_code=fields.pop("credit_code", credit_code(number)),
            contact_name="王经理", contact_phone="+8613812345678",
            region_code=fields.pop("region_code", "120102"),
            verified_at=NOW - timedelta(days=3) if verified else None, **fields)
        db.session.add(employer)
        db.session.flush()
        if member is not None:
            db.session.add(EmployerMember(employer_id=employer.id, user_id=member.id))
        db.session.commit()
        return employer

    return make


@pytest.fixture
def make_post(app, make_employer):
    numbers = count(1)

    def make(employer=None, kind: str = "gig", headcount: int = 5, **fields) -> JobPost:
        number = next(numbers)
        employer = employer or make_employer()
        starts_at = fields.pop("starts_at", NOW + timedelta(days=1))
        post = JobPost(
            organisation_id=employer.organisation_id, employer_id=employer.id, kind=kind,
            title=fields.pop("title", f"餐饮帮工 {number}"),
            category=fields.pop("category", "catering"),
            lat=fields.pop("lat", TIANJIN[0]), lon=fields.pop("lon", TIANJIN[1]),
            address=fields.pop("address", "津塘路 88 号"),
            region_code=fields.pop("region_code", "120102"),
            pay_min=fields.pop("pay_min", 200), pay_max=fields.pop("pay_max", 242),
            pay_unit=fields.pop("pay_unit", "day" if kind == "gig" else "month"),
            starts_at=starts_at if kind == "gig" else None,
            ends_at=fields.pop("ends_at", starts_at + timedelta(hours=10)) if kind == "gig" else None,
            paid_daily=fields.pop("paid_daily", kind == "gig"), headcount=headcount,
            places_taken=0, insured=fields.pop("insured", True),
            expires_at=fields.pop("expires_at", NOW + timedelta(days=14)),
            state=fields.pop("state", "published"), **fields)
        db.session.add(post)
        db.session.commit()
        return post

    return make


@pytest.fixture
def station(make_station, union):
    return make_station(lat=TIANJIN[0], lon=TIANJIN[1], organisation_id=union.id,
                        name="河东区就业驿站")


@pytest.fixture
def make_seeker(make_user, station):
    """make_seeker(name=..., wants_calls=..., **draft fields): a registered job seeker."""
    def make(name: str = "张师傅", wants_calls: bool = True, **fields) -> SeekerProfile:
        worker = make_user("worker", display_name=name,
                           home_district=fields.pop("home_district", "河东区"))
        draft = seekers.SeekerDraft(
            categories=fields.pop("categories", ["catering"]),
            skills=fields.pop("skills", "切配，洗碗"),
            certificates=fields.pop("certificates", "健康证"),
            station_id=fields.pop("station_id", station.id), wants_calls=wants_calls)
        with clock.travel_to(fields.pop("at", NOW)):
            profile = seekers.save_profile(worker, draft, now=clock.now())
        db.session.commit()
        return profile

    return make
