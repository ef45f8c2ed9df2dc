"""Settings that must hold before the app serves anything."""
import pytest

from app import create_app


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


PRODUCTION_SMS = {"SMS_BACKEND": "aliyun", "ALIYUN_ACCESS_KEY_ID": "id",
                  "ALIYUN_ACCESS_KEY_SECRET": "secret", "SMS_SIGN_NAME": "驿站",
                  "SMS_TEMPLATE": "SMS_1", "SMS_RECOMMENDATION_TEMPLATE": "SMS_2"}


def _production_sms(monkeypatch):
    for name, value in PRODUCTION_SMS.items():
        monkeypatch.setenv(name, value)


def test_production_starts_with_secret_key(monkeypatch, tmp_path):
    _production_sms(monkeypatch)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    app = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.sqlite3")
    assert app.config["SECRET_KEY"] == "x" * 32 and not app.debug


def test_unknown_environment_name_is_refused():
    with pytest.raises(RuntimeError, match="YIZHAN_ENV"):
        create_app("staging")


def test_database_defaults_to_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/yizhan.sqlite3")


def test_connections_are_configured_for_their_database(app):
    from extensions import db

    with db.engine.connect() as connection:
        if db.engine.dialect.name == "postgresql":
            # Survives the pool's rollback: a new checkout still has it.
            assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
        else:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.parametrize("key", ["dev-only-not-secret", "testing-not-secret", "short"])
def test_production_refuses_a_published_or_short_secret_key(monkeypatch, key):
    _production_sms(monkeypatch)
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_without_yizhan_env_the_app_is_production_and_fails_closed(monkeypatch):
    monkeypatch.delenv("YIZHAN_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    from config import settings_for
    assert settings_for()["ENV_NAME"] == "production"


def test_production_without_an_sms_provider_refuses_to_start(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("SMS_BACKEND", raising=False)
    with pytest.raises(RuntimeError, match="SMS_BACKEND"):
        create_app("production")
    monkeypatch.setenv("SMS_BACKEND", "tencent")
    with pytest.raises(RuntimeError, match="TENCENT_SECRET_ID"):
        create_app("production")


def test_production_with_a_provider_but_no_recommendation_template_refuses_to_start(
        monkeypatch, tmp_path):
    _production_sms(monkeypatch)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("SMS_RECOMMENDATION_TEMPLATE")
    with pytest.raises(RuntimeError, match="SMS_RECOMMENDATION_TEMPLATE"):
        create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.sqlite3")


def test_make_run_chooses_development_explicitly():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    run = makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "YIZHAN_ENV=development" in makefile and "$(DEV) $(FLASK) run" in run
    assert "SMS" in run  # it says where the codes are printed


def test_seed_demo_refuses_production_without_force(monkeypatch, tmp_path):
    _production_sms(monkeypatch)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    app = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.sqlite3")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "--force-demo" in result.output


def test_forced_demo_seed_creates_no_login_with_a_known_password(app):
    from accounts import services
    from accounts.cli import DEMO_PASSWORD, DEMO_WORKERS, seed_demo_accounts
    from accounts.models import User
    from extensions import db

    with app.test_request_context():
        output = seed_demo_accounts(known_passwords=False)
    assert DEMO_PASSWORD not in output
    users = db.session.scalars(db.select(User)).all()
    assert users and all(user.role == "worker" for user in users)
    assert services.authenticate(DEMO_WORKERS[0][0], DEMO_PASSWORD) is None
