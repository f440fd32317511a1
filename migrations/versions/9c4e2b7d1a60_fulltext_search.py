"""Full-text search over companies and needs: SQLite FTS5 tables, PostgreSQL tsvector + GIN

Revision ID: 9c4e2b7d1a60
Revises: 56cdf786473a
Create Date: 2026-11-26 10:00:00.000000

The objects are kept out of the SQLAlchemy metadata (see registry/catalog/fulltext.py): the same
statements build them here and in the tests' create_all() databases.
"""
from alembic import op

from registry.catalog.fulltext import create_statements, drop_statements

# revision identifiers, used by Alembic.
revision = '9c4e2b7d1a60'
down_revision = '56cdf786473a'
branch_labels = None
depends_on = None


def upgrade():
    for statement in create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
