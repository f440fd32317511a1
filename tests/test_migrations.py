"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from registry import create_app
from registry.catalog.fulltext import include_object
from registry.extensions import db
from tests.conftest import make_config


def test_upgrade_on_an_empty_database_matches_the_models(fresh_database_url):
    app = create_app(make_config(fresh_database_url()))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            assert "companies" in inspect(connection).get_table_names()
            context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []
