"""Factory fixtures for accounts, shared by tests/accounts and the top-level security tests."""
from datetime import datetime, timezone
from functools import lru_cache
from itertools import count

import pytest
from werkzeug.security import generate_password_hash

from accounts.models import Organisation, User
from extensions import db
from regions import divisions
from tests.accounts.helpers import DEFAULT_PASSWORD


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    # The testing config's cheap method (production's scrypt is tested in test_passwords).
    return generate_password_hash(password, method="pbkdf2:sha256:1")


@pytest.fixture
def make_organisation(app):
    numbers = count(1)

    def make(name: str | None = None, city: str = "天津市", district: str = "河东区") -> Organisation:
        organisation = Organisation(name=name or f"测试工会 {next(numbers)}", city=city,
                                    district=district)
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return make


@pytest.fixture
def make_user(app):
    """make_user(role="worker", **fields): a live account whose password is DEFAULT_PASSWORD.
    The home region code is the district's in `home_city` (天津市 unless given), as the
    picker would have set it."""
    numbers = count(1)

    def make(role: str = "worker", password: str = DEFAULT_PASSWORD, **fields) -> User:
        number = next(numbers)
        district = fields.pop("home_district", "河东区")
        city = fields.pop("home_city", "天津市")
        fields.setdefault("home_region_code", divisions.match(city, district))
        user = User(phone=fields.pop("phone", f"+86139{number:08d}"),
                    display_name=fields.pop("display_name", f"用户{number}"),
                    password_hash=_hash(password), role=role,
                    home_district=district,
                    consent_at=fields.pop("consent_at", datetime.now(timezone.utc)), **fields)
        db.session.add(user)
        db.session.commit()
        return user

    return make
