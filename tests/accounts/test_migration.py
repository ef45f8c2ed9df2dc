"""Migration 0002 (accounts) goes down and up again cleanly, keeping stations."""
import os

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from extensions import db

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


def test_accounts_migration_downgrades_and_upgrades(app, make_station):
    station_id = make_station().id
    db.session.commit()  # end the read transaction: PostgreSQL's ALTER TABLE would wait for it
    downgrade(directory=MIGRATIONS, revision="0001")
    tables = inspect(db.engine).get_table_names()
    assert "user_account" not in tables and "organisation" not in tables
    assert "organisation_id" not in {c["name"] for c in inspect(db.engine).get_columns("station")}
    upgrade(directory=MIGRATIONS)
    assert {"user_account", "organisation", "audit_event"} <= set(inspect(db.engine).get_table_names())
    assert db.session.execute(db.text("SELECT id FROM station")).scalar() == station_id
