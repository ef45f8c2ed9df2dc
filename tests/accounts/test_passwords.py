"""Passwords: scrypt everywhere people log in; the cheap hash is a testing setting only."""
import pytest

from accounts import services
from config import settings_for


@pytest.mark.parametrize("environment", ["development", "production"])
def test_real_environments_hash_passwords_with_scrypt(environment, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    assert settings_for(environment)["PASSWORD_HASH_METHOD"] == "scrypt"


def test_new_passwords_use_the_configured_method(app):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    try:
        assert services.hash_password("a long password").startswith("scrypt:")
    finally:
        app.config["PASSWORD_HASH_METHOD"] = settings_for("testing")["PASSWORD_HASH_METHOD"]
    assert services.hash_password("a long password").startswith("pbkdf2:sha256:1$")
