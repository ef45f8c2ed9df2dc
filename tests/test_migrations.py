"""The models and the migrations must describe the same schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from extensions import db, is_modelled
from rest_stations.postgis import schema_filter


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        # The search objects no model describes; PostGIS's column on PostgreSQL and the cell
        # engine's table on SQLite (migration 0013).
        on_this_database = schema_filter(connection.dialect.name)
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_object": lambda *item: is_modelled(*item) and on_this_database(*item)})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_changing_the_event_categories_keeps_every_registration(tmp_path):
    """Migration 0016 widens service_event's category CHECK. On SQLite a table rebuild would
    cascade-delete every registration (foreign keys are on): the data must survive both ways."""
    import os

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from app import create_app

    migrations = os.path.join(os.path.dirname(__file__), "..", "migrations")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/m.sqlite3")
    with app.app_context():
        upgrade(directory=migrations)
        assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
        count = "SELECT count(*) FROM registration"
        before = db.session.execute(text(count)).scalar()
        db.session.remove()
        assert before > 0
        downgrade(directory=migrations, revision="0013")
        assert db.session.execute(text(count)).scalar() == before
        db.session.remove()
        upgrade(directory=migrations)
        assert db.session.execute(text(count)).scalar() == before
        db.session.execute(text("UPDATE service_event SET category = 'employment' WHERE id = "
                                "(SELECT min(id) FROM service_event)"))
        db.session.rollback()
        db.engine.dispose()
