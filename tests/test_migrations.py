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
