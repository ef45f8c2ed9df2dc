"""The models and the migrations must describe the same schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from extensions import db, is_modelled


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                           "include_object": is_modelled})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
