"""Settings that must hold before the app serves anything."""
import pytest

from app import create_app


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_with_secret_key(monkeypatch, tmp_path):
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
