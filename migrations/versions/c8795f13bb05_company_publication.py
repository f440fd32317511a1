"""company publication: self-registered firms wait for an official before the public sees them

Projects started from an introduction lose their internal "introduction #<id>" source note.

Every company that exists already was published (it was on the pages): the server default says so.

Revision ID: c8795f13bb05
Revises: 4c6473f660ea
Create Date: 2026-12-03 12:04:50.690859

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8795f13bb05'
down_revision = '4c6473f660ea'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication', sa.String(length=20), server_default='published', nullable=False))
        batch_op.add_column(sa.Column('publication_note', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_companies_publication'), ['publication'], unique=False)
    op.execute("UPDATE companies SET publication = 'published'")
    # A project started from an introduction kept "introduction #<id>" as its source note; the introduction's
    # project_id says the same, and pages link it by name.
    op.execute("UPDATE projects SET source = NULL WHERE source LIKE 'introduction #%' "
               "AND id IN (SELECT project_id FROM introductions WHERE project_id IS NOT NULL)")


def downgrade():
    op.execute("UPDATE projects SET source = 'introduction #' || (SELECT MIN(i.id) FROM introductions i "
               "WHERE i.project_id = projects.id) WHERE source IS NULL "
               "AND id IN (SELECT project_id FROM introductions WHERE project_id IS NOT NULL)")
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_companies_publication'))
        batch_op.drop_column('publication_note')
        batch_op.drop_column('publication')
