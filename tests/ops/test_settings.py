"""Every setting comes from the environment and the README lists it (issue 17, item 9)."""
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from app import create_app
from config import NOT_FROM_ENVIRONMENT, settings_for

ROOT = Path(__file__).resolve().parents[2]


def _readme_settings() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    return {name for line in table.splitlines() if line.startswith("| `")
            for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split(" | ")[0])}


def test_the_readme_table_lists_every_setting():
    settings = set(settings_for("development")) - NOT_FROM_ENVIRONMENT | {"TRUSTED_HOSTS"}
    assert settings - _readme_settings() == set()


@pytest.mark.parametrize("name, raw, expected", [
    ("CHECK_IN_STAY_MINUTES", "120", 120),
    ("RATELIMIT_ENABLED", "false", False),
    ("GEOCODER_TIMEOUT_SECONDS", "2.5", 2.5),
    ("RATELIMIT_DEFAULT", "100 per 10 minutes", "100 per 10 minutes"),
    ("REMEMBER_COOKIE_DURATION", "86400", timedelta(days=1)),
    ("STATION_UPLOAD_MAX_ROWS", "2000", 2000),
])
def test_a_setting_is_read_from_the_environment_in_its_type(monkeypatch, name, raw, expected):
    monkeypatch.setenv(name, raw)
    assert create_app("development").config[name] == expected


@pytest.mark.parametrize("name, raw", [("CHECK_IN_STAY_MINUTES", "ninety"),
                                       ("RATELIMIT_ENABLED", "maybe"),
                                       ("GEOCODER_TIMEOUT_SECONDS", "fast")])
def test_a_malformed_setting_stops_the_app_naming_it(monkeypatch, name, raw):
    monkeypatch.setenv(name, raw)
    with pytest.raises(RuntimeError, match=name):
        create_app("development")


def test_check_ins_last_as_long_as_the_environment_says(monkeypatch):
    from checkins.rules import configured_stay

    monkeypatch.setenv("CHECK_IN_STAY_MINUTES", "45")
    with create_app("development").app_context():
        assert configured_stay() == timedelta(minutes=45)


def test_make_serve_refuses_to_start_without_a_secret_key():
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(["make", "-s", "require-secret-key"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
